/* The context budget: before a request would pass about 80% of the model's
 * context window, old tool results become one-line stubs that say what they
 * were and how to get them again, oldest first, until the request is under
 * half the window. Never touched: the task, the system prompt with the
 * repository's instructions, the engineer's messages and test failures
 * (user text), the model's own words and calls, every proposal's result
 * (decisions and rejection reasons), the latest test run's result and the
 * results the model has not seen yet. A compaction is a journalled event
 * that carries the stubs, so a resumed session rebuilds the compacted
 * conversation, not the original. */
#include "session_internal.h"

#include "json.h"
#include "tools.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHORT_RESULT 240 /* bytes: a stub would save nothing */

static void emit_plain_note(struct hk_session *s, const char *msg)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "message", msg);
    hk_session_emit(s, HK_EV_NOTE, d, 1);
}

/* Published windows, in tokens, by model-name prefix. */
static const struct {
    const char *prefix;
    long tokens;
} windows[] = {
    {"claude", 200000}, {"gpt-5", 400000}, {"gpt-4.1", 1047576}, {"gpt-4o", 128000},
    {"gpt-4-turbo", 128000}, {"o1", 200000}, {"o3", 200000}, {"o4", 200000},
};

long hk_session_window_default(const char *model)
{
    for (size_t i = 0; model && i < sizeof windows / sizeof *windows; i++)
        if (!strncmp(model, windows[i].prefix, strlen(windows[i].prefix)))
            return windows[i].tokens;
    return 0;
}

static long request_tokens(const struct hk_session *s)
{
    return (long)(hk_model_request_bytes(s->conv, s->model) / 4);
}

static const struct hk_tool_call *call_of(const struct hk_conversation *conv, size_t msg, const char *id)
{
    for (size_t i = msg; i-- > 0;) {
        const struct hk_message *m = &conv->msgs[i];
        for (size_t k = 0; k < m->ncalls; k++)
            if (!strcmp(m->calls[k].id, id))
                return &m->calls[k];
        if (m->role == HK_ROLE_ASSISTANT)
            break;
    }
    return NULL;
}

static size_t count_lines(const char *s)
{
    size_t n = *s ? 1 : 0;
    for (; *s; s++)
        n += *s == '\n' && s[1];
    return n;
}

static char *stub_text(const struct hk_tool_call *call, const char *content)
{
    cJSON *input = cJSON_Parse(call->input_json);
    char *what = hk_tool_summary(call->name, input);
    cJSON_Delete(input);
    int read = !strcmp(call->name, "read_file");
    char *stub = hk_xasprintf("%s, %zu lines: elided, %s again if needed", what, count_lines(content),
                              read ? "read it" : "run it");
    free(what);
    return stub;
}

/* The newest result of the test-running tool: the latest failure stays. */
static const struct hk_tool_result *latest_tests(const struct hk_conversation *conv)
{
    for (size_t i = conv->nmsgs; i-- > 0;)
        for (size_t k = conv->msgs[i].nresults; k-- > 0;) {
            const struct hk_tool_call *c = call_of(conv, i, conv->msgs[i].results[k].call_id);
            if (c && hk_tool_kind(c->name) == HK_TOOL_TESTS)
                return &conv->msgs[i].results[k];
        }
    return NULL;
}

static int may_stub(const struct hk_conversation *conv, size_t msg, const struct hk_tool_result *r,
                    const struct hk_tool_result *keep)
{
    if (r == keep || strlen(r->content) < SHORT_RESULT || strstr(r->content, ": elided, "))
        return 0;
    const struct hk_tool_call *c = call_of(conv, msg, r->call_id);
    return c && hk_tool_kind(c->name) != HK_TOOL_EDIT;
}

/* Stubs results oldest first until the request is under goal tokens. */
static cJSON *stub_old_results(struct hk_session *s, long tokens, long goal)
{
    struct hk_conversation *conv = s->conv;
    const struct hk_tool_result *keep = latest_tests(conv);
    cJSON *stubs = cJSON_CreateArray();
    /* Counted down by what each stub saves (escapes make the true saving larger). */
    for (size_t i = 0; i + 1 < conv->nmsgs && tokens > goal; i++) {
        struct hk_message *m = &conv->msgs[i];
        for (size_t k = 0; k < m->nresults && tokens > goal; k++) {
            struct hk_tool_result *r = &m->results[k];
            if (!may_stub(conv, i, r, keep))
                continue;
            char *stub = stub_text(call_of(conv, i, r->call_id), r->content);
            tokens -= (long)(strlen(r->content) - strlen(stub)) / 4;
            free(r->content);
            r->content = stub;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "id", r->call_id);
            cJSON_AddStringToObject(o, "text", stub);
            cJSON_AddItemToArray(stubs, o);
        }
    }
    return stubs;
}

