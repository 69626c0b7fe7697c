/* Fuzzes the SSE parser (backend/sse.c): a stream cut into chunks at points
 * taken from the input parses to the same events, the same last id and the
 * same retry advice as the whole stream fed at once, including when the
 * callback stops the parse after some event.
 * Input: [stop after N events][split count K][K chunk lengths][stream]. */
#include "fuzz.h"
#include "model_sse.h"

struct record {
    struct hk_buf events; /* type, id and data of each event, length-prefixed */
    int count;
    int stop_after; /* the callback stops the parse at this event; 0: never */
};

static void add_field(struct hk_buf *b, const char *s, size_t len)
{
    hk_buf_printf(b, "%zu:", len);
    hk_buf_add(b, s, len);
}

static int on_event(const struct hk_sse_event *ev, void *user)
{
    struct record *r = user;
    FZ_ASSERT(ev->type && ev->id && ev->data, "an event with a NULL field");
    FZ_ASSERT(ev->data[ev->data_len] == '\0', "data is not NUL-terminated at data_len");
    add_field(&r->events, ev->type, strlen(ev->type));
    add_field(&r->events, ev->id, strlen(ev->id));
    add_field(&r->events, ev->data, ev->data_len);
    r->count++;
    return r->stop_after && r->count == r->stop_after ? 7 : 0;
}

/* Feeds the stream in the given chunk lengths (the rest in one piece);
 * returns what the last hk_sse_feed returned. */
static int parse(const uint8_t *data, size_t size, const uint8_t *cuts, size_t ncuts,
                 struct record *r, long *retry)
{
    struct hk_sse *sse = hk_sse_new(on_event, r);
    size_t at = 0;
    int rc = 0;
    for (size_t i = 0; i <= ncuts && !rc; i++) {
        size_t n = i < ncuts ? cuts[i] : size - at;
        if (n > size - at)
            n = size - at;
        rc = hk_sse_feed(sse, (const char *)data + at, n);
        at += n;
    }
    *retry = hk_sse_retry_ms(sse);
    hk_sse_free(sse);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int stop_after = data[0] % 8;
    size_t ncuts = data[1] % 16;
    if (size < 2 + ncuts)
        return 0;
    const uint8_t *cuts = data + 2, *stream = data + 2 + ncuts;
    size_t len = size - 2 - ncuts;

    struct record whole = {.stop_after = stop_after}, chunked = {.stop_after = stop_after};
    long retry_whole, retry_chunked;
    int rc_whole = parse(stream, len, NULL, 0, &whole, &retry_whole);
    int rc_chunked = parse(stream, len, cuts, ncuts, &chunked, &retry_chunked);

    FZ_ASSERT(whole.count == chunked.count, "%d events whole, %d in chunks", whole.count,
              chunked.count);
    FZ_ASSERT(whole.events.len == chunked.events.len &&
                  (!whole.events.len || memcmp(whole.events.data, chunked.events.data, whole.events.len) == 0),
              "the events differ when the stream is cut");
    FZ_ASSERT(rc_whole == rc_chunked, "feed returned %d whole, %d in chunks", rc_whole, rc_chunked);
    FZ_ASSERT(rc_whole == (stop_after && whole.count == stop_after ? 7 : 0),
              "feed returned %d after %d events", rc_whole, whole.count);
    FZ_ASSERT(retry_whole == retry_chunked, "retry %ld whole, %ld in chunks", retry_whole,
                  retry_chunked);
    hk_buf_free(&whole.events);
    hk_buf_free(&chunked.events);
    return 0;
}
