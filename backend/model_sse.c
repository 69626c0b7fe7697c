/* The SSE parser. It keeps only the unfinished line and the event being
 * assembled, so memory is bounded by the longest line and event, and a
 * stream split at any byte (even inside CRLF) parses identically. */
#include "model_sse.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct hk_sse {
    hk_sse_cb cb;
    void *user;
    struct hk_buf line;
    struct hk_buf data;
    struct hk_buf type;
    struct hk_buf id;
    int has_data;
    int last_was_cr; /* an LF right after a CR ends nothing */
    long retry_ms;
};

struct hk_sse *hk_sse_new(hk_sse_cb cb, void *user)
{
    struct hk_sse *sse = hk_xcalloc(1, sizeof *sse);
    sse->cb = cb;
    sse->user = user;
    sse->retry_ms = -1;
    hk_buf_adds(&sse->id, "");
    return sse;
}

void hk_sse_free(struct hk_sse *sse)
{
    if (!sse)
        return;
    hk_buf_free(&sse->line);
    hk_buf_free(&sse->data);
    hk_buf_free(&sse->type);
    hk_buf_free(&sse->id);
    free(sse);
}

long hk_sse_retry_ms(const struct hk_sse *sse)
{
    return sse->retry_ms;
}

static int dispatch(struct hk_sse *sse)
{
    int rc = 0;
    if (sse->has_data) {
        struct hk_sse_event ev = {
            .type = sse->type.len ? sse->type.data : "message",
            .data = sse->data.data ? sse->data.data : "",
            .data_len = sse->data.len,
            .id = sse->id.data,
        };
        rc = sse->cb(&ev, sse->user);
    }
    hk_buf_clear(&sse->data);
    hk_buf_clear(&sse->type);
    sse->has_data = 0;
    return rc;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static void process_field(struct hk_sse *sse, const char *name, size_t name_len, const char *value)
{
    if (name_len == 4 && memcmp(name, "data", 4) == 0) {
        if (sse->has_data)
            hk_buf_addc(&sse->data, '\n');
        hk_buf_adds(&sse->data, value);
        sse->has_data = 1;
    } else if (name_len == 5 && memcmp(name, "event", 5) == 0) {
        hk_buf_clear(&sse->type);
        hk_buf_adds(&sse->type, value);
    } else if (name_len == 2 && memcmp(name, "id", 2) == 0) {
        hk_buf_clear(&sse->id);
        hk_buf_adds(&sse->id, value);
    } else if (name_len == 5 && memcmp(name, "retry", 5) == 0) {
        if (all_digits(value))
            sse->retry_ms = strtol(value, NULL, 10);
    }
    /* Unknown fields are ignored, as the standard says. */
}

static int process_line(struct hk_sse *sse)
{
    const char *line = sse->line.data ? sse->line.data : "";
    size_t len = sse->line.len;
    if (len == 0)
        return dispatch(sse);
    if (line[0] == ':')
        return 0; /* a comment: servers send these as keep-alives */
    const char *colon = memchr(line, ':', len);
    if (!colon) {
        process_field(sse, line, len, "");
        return 0;
    }
    const char *value = colon + 1;
    if (*value == ' ')
        value++;
    process_field(sse, line, (size_t)(colon - line), value);
    return 0;
}

int hk_sse_feed(struct hk_sse *sse, const char *bytes, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        char c = bytes[i];
        if (c != '\n' && c != '\r')
            continue;
        if (c == '\n' && sse->last_was_cr && i == start && sse->line.len == 0) {
            /* the LF of a CRLF whose CR ended the line already */
            sse->last_was_cr = 0;
            start = i + 1;
            continue;
        }
        hk_buf_add(&sse->line, bytes + start, i - start);
        start = i + 1;
        sse->last_was_cr = (c == '\r');
        int rc = process_line(sse);
        hk_buf_clear(&sse->line);
        if (rc)
            return rc;
    }
    if (start < n) {
        hk_buf_add(&sse->line, bytes + start, n - start);
        sse->last_was_cr = 0;
    }
    return 0;
}
