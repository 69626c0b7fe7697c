/* The OpenAI Chat Completions writer: request checks, `data:` chunks, whole
 * replies and error bodies shaped like api.openai.com's. */
#include "replay.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *check(const char *(*header)(void *cls, const char *name), void *cls,
                         const cJSON *body, int *status)
{
    const char *auth = header(cls, "authorization");
    *status = 401;
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 || !auth[7])
        return "You didn't provide an API key. You need to provide your API key in an "
               "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    *status = 400;
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(body, "model")))
        return "you must provide a model parameter";
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(body, "messages")))
        return "Missing required parameter: 'messages'.";
    return NULL;
}

static const char *finish_reason(const struct stream *s)
{
    const char *r = replay_stop_reason(s);
    if (!strcmp(r, "end_turn") || !strcmp(r, "stop_sequence"))
        return "stop";
    if (!strcmp(r, "tool_use"))
        return "tool_calls";
    if (!strcmp(r, "max_tokens"))
        return "length";
    return r;
}

/* The head shared by every chunk, up to the delta object. */
static void chunk_head(struct hk_buf *b, const struct stream *s, const char *object)
{
    hk_buf_printf(b, "{\"id\":\"chatcmpl-replay-%ld\",\"object\":\"%s\",\"created\":%ld,\"model\":",
                  s->n, object, s->created);
    replay_json_strz(b, s->model);
}

static void init(struct stream *s)
{
    struct hk_buf b = {0};
    hk_buf_adds(&b, "data: ");
    chunk_head(&b, s, "chat.completion.chunk");
    hk_buf_adds(&b, ",\"choices\":[{\"index\":0,\"delta\":");
    s->prefix = hk_buf_steal(&b);
}

static void chunk_end(struct stream *s)
{
    hk_buf_adds(&s->out, ",\"finish_reason\":null}]}\n\n");
}

static void start(struct stream *s)
{
    hk_buf_adds(&s->out, s->prefix);
    hk_buf_adds(&s->out, "{\"role\":\"assistant\",\"content\":\"\"}");
    chunk_end(s);
}

static void nothing(struct stream *s)
{
    (void)s;
}

static void text_delta(struct stream *s, const char *text, size_t len)
{
    hk_buf_adds(&s->out, s->prefix);
    hk_buf_adds(&s->out, "{\"content\":");
    replay_json_str(&s->out, text, len);
    hk_buf_addc(&s->out, '}');
    chunk_end(s);
}

static void tool_begin(struct stream *s, const struct tool_call *tc, size_t k)
{
    hk_buf_adds(&s->out, s->prefix);
    hk_buf_printf(&s->out, "{\"tool_calls\":[{\"index\":%zu,\"id\":", k);
    replay_tool_id(&s->out, tc, "call_replay_");
    hk_buf_adds(&s->out, ",\"type\":\"function\",\"function\":{\"name\":");
    replay_json_strz(&s->out, tc->name);
    hk_buf_adds(&s->out, ",\"arguments\":\"\"}}]}");
    chunk_end(s);
}

static void tool_delta(struct stream *s, size_t k, const char *frag, size_t len)
{
    hk_buf_adds(&s->out, s->prefix);
    hk_buf_printf(&s->out, "{\"tool_calls\":[{\"index\":%zu,\"function\":{\"arguments\":", k);
    replay_json_str(&s->out, frag, len);
    hk_buf_adds(&s->out, "}}]}");
    chunk_end(s);
}

static void tool_end(struct stream *s, size_t k)
{
    (void)s;
    (void)k;
}

static void malformed(struct stream *s)
{
    hk_buf_adds(&s->out, s->prefix);
    hk_buf_adds(&s->out, "{\"content\":\"oops\n\n");
}

static void error_object(struct hk_buf *b, const char *type, const char *code, const char *message)
{
    hk_buf_adds(b, "{\"error\":{\"message\":");
    replay_json_strz(b, message);
    hk_buf_adds(b, ",\"type\":");
    replay_json_strz(b, type);
    hk_buf_adds(b, ",\"param\":null,\"code\":");
    if (code)
        replay_json_strz(b, code);
    else
        hk_buf_adds(b, "null");
    hk_buf_adds(b, "}}");
}

