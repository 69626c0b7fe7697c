/* The provider-neutral conversation: messages, tool definitions, and the
 * provider names and defaults that settings are resolved against. */
#include "model.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct hk_conversation *hk_conv_new(const char *system)
{
    struct hk_conversation *conv = hk_xcalloc(1, sizeof *conv);
    conv->system = system && *system ? hk_xstrdup(system) : NULL;
    return conv;
}

static void free_message(struct hk_message *m)
{
    free(m->text);
    for (size_t i = 0; i < m->ncalls; i++) {
        free(m->calls[i].id);
        free(m->calls[i].name);
        free(m->calls[i].input_json);
    }
    free(m->calls);
    for (size_t i = 0; i < m->nresults; i++) {
        free(m->results[i].call_id);
        free(m->results[i].content);
    }
    free(m->results);
}

void hk_conv_free(struct hk_conversation *conv)
{
    if (!conv)
        return;
    for (size_t i = 0; i < conv->nmsgs; i++)
        free_message(&conv->msgs[i]);
    free(conv->msgs);
    for (size_t i = 0; i < conv->ntools; i++) {
        free(conv->tools[i].name);
        free(conv->tools[i].description);
        free(conv->tools[i].schema_json);
    }
    free(conv->tools);
    free(conv->system);
    free(conv);
}

void hk_conv_add_tool(struct hk_conversation *conv, const char *name,
                      const char *description, const char *schema_json)
{
    conv->tools = hk_xrealloc(conv->tools, (conv->ntools + 1) * sizeof *conv->tools);
    conv->tools[conv->ntools++] = (struct hk_tool_def){
        hk_xstrdup(name), hk_xstrdup(description ? description : ""),
        hk_xstrdup(schema_json ? schema_json : "{\"type\":\"object\"}"),
    };
}

static struct hk_message *add_message(struct hk_conversation *conv, enum hk_role role)
{
    conv->msgs = hk_xrealloc(conv->msgs, (conv->nmsgs + 1) * sizeof *conv->msgs);
    struct hk_message *m = &conv->msgs[conv->nmsgs++];
    memset(m, 0, sizeof *m);
    m->role = role;
    return m;
}

static struct hk_message *trailing_user(struct hk_conversation *conv)
{
    if (conv->nmsgs && conv->msgs[conv->nmsgs - 1].role == HK_ROLE_USER)
        return &conv->msgs[conv->nmsgs - 1];
    return add_message(conv, HK_ROLE_USER);
}

void hk_conv_add_assistant(struct hk_conversation *conv, char *text, struct hk_tool_call *calls, size_t ncalls)
{
    struct hk_message *m = add_message(conv, HK_ROLE_ASSISTANT);
    m->text = text;
    m->calls = calls;
    m->ncalls = ncalls;
}

void hk_conv_replace_head(struct hk_conversation *conv, size_t n, const char *text)
{
    if (n == 0 || n > conv->nmsgs)
        return;
    for (size_t i = 0; i < n; i++)
        free_message(&conv->msgs[i]);
    memmove(conv->msgs + 1, conv->msgs + n, (conv->nmsgs - n) * sizeof *conv->msgs);
    conv->nmsgs -= n - 1;
    memset(&conv->msgs[0], 0, sizeof conv->msgs[0]);
    conv->msgs[0].role = HK_ROLE_USER;
    conv->msgs[0].text = hk_xstrdup(text);
}

void hk_conv_add_user_text(struct hk_conversation *conv, const char *text)
{
    struct hk_message *m = trailing_user(conv);
    if (!m->text) {
        m->text = hk_xstrdup(text);
        return;
    }
    char *joined = hk_xasprintf("%s\n\n%s", m->text, text);
    free(m->text);
    m->text = joined;
}

void hk_conv_add_tool_result(struct hk_conversation *conv, const char *call_id,
                             const char *content, int is_error)
{
    struct hk_message *m = trailing_user(conv);
    m->results = hk_xrealloc(m->results, (m->nresults + 1) * sizeof *m->results);
    m->results[m->nresults++] = (struct hk_tool_result){
        hk_xstrdup(call_id), hk_xstrdup(content ? content : ""), is_error ? 1 : 0,
    };
}

/* --- providers -------------------------------------------------------- */

struct provider_info {
    const char *name, *key_env, *base_env, *default_base, *default_model;
};

static const struct provider_info providers[] = {
    [HK_PROVIDER_ANTHROPIC] = {"anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
                               "https://api.anthropic.com", "claude-sonnet-4-5"},
    [HK_PROVIDER_OPENAI] = {"openai", "OPENAI_API_KEY", "OPENAI_BASE_URL",
                            "https://api.openai.com/v1", "gpt-5"},
};

const char *hk_provider_name(enum hk_provider p) { return providers[p].name; }
const char *hk_provider_key_env(enum hk_provider p) { return providers[p].key_env; }
const char *hk_provider_base_env(enum hk_provider p) { return providers[p].base_env; }
const char *hk_provider_default_base(enum hk_provider p) { return providers[p].default_base; }
const char *hk_provider_default_model(enum hk_provider p) { return providers[p].default_model; }

int hk_provider_parse(const char *name, enum hk_provider *out)
{
    for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++) {
        if (strcmp(name, providers[i].name) == 0) {
            *out = (enum hk_provider)i;
            return 0;
        }
    }
    return -1;
}

void hk_model_settings_free(struct hk_model_settings *s)
{
    free(s->model);
    free(s->base_url);
    if (s->api_key) {
        /* Leave no copy of the key behind in freed memory. */
        explicit_bzero(s->api_key, strlen(s->api_key));
        free(s->api_key);
    }
    memset(s, 0, sizeof *s);
}
