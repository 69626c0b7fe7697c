/* Every event of a session on its way out: journalled first (the model's
 * streamed text held back and written in larger pieces), then delivered to
 * the front end and to the clients on the session's socket. */
#include "session_internal.h"
#include "util.h"

#include <stdlib.h>

/* A streamed answer goes to the journal in pieces of about this size (or
 * what came in FLUSH_TEXT_MS), not one line per delta: a 10 MB answer was
 * 100,000 lines. Any other event writes the text before it. */
#define FLUSH_TEXT_BYTES (8 * 1024)
#define FLUSH_TEXT_MS 200

/* Returns the event's index in the journal, or -1 when it could not be written. */
static long journal_write(struct hk_session *s, const struct hk_event *ev, int sync)
{
    char *err = NULL;
    if (hk_journal_append(s->journal, ev, sync, &err) == 0) {
        free(err);
        return s->journal_events++;
    }
    if (s->cb) {
        /* The engineer must know the session can no longer be resumed; the
         * front end says so where it says everything else (not journalled). */
        cJSON *d = cJSON_CreateObject();
        char *msg = hk_xasprintf("%s; this session cannot be resumed after honk exits", err);
        cJSON_AddStringToObject(d, "message", msg);
        struct hk_event warn = {HK_EV_ERROR, ev->time_ms, d};
        s->cb(&warn, s->user);
        cJSON_Delete(d);
        free(msg);
    }
    free(err);
    return -1;
}

static void flush_text(struct hk_session *s)
{
    if (s->text_timer)
        hk_loop_cancel_timer(s->loop, s->text_timer);
    s->text_timer = 0;
    if (!s->pending_text.len)
        return;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "text", s->pending_text.data);
    struct hk_event ev = {HK_EV_TEXT, s->pending_text_ms, d};
    hk_buf_clear(&s->pending_text);
    if (s->journal)
        journal_write(s, &ev, 0);
    cJSON_Delete(d);
}

void hk_session_flush_text(struct hk_session *s)
{
    flush_text(s);
}

static void on_text_timer(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_session *s = data;
    s->text_timer = 0;
    flush_text(s);
}

/* A text delta waits to be journalled with the ones after it. */
static void hold_text(struct hk_session *s, const struct hk_event *ev)
{
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev->data, "text"));
    if (!text || !*text)
        return;
    if (!s->pending_text.len)
        s->pending_text_ms = ev->time_ms;
    hk_buf_adds(&s->pending_text, text);
    if (s->pending_text.len >= FLUSH_TEXT_BYTES)
        flush_text(s);
    else if (!s->text_timer)
        s->text_timer = hk_loop_add_timer(s->loop, FLUSH_TEXT_MS, on_text_timer, s);
}

/* Journals the event, then delivers it. Takes data. */
void hk_session_emit(struct hk_session *s, enum hk_event_kind kind, cJSON *data, int sync)
{
    struct hk_event ev = {kind, hk_wall_ms(), data};
    long seq = -1;
    if (!s->replaying && s->journal && kind == HK_EV_TEXT) {
        hold_text(s, &ev);
    } else if (!s->replaying && s->journal) {
        flush_text(s);
        seq = journal_write(s, &ev, sync);
        if (kind == HK_EV_STATE)
            hk_session_publish_soon(s);
    }
    if (s->cb && !s->replaying)
        s->cb(&ev, s->user);
    if (!s->replaying)
        hk_session_socket_event(s, &ev, seq);
    cJSON_Delete(data);
}
