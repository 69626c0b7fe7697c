/* The SSE parser: the same stream, cut at every byte position (and into
 * single bytes), must give identical events. */
#include "check.h"
#include "model_sse.h"
#include "util.h"

#include <stdlib.h>

struct record {
    struct hk_buf log;
    int count;
};

static int record_event(const struct hk_sse_event *ev, void *user)
{
    struct record *r = user;
    hk_buf_printf(&r->log, "[%s|%s|", ev->type, ev->id);
    hk_buf_add(&r->log, ev->data, ev->data_len);
    hk_buf_adds(&r->log, "]\n");
    r->count++;
    return 0;
}

static char *parse_in_pieces(const char *stream, size_t len, size_t cut1, size_t cut2)
{
    struct record r = {0};
    struct hk_sse *sse = hk_sse_new(record_event, &r);
    hk_sse_feed(sse, stream, cut1);
    hk_sse_feed(sse, stream + cut1, cut2 - cut1);
    hk_sse_feed(sse, stream + cut2, len - cut2);
    hk_sse_free(sse);
    return hk_buf_steal(&r.log);
}

static char *parse_bytewise(const char *stream, size_t len)
{
    struct record r = {0};
    struct hk_sse *sse = hk_sse_new(record_event, &r);
    for (size_t i = 0; i < len; i++)
        hk_sse_feed(sse, stream + i, 1);
    hk_sse_free(sse);
    return hk_buf_steal(&r.log);
}

static const char mixed[] =
    ": keep-alive comment\n"
    "event: message_start\r\n"
    "data: {\"a\":1}\r\n"
    "\r\n"
    "id: 7\r"
    "data: line one\r"
    "data:line two\r"
    "data\r"
    "\r"
    "retry: 2500\n"
    "unknown: field\n"
    "event: ping\n"
    "data: caf\xc3\xa9 \xe2\x9c\x93\n"
    "\n"
    "data: [DONE]\n\n"
    "data: never dispatched without a blank line";

static const char expected[] =
    "[message_start||{\"a\":1}]\n"
    "[message|7|line one\nline two\n]\n"
    "[ping|7|caf\xc3\xa9 \xe2\x9c\x93]\n"
    "[message|7|[DONE]]\n";

TEST(whole_stream_gives_expected_events)
{
    char *got = parse_in_pieces(mixed, sizeof mixed - 1, 0, 0);
    CHECK_STR(got, expected);
    free(got);
}

TEST(every_split_position_gives_identical_events)
{
    size_t len = sizeof mixed - 1;
    int mismatches = 0;
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b += 7) {
            char *got = parse_in_pieces(mixed, len, a, b);
            if (strcmp(got, expected) != 0 && mismatches++ == 0)
                CHECK(0, "split at %zu and %zu gave:\n%s", a, b, got);
            free(got);
        }
    }
    char *bytewise = parse_bytewise(mixed, len);
    CHECK_STR(bytewise, expected);
    free(bytewise);
    CHECK(mismatches == 0, "%d splits differ", mismatches);
}

TEST(retry_field_is_kept)
{
    struct record r = {0};
    struct hk_sse *sse = hk_sse_new(record_event, &r);
    CHECK(hk_sse_retry_ms(sse) == -1, "no retry yet");
    hk_sse_feed(sse, mixed, sizeof mixed - 1);
    CHECK(hk_sse_retry_ms(sse) == 2500, "retry %ld", hk_sse_retry_ms(sse));
    hk_sse_free(sse);
    hk_buf_free(&r.log);
}

TEST(long_lines_survive_any_split)
{
    struct hk_buf s = {0}, want = {0};
    hk_buf_adds(&s, "data: ");
    for (int i = 0; i < 200000; i++)
        hk_buf_addc(&s, (char)('a' + i % 26));
    hk_buf_adds(&s, "\r\n\r\n");
    hk_buf_adds(&want, "[message||");
    hk_buf_add(&want, s.data + 6, 200000);
    hk_buf_adds(&want, "]\n");
    for (size_t cut = 1; cut < s.len; cut += 9973) {
        char *got = parse_in_pieces(s.data, s.len, cut, cut + (s.len - cut) / 2);
        CHECK(strcmp(got, want.data) == 0, "cut at %zu", cut);
        free(got);
    }
    hk_buf_free(&s);
    hk_buf_free(&want);
}

static int stop_at_second(const struct hk_sse_event *ev, void *user)
{
    (void)ev;
    int *n = user;
    return ++*n == 2 ? 42 : 0;
}

TEST(callback_can_stop_the_parse)
{
    int n = 0;
    struct hk_sse *sse = hk_sse_new(stop_at_second, &n);
    int rc = hk_sse_feed(sse, "data: 1\n\ndata: 2\n\ndata: 3\n\n", 27);
    CHECK(rc == 42, "rc %d", rc);
    CHECK(n == 2, "events %d", n);
    hk_sse_free(sse);
}
