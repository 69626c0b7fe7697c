/* The protocol-neutral reply generator: walks a turn (text, repeated text,
 * tool calls, faults) step by step, letting a protocol's writer render each
 * step, and feeds the result to libmicrohttpd as a chunked body. */
#include "replay.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void replay_json_str(struct hk_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    hk_buf_addc(b, '"');
    size_t run = 0; /* bytes that need no escape, added in one go */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        hk_buf_add(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': hk_buf_adds(b, "\\\""); break;
        case '\\': hk_buf_adds(b, "\\\\"); break;
        case '\n': hk_buf_adds(b, "\\n"); break;
        case '\r': hk_buf_adds(b, "\\r"); break;
        case '\t': hk_buf_adds(b, "\\t"); break;
        default:
            hk_buf_adds(b, "\\u00");
            hk_buf_addc(b, hex[c >> 4]);
            hk_buf_addc(b, hex[c & 15]);
        }
    }
    hk_buf_add(b, s + run, len - run);
    hk_buf_addc(b, '"');
}

void replay_json_strz(struct hk_buf *b, const char *s)
{
    replay_json_str(b, s, strlen(s));
}

void replay_buf_long(struct hk_buf *b, long v)
{
    char num[32];
    int n = snprintf(num, sizeof num, "%ld", v);
    hk_buf_add(b, num, (size_t)n);
}

size_t replay_tool_nfrags(const struct tool_call *tc)
{
    size_t len = strlen(tc->input_json);
    size_t k = (size_t)tc->split;
    return k > len ? (len ? len : 1) : k;
}

/* A cut point moved forward so no UTF-8 sequence is split between fragments. */
static size_t cut(const char *s, size_t len, size_t at)
{
    while (at < len && ((unsigned char)s[at] & 0xC0) == 0x80)
        at++;
    return at;
}

void replay_tool_fragment(const struct tool_call *tc, size_t k, size_t *off, size_t *len)
{
    const char *s = tc->input_json;
    size_t total = strlen(s), n = replay_tool_nfrags(tc);
    size_t a = cut(s, total, total * k / n);
    size_t b = cut(s, total, total * (k + 1) / n);
    *off = a;
    *len = b - a;
}

const char *replay_stop_reason(const struct stream *s)
{
    if (s->turn->stop_reason)
        return s->turn->stop_reason;
    return s->turn->ntools ? "tool_use" : "end_turn";
}

long replay_output_tokens(const struct stream *s)
{
    return s->turn->output_tokens >= 0 ? s->turn->output_tokens : s->deltas;
}

struct stream *replay_stream_new(const struct proto *p, const struct turn *t, const char *model,
                                 long n, const struct usage *u, bool include_usage)
{
    struct stream *s = hk_xcalloc(1, sizeof *s);
    s->proto = p;
    s->turn = t;
    s->model = hk_xstrdup(model);
    s->n = n;
    s->created = (long)time(NULL);
    s->include_usage = include_usage;
    s->usage = *u;
    s->input_tokens = t->input_tokens >= 0 ? t->input_tokens : u->input;
    p->init(s);
    return s;
}

void replay_stream_free(void *cls)
{
    struct stream *s = cls;
    if (!s)
        return;
    free(s->model);
    free(s->prefix);
    hk_buf_free(&s->out);
    free(s);
}

/* Bookkeeping after each delta: the malformed event and the mid-stream error. */
static void after_delta(struct stream *s)
{
    const struct turn *t = s->turn;
    s->deltas++;
    if (t->malformed && !s->malformed_sent) {
        s->proto->malformed(s);
        s->malformed_sent = true;
    }
    if (t->error_after_deltas >= 0 && s->deltas >= t->error_after_deltas) {
        s->proto->error(s, t->error_type ? t->error_type : "overloaded_error",
                        t->error_message ? t->error_message : "Overloaded");
        s->phase = PH_DONE;
    }
}

static FILE *delta_log;

void replay_stream_log_deltas(FILE *f)
{
    delta_log = f;
}

