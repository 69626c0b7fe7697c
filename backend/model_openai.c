/* OpenAI-compatible Chat Completions with stream: true, as served by OpenAI,
 * Ollama, llama.cpp's server, vLLM and gateways: the request body, the
 * bearer header, and `data:` chunks turned into a turn. */
#include "json.h"
#include "model_provider.h"
#include "util.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

static void add_message(cJSON *msgs, const char *role, const char *content)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", role);
    cJSON_AddStringToObject(m, "content", content);
    cJSON_AddItemToArray(msgs, m);
}

static void add_user(cJSON *msgs, const struct hk_message *m)
{
    /* Tool results are messages of their own, right after the assistant's calls. */
    for (size_t i = 0; i < m->nresults; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "role", "tool");
        cJSON_AddStringToObject(t, "tool_call_id", m->results[i].call_id);
        if (m->results[i].is_error) {
            char *s = hk_xasprintf("Error: %s", m->results[i].content);
            cJSON_AddStringToObject(t, "content", s);
            free(s);
        } else {
            cJSON_AddStringToObject(t, "content", m->results[i].content);
        }
        cJSON_AddItemToArray(msgs, t);
    }
    if (m->text && (*m->text || !m->nresults))
        add_message(msgs, "user", m->text);
}

static void add_assistant(cJSON *msgs, const struct hk_message *m)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "role", "assistant");
    if (m->text)
        cJSON_AddStringToObject(a, "content", m->text);
    else
        cJSON_AddNullToObject(a, "content");
    if (m->ncalls) {
        cJSON *calls = cJSON_AddArrayToObject(a, "tool_calls");
        for (size_t i = 0; i < m->ncalls; i++) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "id", m->calls[i].id);
            cJSON_AddStringToObject(c, "type", "function");
            cJSON *f = cJSON_AddObjectToObject(c, "function");
            cJSON_AddStringToObject(f, "name", m->calls[i].name);
            cJSON_AddStringToObject(f, "arguments", m->calls[i].input_json);
            cJSON_AddItemToArray(calls, c);
        }
    }
    cJSON_AddItemToArray(msgs, a);
}

static void add_tools(cJSON *root, const struct hk_conversation *conv)
{
    if (!conv->ntools)
        return;
    cJSON *tools = cJSON_AddArrayToObject(root, "tools");
    for (size_t i = 0; i < conv->ntools; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "type", "function");
        cJSON *f = cJSON_AddObjectToObject(t, "function");
        cJSON_AddStringToObject(f, "name", conv->tools[i].name);
        cJSON_AddStringToObject(f, "description", conv->tools[i].description);
        cJSON *schema = cJSON_Parse(conv->tools[i].schema_json);
        cJSON_AddItemToObject(f, "parameters", schema ? schema : cJSON_CreateObject());
        cJSON_AddItemToArray(tools, t);
    }
}

static char *build_body(const struct hk_conversation *conv, const struct hk_model_settings *s)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", s->model);
    /* OpenAI's newer models refuse max_tokens; local servers know only it. */
    const char *limit = strstr(s->base_url, "api.openai.com") ? "max_completion_tokens" : "max_tokens";
    cJSON_AddNumberToObject(root, limit, s->max_tokens);
    cJSON_AddBoolToObject(root, "stream", 1);
    cJSON_AddBoolToObject(cJSON_AddObjectToObject(root, "stream_options"), "include_usage", 1);
    /* The tools come before the messages, so that this body up to its last
     * message is a byte prefix of the next turn's: servers cache prefixes. */
    add_tools(root, conv);
    cJSON *msgs = cJSON_AddArrayToObject(root, "messages");
    if (conv->system)
        add_message(msgs, "system", conv->system);
    for (size_t i = 0; i < conv->nmsgs; i++) {
        if (conv->msgs[i].role == HK_ROLE_USER)
            add_user(msgs, &conv->msgs[i]);
        else
            add_assistant(msgs, &conv->msgs[i]);
    }
    char *body = hk_json_print(root);
    cJSON_Delete(root);
    return body;
}

static struct curl_slist *add_headers(struct curl_slist *list, const struct hk_model_settings *s)
{
    if (s->api_key) {
        char *h = hk_xasprintf("Authorization: Bearer %s", s->api_key);
        list = hk_curl.slist_append(list, h);
        explicit_bzero(h, strlen(h));
        free(h);
    }
    return list;
}

static void on_tool_fragments(struct hk_model_request *turn, const cJSON *calls)
{
    int position = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, calls) {
        const cJSON *index = cJSON_GetObjectItemCaseSensitive(c, "index");
        int key = cJSON_IsNumber(index) ? index->valueint : position;
        position++;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
        const cJSON *fn = cJSON_GetObjectItemCaseSensitive(c, "function");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
        hk_turn_call_begin(turn, key, cJSON_IsString(id) ? id->valuestring : NULL,
                           cJSON_IsString(name) ? name->valuestring : NULL);
        if (cJSON_IsString(args))
            hk_turn_call_args(turn, key, args->valuestring);
    }
}

static void on_choice(struct hk_model_request *turn, const cJSON *choice)
{
    const cJSON *delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(delta, "content");
    if (cJSON_IsString(content))
        hk_turn_text(turn, content->valuestring, strlen(content->valuestring));
    const cJSON *calls = cJSON_GetObjectItemCaseSensitive(delta, "tool_calls");
    if (cJSON_IsArray(calls))
        on_tool_fragments(turn, calls);
    const cJSON *finish = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");
    if (cJSON_IsString(finish)) {
        hk_turn_stop_reason(turn, finish->valuestring);
        hk_turn_call_end(turn, -1);
    }
}

static int dispatch(struct hk_model_request *turn, const cJSON *chunk)
{
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(chunk, "error");
    if (error && !cJSON_IsNull(error))
        return hk_turn_fail_on_error(turn, chunk);
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(chunk, "choices");
    const cJSON *choice;
    cJSON_ArrayForEach(choice, choices) {
        const cJSON *index = cJSON_GetObjectItemCaseSensitive(choice, "index");
        if (!cJSON_IsNumber(index) || index->valueint == 0)
            on_choice(turn, choice);
    }
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(chunk, "usage");
    if (cJSON_IsObject(usage)) {
        /* prompt_tokens counts the cached part too; honk's input is the rest */
        long prompt = hk_json_long(usage, "prompt_tokens", -1);
        long cached = hk_json_long(cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens_details"),
                                   "cached_tokens", 0);
        if (cached < 0 || cached > prompt)
            cached = 0;
        hk_turn_usage(turn, prompt >= 0 ? prompt - cached : -1, hk_json_long(usage, "completion_tokens", -1));
        hk_turn_cache_usage(turn, -1, cached);
    }
    return 0;
}

static int on_text_event(struct hk_model_request *turn, const struct hk_sse_event *ev)
{
    if (ev->data_len != 6 || memcmp(ev->data, "[DONE]", 6) != 0)
        return 0;
    hk_turn_call_end(turn, -1);
    hk_turn_complete(turn);
    return 1;
}

const struct hk_provider_ops hk_openai_ops = {
    .path = "/chat/completions",
    .build_body = build_body,
    .add_headers = add_headers,
    .on_text_event = on_text_event,
    .on_json_event = dispatch,
};
