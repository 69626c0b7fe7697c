/* Anthropic's Messages API with stream: true: the request body, the headers,
 * and the stream of message/content_block events turned into a turn. */
#include "model_provider.h"
#include "json.h"
#include "util.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

static cJSON *parse_or_empty(const char *json)
{
    cJSON *v = cJSON_Parse(json);
    if (!cJSON_IsObject(v)) {
        cJSON_Delete(v);
        v = cJSON_CreateObject();
    }
    return v;
}

static cJSON *text_block(const char *text)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "type", "text");
    cJSON_AddStringToObject(b, "text", text);
    return b;
}

static cJSON *user_content(const struct hk_message *m)
{
    if (!m->nresults)
        return cJSON_CreateString(m->text ? m->text : "");
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < m->nresults; i++) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "type", "tool_result");
        cJSON_AddStringToObject(b, "tool_use_id", m->results[i].call_id);
        cJSON_AddStringToObject(b, "content", m->results[i].content);
        if (m->results[i].is_error)
            cJSON_AddBoolToObject(b, "is_error", 1);
        cJSON_AddItemToArray(a, b);
    }
    if (m->text && *m->text)
        cJSON_AddItemToArray(a, text_block(m->text));
    return a;
}

static cJSON *assistant_content(const struct hk_message *m)
{
    if (!m->ncalls)
        return cJSON_CreateString(m->text ? m->text : "");
    cJSON *a = cJSON_CreateArray();
    if (m->text && *m->text)
        cJSON_AddItemToArray(a, text_block(m->text));
    for (size_t i = 0; i < m->ncalls; i++) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "type", "tool_use");
        cJSON_AddStringToObject(b, "id", m->calls[i].id);
        cJSON_AddStringToObject(b, "name", m->calls[i].name);
        cJSON_AddItemToObject(b, "input", parse_or_empty(m->calls[i].input_json));
        cJSON_AddItemToArray(a, b);
    }
    return a;
}

/* A cache breakpoint on the last block of an array (a tool list, the
 * system blocks, a message's content); a string cannot carry one. */
static int mark_last(cJSON *array)
{
    cJSON *last = cJSON_IsArray(array) ? cJSON_GetArrayItem(array, cJSON_GetArraySize(array) - 1) : NULL;
    if (!cJSON_IsObject(last))
        return 0;
    cJSON_AddStringToObject(cJSON_AddObjectToObject(last, "cache_control"), "type", "ephemeral");
    return 1;
}

static cJSON *add_tools(cJSON *root, const struct hk_conversation *conv)
{
    cJSON *tools = cJSON_AddArrayToObject(root, "tools");
    for (size_t i = 0; i < conv->ntools; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "name", conv->tools[i].name);
        cJSON_AddStringToObject(t, "description", conv->tools[i].description);
        cJSON_AddItemToObject(t, "input_schema", parse_or_empty(conv->tools[i].schema_json));
        cJSON_AddItemToArray(tools, t);
    }
    return tools;
}

/* At most four breakpoints, the API's limit: the tools, the system prompt
 * (both stable for the session), the newest message with blocks (this
 * request's prompt, read back on the next turn) and the user message with
 * blocks before it (the previous request's end, which this one reads). A
 * message of one text is sent as a string, as it always was, and a string
 * cannot be marked: the breakpoint goes on the message before it. */
static void mark_breakpoints(cJSON *tools, cJSON *system, cJSON *msgs)
{
    mark_last(tools);
    mark_last(system);
    int marked = 0;
    for (int i = cJSON_GetArraySize(msgs) - 1; i >= 0 && marked < 2; i--) {
        cJSON *m = cJSON_GetArrayItem(msgs, i);
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        if (marked && !(cJSON_IsString(role) && !strcmp(role->valuestring, "user")))
            continue;
        marked += mark_last(cJSON_GetObjectItemCaseSensitive(m, "content"));
    }
}

