/* The Anthropic Messages writer: request checks, SSE events, whole replies
 * and error bodies shaped like api.anthropic.com's. */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

const char *replay_anthropic_error_type(int status)
{
    switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 529: return "overloaded_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
    }
}

static const char *check(const char *(*header)(void *cls, const char *name), void *cls,
                         const cJSON *body, int *status)
{
    *status = 401;
    if (!header(cls, "x-api-key"))
        return "x-api-key header is required";
    *status = 400;
    if (!header(cls, "anthropic-version"))
        return "anthropic-version: header is required";
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(body, "model")))
        return "model: Field required (a string)";
    if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(body, "max_tokens")))
        return "max_tokens: Field required (an integer)";
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(body, "messages")))
        return "messages: Field required (a list)";
    return NULL;
}

static void init(struct stream *s)
{
    (void)s;
}

static void event_head(struct stream *s, const char *name)
{
    hk_buf_adds(&s->out, "event: ");
    hk_buf_adds(&s->out, name);
    hk_buf_adds(&s->out, "\ndata: {\"type\":\"");
    hk_buf_adds(&s->out, name);
    hk_buf_addc(&s->out, '"');
}

static void block_event(struct stream *s, const char *name)
{
    event_head(s, name);
    hk_buf_adds(&s->out, ",\"index\":");
    replay_buf_long(&s->out, s->block);
}

static void start(struct stream *s)
{
    event_head(s, "message_start");
    hk_buf_printf(&s->out, ",\"message\":{\"id\":\"msg_replay_%ld\",\"type\":\"message\","
                           "\"role\":\"assistant\",\"model\":", s->n);
    replay_json_strz(&s->out, s->model);
    hk_buf_printf(&s->out, ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                           "\"usage\":{\"input_tokens\":%ld,\"cache_creation_input_tokens\":%ld,"
                           "\"cache_read_input_tokens\":%ld,\"output_tokens\":1}}}\n\n",
                  s->input_tokens, s->usage.cache_creation, s->usage.cache_read);
    event_head(s, "ping");
    hk_buf_adds(&s->out, "}\n\n");
}

static void text_begin(struct stream *s)
{
    block_event(s, "content_block_start");
    hk_buf_adds(&s->out, ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
}

static void text_delta(struct stream *s, const char *text, size_t len)
{
    block_event(s, "content_block_delta");
    hk_buf_adds(&s->out, ",\"delta\":{\"type\":\"text_delta\",\"text\":");
    replay_json_str(&s->out, text, len);
    hk_buf_adds(&s->out, "}}\n\n");
}

static void block_end(struct stream *s)
{
    block_event(s, "content_block_stop");
    hk_buf_adds(&s->out, "}\n\n");
}

static void tool_begin(struct stream *s, const struct tool_call *tc, size_t k)
{
    (void)k;
    block_event(s, "content_block_start");
    hk_buf_adds(&s->out, ",\"content_block\":{\"type\":\"tool_use\",\"id\":");
    replay_tool_id(&s->out, tc, "toolu_replay_");
    hk_buf_adds(&s->out, ",\"name\":");
    replay_json_strz(&s->out, tc->name);
    hk_buf_adds(&s->out, ",\"input\":{}}}\n\n");
}

static void tool_delta(struct stream *s, size_t k, const char *frag, size_t len)
{
    (void)k;
    block_event(s, "content_block_delta");
    hk_buf_adds(&s->out, ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":");
    replay_json_str(&s->out, frag, len);
    hk_buf_adds(&s->out, "}}\n\n");
}

static void tool_end(struct stream *s, size_t k)
{
    (void)k;
    block_end(s);
}

static void malformed(struct stream *s)
{
    block_event(s, "content_block_delta");
    hk_buf_adds(&s->out, ",\"delta\":{\"type\":\"text_delta\",\"text\":\"oops\n\n");
}

static void error_object(struct hk_buf *b, const char *type, const char *message)
{
    hk_buf_adds(b, "{\"type\":\"error\",\"error\":{\"type\":");
    replay_json_strz(b, type);
    hk_buf_adds(b, ",\"message\":");
    replay_json_strz(b, message);
    hk_buf_adds(b, "}}");
}

static void error(struct stream *s, const char *type, const char *message)
{
    hk_buf_adds(&s->out, "event: error\ndata: ");
    error_object(&s->out, type, message);
    hk_buf_adds(&s->out, "\n\n");
}

static void finish(struct stream *s)
{
    event_head(s, "message_delta");
    hk_buf_adds(&s->out, ",\"delta\":{\"stop_reason\":");
    replay_json_strz(&s->out, replay_stop_reason(s));
    hk_buf_printf(&s->out, ",\"stop_sequence\":null},\"usage\":{\"output_tokens\":%ld}}\n\n",
                  replay_output_tokens(s));
    event_head(s, "message_stop");
    hk_buf_adds(&s->out, "}\n\n");
}

static void whole(struct stream *s, const char *text, size_t text_len)
{
    const struct turn *t = s->turn;
    struct hk_buf *b = &s->out;
    hk_buf_printf(b, "{\"id\":\"msg_replay_%ld\",\"type\":\"message\",\"role\":\"assistant\","
                     "\"model\":", s->n);
    replay_json_strz(b, s->model);
    hk_buf_adds(b, ",\"content\":[");
    if (text_len) {
        hk_buf_adds(b, "{\"type\":\"text\",\"text\":");
        replay_json_str(b, text, text_len);
        hk_buf_adds(b, "}");
    }
    for (size_t i = 0; i < t->ntools; i++) {
        hk_buf_adds(b, i || text_len ? ",{\"type\":\"tool_use\",\"id\":" : "{\"type\":\"tool_use\",\"id\":");
        replay_tool_id(b, &t->tools[i], "toolu_replay_");
        hk_buf_adds(b, ",\"name\":");
        replay_json_strz(b, t->tools[i].name);
        hk_buf_printf(b, ",\"input\":%s}", t->tools[i].input_json);
    }
    hk_buf_adds(b, "],\"stop_reason\":");
    replay_json_strz(b, replay_stop_reason(s));
    hk_buf_printf(b, ",\"stop_sequence\":null,\"usage\":{\"input_tokens\":%ld,"
                     "\"cache_creation_input_tokens\":%ld,\"cache_read_input_tokens\":%ld,"
                     "\"output_tokens\":%ld}}", s->input_tokens, s->usage.cache_creation,
                  s->usage.cache_read, replay_output_tokens(s));
}

static char *error_body(int status, const char *message)
{
    struct hk_buf b = {0};
    error_object(&b, replay_anthropic_error_type(status), message);
    return hk_buf_steal(&b);
}

static char *too_long(long tokens, long max)
{
    char *msg = hk_xasprintf("prompt is too long: %ld tokens > %ld maximum", tokens, max);
    char *b = error_body(400, msg);
    free(msg);
    return b;
}

const struct proto replay_anthropic = {
    .name = "anthropic",
    .check = check,
    .init = init,
    .start = start,
    .text_begin = text_begin,
    .text_delta = text_delta,
    .text_end = block_end,
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
