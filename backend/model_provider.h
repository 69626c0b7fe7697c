/* What a wire protocol (model_anthropic.c, model_openai.c) provides to model.c, and the
 * turn-assembly calls it makes back while parsing a stream. Internal to
 * backend/. */
#ifndef HK_MODEL_PROVIDER_H
#define HK_MODEL_PROVIDER_H

#include "model.h"
#include "model_sse.h"

#include <cJSON.h>
#include "curl_api.h"

struct hk_provider_ops {
    const char *path; /* appended to the base URL */
    char *(*build_body)(const struct hk_conversation *conv, const struct hk_model_settings *s);
    struct curl_slist *(*add_headers)(struct curl_slist *list, const struct hk_model_settings *s);
    /* Takes one event of the stream whose data is not JSON ("[DONE]");
     * returns 1 when it was one the protocol knows. May be NULL. */
    int (*on_text_event)(struct hk_model_request *turn, const struct hk_sse_event *ev);
    /* Takes one event's JSON data; returns 0, or the value of a
     * hk_turn_fail call to stop the stream. */
    int (*on_json_event)(struct hk_model_request *turn, const cJSON *data);
};

extern const struct hk_provider_ops hk_anthropic_ops;
extern const struct hk_provider_ops hk_openai_ops;

/* Turn assembly. A tool call is keyed by the protocol's own index. */
void hk_turn_text(struct hk_model_request *turn, const char *text, size_t len);
void hk_turn_call_begin(struct hk_model_request *turn, int key, const char *id, const char *name);
void hk_turn_call_args(struct hk_model_request *turn, int key, const char *fragment);
/* Finishes one call (key >= 0) or every open call (key < 0), in key order. */
void hk_turn_call_end(struct hk_model_request *turn, int key);
void hk_turn_stop_reason(struct hk_model_request *turn, const char *reason);
/* A negative count leaves that count as it is. */
void hk_turn_usage(struct hk_model_request *turn, long input_tokens, long output_tokens);
/* Tokens written into and read from the prompt cache; negative: unchanged. */
void hk_turn_cache_usage(struct hk_model_request *turn, long creation, long read);
void hk_turn_complete(struct hk_model_request *turn);
int hk_turn_fail(struct hk_model_request *turn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the turn on the error object a server sent mid-reply. */
int hk_turn_fail_on_error(struct hk_model_request *turn, const cJSON *body);

/* "overloaded_error: Overloaded" from the error object both protocols use,
 * given either the whole body or its "error" member; NULL if there is none. */
char *hk_model_error_text(const char *json);
char *hk_model_error_from(const cJSON *body);

#endif