static char *build_body(const struct hk_conversation *conv, const struct hk_model_settings *s)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", s->model);
    cJSON_AddNumberToObject(root, "max_tokens", s->max_tokens);
    cJSON_AddBoolToObject(root, "stream", 1);
    cJSON *system = NULL;
    if (conv->system && s->cache) {
        system = cJSON_AddArrayToObject(root, "system");
        cJSON_AddItemToArray(system, text_block(conv->system));
    } else if (conv->system) {
        cJSON_AddStringToObject(root, "system", conv->system);
    }
    cJSON *msgs = cJSON_AddArrayToObject(root, "messages");
    for (size_t i = 0; i < conv->nmsgs; i++) {
        const struct hk_message *m = &conv->msgs[i];
        cJSON *msg = cJSON_CreateObject();
        cJSON_AddStringToObject(msg, "role", m->role == HK_ROLE_USER ? "user" : "assistant");
        cJSON_AddItemToObject(msg, "content", m->role == HK_ROLE_USER ? user_content(m) : assistant_content(m));
        cJSON_AddItemToArray(msgs, msg);
    }
    cJSON *tools = conv->ntools ? add_tools(root, conv) : NULL;
    if (s->cache)
        mark_breakpoints(tools, system, msgs);
    char *body = hk_json_print(root);
    cJSON_Delete(root);
    return body;
}

static struct curl_slist *add_headers(struct curl_slist *list, const struct hk_model_settings *s)
{
    list = hk_curl.slist_append(list, "anthropic-version: 2023-06-01");
    if (s->api_key) {
        char *h = hk_xasprintf("x-api-key: %s", s->api_key);
        list = hk_curl.slist_append(list, h);
        explicit_bzero(h, strlen(h));
        free(h);
    }
    return list;
}

static void on_block_start(struct hk_model_request *turn, const cJSON *ev, int index)
{
    const cJSON *block = cJSON_GetObjectItemCaseSensitive(ev, "content_block");
    const char *type = hk_json_str(block, "type");
    if (type && strcmp(type, "tool_use") == 0) {
        hk_turn_call_begin(turn, index, hk_json_str(block, "id"), hk_json_str(block, "name"));
    } else if (type && strcmp(type, "text") == 0) {
        const char *text = hk_json_str(block, "text");
        if (text)
            hk_turn_text(turn, text, strlen(text));
    }
    /* thinking and other block kinds are not shown */
}

static void on_block_delta(struct hk_model_request *turn, const cJSON *ev, int index)
{
    const cJSON *delta = cJSON_GetObjectItemCaseSensitive(ev, "delta");
    const char *type = hk_json_str(delta, "type");
    if (!type)
        return;
    if (strcmp(type, "text_delta") == 0) {
        const char *text = hk_json_str(delta, "text");
        if (text)
            hk_turn_text(turn, text, strlen(text));
    } else if (strcmp(type, "input_json_delta") == 0) {
        const char *part = hk_json_str(delta, "partial_json");
        if (part)
            hk_turn_call_args(turn, index, part);
    }
}

static void on_usage(struct hk_model_request *turn, const cJSON *usage)
{
    if (!usage)
        return;
    hk_turn_usage(turn, hk_json_long(usage, "input_tokens", -1), hk_json_long(usage, "output_tokens", -1));
    hk_turn_cache_usage(turn, hk_json_long(usage, "cache_creation_input_tokens", -1),
                        hk_json_long(usage, "cache_read_input_tokens", -1));
}

static int dispatch(struct hk_model_request *turn, const cJSON *ev)
{
    const char *type = hk_json_str(ev, "type");
    int index = hk_json_int(ev, "index", -1);
    if (!type)
        return hk_turn_fail(turn, "the model server sent an event without a type");
    if (strcmp(type, "content_block_delta") == 0) {
        on_block_delta(turn, ev, index);
    } else if (strcmp(type, "content_block_start") == 0) {
        on_block_start(turn, ev, index);
    } else if (strcmp(type, "content_block_stop") == 0) {
        hk_turn_call_end(turn, index);
    } else if (strcmp(type, "message_start") == 0) {
        on_usage(turn, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ev, "message"), "usage"));
    } else if (strcmp(type, "message_delta") == 0) {
        hk_turn_stop_reason(turn, hk_json_str(cJSON_GetObjectItemCaseSensitive(ev, "delta"), "stop_reason"));
        on_usage(turn, cJSON_GetObjectItemCaseSensitive(ev, "usage"));
    } else if (strcmp(type, "message_stop") == 0) {
        hk_turn_complete(turn);
    } else if (strcmp(type, "error") == 0) {
        return hk_turn_fail_on_error(turn, ev);
    }
    /* ping and event types added after this was written are skipped */
    return 0;
}

const struct hk_provider_ops hk_anthropic_ops = {
    .path = "/v1/messages",
    .build_body = build_body,
    .add_headers = add_headers,
    .on_json_event = dispatch,
};