int hk_session_compact(struct hk_session *s, long window, const char *reason)
{
    if (window <= 0)
        return 0;
    long before = request_tokens(s);
    int forced = !strcmp(reason, "too_long");
    if (!forced && before <= window * 8 / 10)
        return 0;
    cJSON *stubs = stub_old_results(s, before, window / 2);
    long after = request_tokens(s);
    int n = cJSON_GetArraySize(stubs);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "reason", reason);
    cJSON_AddNumberToObject(d, "window", (double)window);
    cJSON_AddNumberToObject(d, "tokens_before", (double)before);
    cJSON_AddNumberToObject(d, "tokens_after", (double)after);
    cJSON_AddItemToObject(d, "stubs", stubs);
    if (!n) {
        cJSON_Delete(d);
        return 0;
    }
    hk_session_emit(s, HK_EV_COMPACT, d, 1);
    return n;
}

void hk_session_compact_replay(struct hk_conversation *conv, const cJSON *d)
{
    long replaced = (long)hk_json_num(d, "replaced", 0);
    const char *head = hk_json_str(d, "head");
    if (replaced > 0 && head)
        hk_conv_replace_head(conv, (size_t)replaced, head);
    const cJSON *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(d, "stubs")) {
        const char *id = hk_json_str(o, "id"), *text = hk_json_str(o, "text");
        for (size_t i = 0; id && text && i < conv->nmsgs; i++)
            for (size_t k = 0; k < conv->msgs[i].nresults; k++) {
                struct hk_tool_result *r = &conv->msgs[i].results[k];
                if (strcmp(r->call_id, id))
                    continue;
                free(r->content);
                r->content = hk_xstrdup(text);
            }
    }
}

/* --- summarising older turns ------------------------------------------------ */

#define KEEP_MESSAGES 4     /* the newest turns stay as they are */
#define RESULT_IN_SUMMARY 1500

static const char summary_system[] =
    "You summarise the earlier part of a coding session for the agent that continues it, which "
    "will see your summary instead of those turns. Write it compactly: what was read and found "
    "(files, functions, line numbers), what was changed and decided, what was tried and failed, "
    "what remains to do. No preamble.";

/* Where the kept tail begins: an assistant message, so the head (one user
 * message) and the tail alternate; 0 when there is too little to summarise. */
static size_t summary_cut(const struct hk_conversation *conv)
{
    if (conv->nmsgs < KEEP_MESSAGES + 2 || conv->msgs[0].nresults)
        return 0;
    for (size_t k = conv->nmsgs - KEEP_MESSAGES; k >= 2; k--)
        if (conv->msgs[k].role == HK_ROLE_ASSISTANT)
            return k;
    return 0;
}

static int is_test_failure(const char *text)
{
    return text && !strncmp(text, "The tests failed (", 18);
}

/* The part to summarise as text for the summariser. */
static char *transcript(const struct hk_conversation *conv, size_t k)
{
    struct hk_buf b = {0};
    for (size_t i = 1; i < k; i++) {
        const struct hk_message *m = &conv->msgs[i];
        if (m->text && *m->text)
            hk_buf_printf(&b, "%s: %s\n", m->role == HK_ROLE_USER ? "user" : "assistant", m->text);
        for (size_t c = 0; c < m->ncalls; c++) {
            cJSON *input = cJSON_Parse(m->calls[c].input_json);
            char *what = hk_tool_summary(m->calls[c].name, input);
            hk_buf_printf(&b, "assistant called %s\n", what);
            free(what);
            cJSON_Delete(input);
        }
        for (size_t r = 0; r < m->nresults; r++)
            hk_buf_printf(&b, "result%s: %.*s\n", m->results[r].is_error ? " (error)" : "", RESULT_IN_SUMMARY,
                          m->results[r].content);
    }
    return hk_buf_steal(&b);
}

/* What is never summarised away, verbatim: the engineer's messages, every
 * proposal's result (decisions, rejection reasons), the latest failure. */
static void add_verbatim(struct hk_buf *b, const struct hk_conversation *conv, size_t k)
{
    const char *failure = NULL;
    for (size_t i = 0; i < conv->nmsgs; i++)
        if (conv->msgs[i].role == HK_ROLE_USER && is_test_failure(conv->msgs[i].text))
            failure = conv->msgs[i].text;
    int said = 0;
    for (size_t i = 1; i < k; i++) {
        const struct hk_message *m = &conv->msgs[i];
        if (m->role == HK_ROLE_USER && m->text && *m->text && !is_test_failure(m->text))
            hk_buf_printf(b, "%s- The engineer: %s\n", said++ ? "" : "\n\nIn those turns, verbatim:\n", m->text);
        for (size_t r = 0; r < m->nresults; r++) {
            const struct hk_tool_call *c = call_of(conv, i, m->results[r].call_id);
            if (c && hk_tool_kind(c->name) == HK_TOOL_EDIT)
                hk_buf_printf(b, "%s- On a proposed edit (%s): %s\n", said++ ? "" : "\n\nIn those turns, verbatim:\n",
                              c->name, m->results[r].content);
        }
        if (m->text == failure)
            hk_buf_printf(b, "\n\nThe latest test failure:\n%s\n", failure);
    }
}

