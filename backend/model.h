/* The provider-neutral conversation with a coding model, and one streamed
 * request to it. The wire protocols live in model_anthropic.c and model_openai.c; this
 * module owns retries, timeouts, cancel and the turn being assembled. */
#ifndef HK_MODEL_H
#define HK_MODEL_H

#include <stddef.h>

#include "price.h"

struct hk_loop;

enum hk_provider {
    HK_PROVIDER_ANTHROPIC,
    HK_PROVIDER_OPENAI,
};

enum hk_role {
    HK_ROLE_USER,
    HK_ROLE_ASSISTANT,
};

struct hk_tool_call {
    char *id;
    char *name;
    char *input_json; /* as the model wrote it; "{}" when it sent nothing */
};

struct hk_tool_result {
    char *call_id;
    char *content;
    int is_error;
};

/* A user message carries text and/or tool results; an assistant message
 * carries text and/or tool calls. */
struct hk_message {
    enum hk_role role;
    char *text;
    struct hk_tool_call *calls;
    size_t ncalls;
    struct hk_tool_result *results;
    size_t nresults;
};

struct hk_tool_def {
    char *name;
    char *description;
    char *schema_json; /* JSON Schema of the input object */
};

struct hk_conversation {
    char *system;
    struct hk_message *msgs;
    size_t nmsgs;
    struct hk_tool_def *tools;
    size_t ntools;
};

struct hk_conversation *hk_conv_new(const char *system);
void hk_conv_free(struct hk_conversation *conv);
void hk_conv_add_tool(struct hk_conversation *conv, const char *name,
                      const char *description, const char *schema_json);
void hk_conv_add_user_text(struct hk_conversation *conv, const char *text);
/* Appends an assistant turn, taking text (may be NULL) and calls. */
void hk_conv_add_assistant(struct hk_conversation *conv, char *text, struct hk_tool_call *calls, size_t ncalls);
/* Replaces the first n messages by one user message of text (a summary). */
void hk_conv_replace_head(struct hk_conversation *conv, size_t n, const char *text);
/* Tool results join the trailing user message, or start one. */
void hk_conv_add_tool_result(struct hk_conversation *conv, const char *call_id,
                             const char *content, int is_error);

struct hk_model_settings {
    enum hk_provider provider;
    char *model;
    char *base_url;        /* without the protocol's path */
    char *api_key;         /* NULL for servers that need none */
    int max_tokens;
    int max_tries;         /* attempts in all, before giving up */
    long timeout_ms;       /* silence that counts as a dead connection */
    long retry_base_ms;    /* first backoff delay; doubles per try */
    int cache;             /* prompt-cache markers (Anthropic's cache_control) */
    struct hk_price price; /* of this model's tokens */
    double max_cost;       /* USD a session may spend; 0: no limit */
};

const char *hk_provider_name(enum hk_provider p);
int hk_provider_parse(const char *name, enum hk_provider *out);
const char *hk_provider_key_env(enum hk_provider p);
const char *hk_provider_base_env(enum hk_provider p);
const char *hk_provider_default_base(enum hk_provider p);
const char *hk_provider_default_model(enum hk_provider p);
void hk_model_settings_free(struct hk_model_settings *s);

enum hk_model_event_kind {
    HK_MODEL_TEXT,       /* text, len: a piece of the reply */
    HK_MODEL_TOOL_CALL,  /* call: a complete tool call */
    HK_MODEL_RETRY,      /* message, attempt, max_tries, delay_ms */
    HK_MODEL_DONE,       /* stop_reason, usage; the turn is in the conversation */
    HK_MODEL_ERROR,      /* message; partial text is kept in the conversation */
    HK_MODEL_CANCELLED,
};

struct hk_model_event {
    enum hk_model_event_kind kind;
    const char *text;
    size_t len;
    const struct hk_tool_call *call;
    const char *message;
    const char *stop_reason;
    int attempt;
    int max_tries;
    long delay_ms;
    long input_tokens;     /* read neither from nor into the cache */
    long output_tokens;
    long cache_creation_tokens; /* written into the provider's prompt cache */
    long cache_read_tokens;     /* read from it */
    long too_long;              /* ERROR: the prompt passed the context window of
                                   this many tokens (-1: not this; 0: figure unknown) */
};

/* DONE, ERROR and CANCELLED are final: after one of them the callback may
 * free the request. */
typedef void (*hk_model_cb)(const struct hk_model_event *ev, void *user);

struct hk_model_request;

/* Streams the model's next turn of conv. On success the assistant message is
 * appended to conv, which must outlive the request. */
struct hk_model_request *hk_model_request_start(struct hk_loop *loop, struct hk_conversation *conv,
                                                const struct hk_model_settings *settings,
                                                hk_model_cb cb, void *user);
/* Aborts at any moment; a CANCELLED event follows (from within this call,
 * unless called from inside the request's own callback). */
void hk_model_request_cancel(struct hk_model_request *req);
void hk_model_request_free(struct hk_model_request *req);
/* The size in bytes of the request body conv would be sent as. */
size_t hk_model_request_bytes(const struct hk_conversation *conv, const struct hk_model_settings *settings);
/* Whether an error body is the provider's "prompt too long" refusal
 * (Anthropic's "prompt is too long", OpenAI's context_length_exceeded):
 * -1 if not, else the window it names, or 0. */
long hk_model_too_long(const char *body);
/* A retry's delay: between delay/2 and delay, drawn from a generator seeded
 * once per process, so that two honks do not retry in step. */
long hk_model_jitter_ms(long delay);

#endif