static void error(struct stream *s, const char *type, const char *message)
{
    hk_buf_adds(&s->out, "data: ");
    error_object(&s->out, type, NULL, message);
    hk_buf_adds(&s->out, "\n\n");
}

static void usage(struct hk_buf *b, const struct stream *s)
{
    long out = replay_output_tokens(s);
    hk_buf_printf(b, "\"usage\":{\"prompt_tokens\":%ld,\"completion_tokens\":%ld,"
                     "\"total_tokens\":%ld,\"prompt_tokens_details\":{\"cached_tokens\":%ld}}",
                  s->input_tokens, out, s->input_tokens + out, s->usage.cached);
}

static void finish(struct stream *s)
{
    hk_buf_adds(&s->out, s->prefix);
    hk_buf_adds(&s->out, "{},\"finish_reason\":");
    replay_json_strz(&s->out, finish_reason(s));
    hk_buf_adds(&s->out, "}]}\n\n");
    if (s->include_usage) {
        hk_buf_adds(&s->out, "data: ");
        chunk_head(&s->out, s, "chat.completion.chunk");
        hk_buf_adds(&s->out, ",\"choices\":[],");
        usage(&s->out, s);
        hk_buf_adds(&s->out, "}\n\n");
    }
    hk_buf_adds(&s->out, "data: [DONE]\n\n");
}

static void whole_tools(struct hk_buf *b, const struct turn *t)
{
    hk_buf_adds(b, ",\"tool_calls\":[");
    for (size_t i = 0; i < t->ntools; i++) {
        hk_buf_adds(b, i ? ",{\"id\":" : "{\"id\":");
        replay_tool_id(b, &t->tools[i], "call_replay_");
        hk_buf_adds(b, ",\"type\":\"function\",\"function\":{\"name\":");
        replay_json_strz(b, t->tools[i].name);
        hk_buf_adds(b, ",\"arguments\":");
        replay_json_strz(b, t->tools[i].input_json);
        hk_buf_adds(b, "}}");
    }
    hk_buf_addc(b, ']');
}

static void whole(struct stream *s, const char *text, size_t text_len)
{
    struct hk_buf *b = &s->out;
    chunk_head(b, s, "chat.completion");
    hk_buf_adds(b, ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":");
    if (text_len || !s->turn->ntools)
        replay_json_str(b, text, text_len);
    else
        hk_buf_adds(b, "null");
    if (s->turn->ntools)
        whole_tools(b, s->turn);
    hk_buf_adds(b, "},\"finish_reason\":");
    replay_json_strz(b, finish_reason(s));
    hk_buf_adds(b, "}],");
    usage(b, s);
    hk_buf_addc(b, '}');
}

static char *error_body(int status, const char *message)
{
    const char *type = "invalid_request_error", *code = NULL;
    if (status == 401)
        code = "invalid_api_key";
    else if (status == 403)
        type = "permission_error";
    else if (status == 404)
        type = "not_found_error";
    else if (status == 429)
        type = code = "rate_limit_exceeded";
    else if (status >= 500)
        type = "server_error";
    struct hk_buf b = {0};
    error_object(&b, type, code, message);
    return hk_buf_steal(&b);
}

static char *too_long(long tokens, long max)
{
    char *msg = hk_xasprintf("This model's maximum context length is %ld tokens. However, your "
                             "messages resulted in %ld tokens. Please reduce the length of the "
                             "messages.", max, tokens);
    struct hk_buf b = {0};
    hk_buf_adds(&b, "{\"error\":{\"message\":");
    replay_json_strz(&b, msg);
    hk_buf_adds(&b, ",\"type\":\"invalid_request_error\",\"param\":\"messages\","
                    "\"code\":\"context_length_exceeded\"}}");
    free(msg);
    return hk_buf_steal(&b);
}

const struct proto replay_openai = {
    .name = "openai",
    .check = check,
    .init = init,
    .start = start,
    .text_begin = nothing,
    .text_delta = text_delta,
    .text_end = nothing,
    .tool_begin = tool_begin,
    .tool_delta = tool_delta,
    .tool_end = tool_end,
    .malformed = malformed,
    .error = error,
    .finish = finish,
    .whole = whole,
    .error_body = error_body,
    .too_long = too_long,
};