static char *summary_head(const struct hk_conversation *conv, size_t k, const char *summary)
{
    struct hk_buf b = {0};
    hk_buf_printf(&b, "%s\n\nEarlier work on this task, summarised to keep the conversation short:\n%s",
                  conv->msgs[0].text ? conv->msgs[0].text : "", summary);
    add_verbatim(&b, conv, k);
    return hk_buf_steal(&b);
}

static void summary_free(struct hk_session *s)
{
    hk_model_request_free(s->req);
    s->req = NULL;
    hk_conv_free(s->summary_conv);
    s->summary_conv = NULL;
}

static void summary_done(struct hk_session *s, const struct hk_model_event *ev)
{
    const struct hk_conversation *sc = s->summary_conv;
    const struct hk_message *last = sc->nmsgs ? &sc->msgs[sc->nmsgs - 1] : NULL;
    const char *text = last && last->role == HK_ROLE_ASSISTANT && last->text ? last->text : NULL;
    if (!text) {
        emit_plain_note(s, "The model gave no summary of the older turns; asking with them as they are.");
        return;
    }
    long before = request_tokens(s);
    char *head = summary_head(s->conv, s->summary_cut, text);
    hk_conv_replace_head(s->conv, s->summary_cut, head);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "reason", s->summary_reason);
    cJSON_AddNumberToObject(d, "window", (double)s->summary_window);
    cJSON_AddNumberToObject(d, "tokens_before", (double)before);
    cJSON_AddNumberToObject(d, "tokens_after", (double)request_tokens(s));
    cJSON_AddItemToObject(d, "stubs", cJSON_CreateArray());
    cJSON_AddNumberToObject(d, "replaced", (double)s->summary_cut);
    cJSON_AddStringToObject(d, "head", head);
    /* the summary's own request, counted like a turn */
    cJSON_AddNumberToObject(d, "input_tokens", (double)ev->input_tokens);
    cJSON_AddNumberToObject(d, "output_tokens", (double)ev->output_tokens);
    cJSON_AddNumberToObject(d, "cache_creation_input_tokens", (double)ev->cache_creation_tokens);
    cJSON_AddNumberToObject(d, "cache_read_input_tokens", (double)ev->cache_read_tokens);
    if (s->model->price.known)
        cJSON_AddNumberToObject(d, "cost_usd", hk_price_cost(&s->model->price, ev->input_tokens, ev->output_tokens,
                                                             ev->cache_read_tokens, ev->cache_creation_tokens));
    hk_usage_add(&s->usage, d);
    free(head);
    hk_session_emit(s, HK_EV_COMPACT, d, 1);
}

static void on_summary_event(const struct hk_model_event *ev, void *user)
{
    struct hk_session *s = user;
    switch (ev->kind) {
    case HK_MODEL_TEXT:
    case HK_MODEL_TOOL_CALL:
    case HK_MODEL_RETRY:
        return; /* the summary is not the model's answer: nothing of it is shown */
    case HK_MODEL_DONE:
        summary_done(s, ev);
        break;
    case HK_MODEL_ERROR: {
        char *msg = hk_xasprintf("Could not summarise the older turns (%s); asking with them as they are.",
                                 ev->message);
        emit_plain_note(s, msg);
        free(msg);
        break;
    }
    case HK_MODEL_CANCELLED:
        summary_free(s);
        hk_session_model_cancelled(s);
        return;
    }
    summary_free(s);
    hk_session_ask(s);
}

int hk_session_summarise(struct hk_session *s, long window, const char *reason)
{
    if (window <= 0 || (strcmp(reason, "too_long") && request_tokens(s) <= window * 8 / 10))
        return 0;
    size_t k = summary_cut(s->conv);
    if (!k)
        return 0;
    char *text = transcript(s->conv, k);
    s->summary_conv = hk_conv_new(summary_system);
    hk_conv_add_user_text(s->summary_conv, text);
    free(text);
    const struct hk_model_settings *m = s->model;
    long prompt = (long)(hk_model_request_bytes(s->summary_conv, m) / 4);
    if (m->max_cost > 0 &&
        (!m->price.known || s->usage.cost_usd + hk_price_cost(&m->price, prompt, 0, 0, 0) > m->max_cost)) {
        hk_conv_free(s->summary_conv); /* the extra request is bounded by honk.maxCost too */
        s->summary_conv = NULL;
        return 0;
    }
    s->summary_cut = k;
    s->summary_window = window;
    snprintf(s->summary_reason, sizeof s->summary_reason, "%s", reason);
    s->req = hk_model_request_start(s->loop, s->summary_conv, s->model, on_summary_event, s);
    return 1;
}
