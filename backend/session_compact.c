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

#include <stdlib.h>
#include <string.h>

#define SHORT_RESULT 240 /* bytes: a stub would save nothing */

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
