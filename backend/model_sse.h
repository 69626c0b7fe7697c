/* Incremental Server-Sent Events parser (the WHATWG event-stream format):
 * bytes go in as they arrive, cut anywhere; whole events come out. */
#ifndef HK_MODEL_SSE_H
#define HK_MODEL_SSE_H

#include <stddef.h>

struct hk_sse_event {
    const char *type;   /* the `event:` field, "message" when absent */
    const char *data;   /* `data:` lines joined with LF */
    size_t data_len;
    const char *id;     /* the last event id seen on the stream, "" when none */
};

/* Returns 0 to go on, non-zero to stop parsing (hk_sse_feed returns it). */
typedef int (*hk_sse_cb)(const struct hk_sse_event *ev, void *user);

struct hk_sse;

struct hk_sse *hk_sse_new(hk_sse_cb cb, void *user);
void hk_sse_free(struct hk_sse *sse);
/* Parses n more bytes; returns the callback's non-zero value if it stopped. */
int hk_sse_feed(struct hk_sse *sse, const char *bytes, size_t n);
/* The server's `retry:` advice in ms, or -1 when it sent none. */
long hk_sse_retry_ms(const struct hk_sse *sse);

#endif