static void log_delta(const char *text, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf(delta_log, "%lld %.*s\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, (int)len, text);
    fflush(delta_log);
}

static void text_delta(struct stream *s, const char *text, size_t len)
{
    if (delta_log)
        log_delta(text, len);
    if (!s->text_open) {
        s->proto->text_begin(s);
        s->text_open = true;
    }
    s->proto->text_delta(s, text, len);
    after_delta(s);
}

static void close_text(struct stream *s)
{
    if (!s->text_open)
        return;
    s->proto->text_end(s);
    s->text_open = false;
    s->block++;
}

static void step_start(struct stream *s)
{
    s->proto->start(s);
    s->phase = PH_TEXT;
    if (s->turn->error_after_deltas == 0) {
        s->proto->error(s, s->turn->error_type ? s->turn->error_type : "overloaded_error",
                        s->turn->error_message ? s->turn->error_message : "Overloaded");
        s->phase = PH_DONE;
    }
}

/* One tool step: the block start, one fragment, or the block end. */
static void step_tool(struct stream *s)
{
    const struct tool_call *tc = &s->turn->tools[s->i];
    size_t nfrags = replay_tool_nfrags(tc);
    if (s->frag == 0)
        s->proto->tool_begin(s, tc, s->i);
    if (s->frag < nfrags) {
        size_t off, len;
        replay_tool_fragment(tc, s->frag++, &off, &len);
        s->proto->tool_delta(s, s->i, tc->input_json + off, len);
        after_delta(s);
        return;
    }
    s->proto->tool_end(s, s->i);
    s->block++;
    s->i++;
    s->frag = 0;
}

/* Renders the next step of the reply into s->out. */
static void step(struct stream *s)
{
    const struct turn *t = s->turn;
    s->steps++;
    switch (s->phase) {
    case PH_START:
        step_start(s);
        return;
    case PH_TEXT:
        if (s->i < t->ntext) {
            const char *c = t->text[s->i++];
            text_delta(s, c, strlen(c));
            return;
        }
        s->phase = PH_REPEAT;
        s->i = 0;
        return;
    case PH_REPEAT:
        if (t->repeat_text && s->i < (size_t)t->repeat_count) {
            s->i++;
            text_delta(s, t->repeat_text, strlen(t->repeat_text));
            return;
        }
        close_text(s);
        s->phase = PH_TOOLS;
        s->i = 0;
        return;
    case PH_TOOLS:
        if (s->i < t->ntools) {
            step_tool(s);
            return;
        }
        s->phase = PH_FINISH;
        return;
    case PH_FINISH:
        s->proto->finish(s);
        s->phase = PH_DONE;
        return;
    case PH_DONE:
        return;
    }
}

/* Builds the whole turn as one message for a request without "stream": true. */
void replay_stream_whole(struct stream *s)
{
    const struct turn *t = s->turn;
    struct hk_buf text = {0};
    for (size_t i = 0; i < t->ntext; i++) {
        hk_buf_adds(&text, t->text[i]);
        s->deltas++;
    }
    for (long i = 0; t->repeat_text && i < t->repeat_count; i++) {
        hk_buf_adds(&text, t->repeat_text);
        s->deltas++;
    }
    for (size_t i = 0; i < t->ntools; i++)
        s->deltas += (long)replay_tool_nfrags(&t->tools[i]);
    s->proto->whole(s, text.data ? text.data : "", text.len);
    hk_buf_free(&text);
    s->phase = PH_DONE;
}

static bool in_deltas(const struct stream *s)
{
    return s->phase == PH_TEXT || s->phase == PH_REPEAT || s->phase == PH_TOOLS;
}

/* Fills s->out: as much as fits when there is no delay, else one step per
 * call, after the delay, so each delta reaches the client on its own. */
static bool fill(struct stream *s, size_t max)
{
    long delay = s->turn->chunk_delay_ms;
    while (s->out.len - s->out_off < max && s->phase != PH_DONE) {
        if (delay > 0 && s->out.len > s->out_off)
            break;
        if (delay > 0 && s->steps > 0 && in_deltas(s) && !replay_sleep_ms(delay))
            return false;
        step(s);
    }
    return true;
}

ssize_t replay_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    long drop = s->turn->drop_after_bytes;
    (void)pos;
    if (replay_quitting() || (drop >= 0 && s->sent >= (uint64_t)drop))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (!fill(s, max))
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t avail = s->out.len - s->out_off;
    if (avail == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = avail < max ? avail : max;
    if (drop >= 0 && n > (uint64_t)drop - s->sent)
        n = (size_t)((uint64_t)drop - s->sent);
    memcpy(buf, s->out.data + s->out_off, n);
    s->out_off += n;
    s->sent += n;
    if (s->out_off == s->out.len) {
        hk_buf_clear(&s->out);
        s->out_off = 0;
    }
    return (ssize_t)n;
}

void replay_tool_id(struct hk_buf *b, const struct tool_call *tc, const char *prefix)
{
    if (tc->id)
        replay_json_strz(b, tc->id);
    else
        hk_buf_printf(b, "\"%s%ld\"", prefix, tc->auto_id);
}
