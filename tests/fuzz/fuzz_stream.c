/* Fuzzes a model's streamed reply as honk parses it (backend/model.c with
 * model_anthropic.c or model_openai.c): the body of a 200 reply goes through the SSE
 * parser into the protocol's event handling and the turn assembly, whole
 * and cut at points taken from the input. Both give the same events, one
 * final event, the same turn in the conversation, and the next request
 * built from that conversation is valid JSON.
 * Input: [provider][split count K][K chunk lengths][reply body].
 * model.c is compiled into the harness, which stands in for libcurl: it
 * hands the body to the request's own write path and ends the transfer as
 * on_transfer_done does for a reply that arrived whole. */
#include "fuzz.h"

#include "model.c"

struct record {
    struct hk_buf log;
    int finals;
};

static void on_model_event(const struct hk_model_event *ev, void *user)
{
    struct record *r = user;
    hk_buf_printf(&r->log, "%d|", (int)ev->kind);
    if (ev->kind == HK_MODEL_TEXT) {
        FZ_ASSERT(ev->text && ev->len, "an empty text event");
        hk_buf_add(&r->log, ev->text, ev->len);
    } else if (ev->kind == HK_MODEL_TOOL_CALL) {
        FZ_ASSERT(ev->call && ev->call->id && ev->call->name && ev->call->input_json,
                  "a call with a NULL field");
        hk_buf_printf(&r->log, "%s|%s|%s", ev->call->id, ev->call->name, ev->call->input_json);
    } else {
        FZ_ASSERT(ev->kind == HK_MODEL_DONE || ev->kind == HK_MODEL_ERROR, "event kind %d",
                  (int)ev->kind);
        FZ_ASSERT(ev->kind == HK_MODEL_DONE || ev->message, "an error without a sentence");
        hk_buf_printf(&r->log, "%s|%s|%ld|%ld", ev->message ? ev->message : "",
                      ev->stop_reason ? ev->stop_reason : "", ev->input_tokens, ev->output_tokens);
        r->finals++;
    }
    hk_buf_addc(&r->log, '\n');
}

/* What the conversation holds after the turn, as text. */
static void log_conversation(const struct hk_conversation *conv, struct hk_buf *log)
{
    for (size_t i = 0; i < conv->nmsgs; i++) {
        const struct hk_message *m = &conv->msgs[i];
        hk_buf_printf(log, "msg %d %s\n", (int)m->role, m->text ? m->text : "(none)");
        for (size_t k = 0; k < m->ncalls; k++)
            hk_buf_printf(log, "call %s %s %s\n", m->calls[k].id, m->calls[k].name,
                          m->calls[k].input_json);
    }
}

/* The end of a transfer that ended well (on_transfer_done after CURLE_OK),
 * or that the write path stopped (the turn failed). */
static void end_reply(struct hk_model_request *req)
{
    if (req->failure) {
        finish(req, HK_MODEL_ERROR, req->failure);
    } else if (!req->complete) {
        finish(req, HK_MODEL_ERROR, "the model server ended the reply before its end-of-message event");
    } else {
        hk_turn_call_end(req, -1);
        finish(req, HK_MODEL_DONE, NULL);
    }
}

static void parse(enum hk_provider provider, const uint8_t *body, size_t len, const uint8_t *cuts,
                  size_t ncuts, struct record *r)
{
    struct hk_model_settings settings = {.provider = provider, .model = "m",
                                         .base_url = "http://127.0.0.1:1", .max_tokens = 100,
                                         .max_tries = 1};
    struct hk_conversation *conv = hk_conv_new("system");
    hk_conv_add_user_text(conv, "task");
    struct hk_model_request *req = hk_xcalloc(1, sizeof *req);
    req->conv = conv;
    req->settings = &settings;
    req->ops = provider == HK_PROVIDER_OPENAI ? &hk_openai_ops : &hk_anthropic_ops;
    req->cb = on_model_event;
    req->user = r;
    req->attempt = 1;
    reset_attempt_state(req);
    req->status = 200;
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t n = i < ncuts ? cuts[i] : len - at;
        if (n > len - at)
            n = len - at;
        req->began = 1;
        if (hk_sse_feed(req->sse, (const char *)body + at, n) != 0)
            break; /* on_body returns 0: libcurl ends the transfer */
        at += n;
    }
    end_reply(req);
    FZ_ASSERT(r->finals == 1, "%d final events", r->finals);
    log_conversation(conv, &r->log);
    char *next = req->ops->build_body(conv, &settings);
    cJSON *json = cJSON_Parse(next);
    FZ_ASSERT(json, "the next request is not JSON: %.500s", next);
    cJSON_Delete(json);
    free(next);
    hk_model_request_free(req);
    hk_conv_free(conv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int loaded;
    if (!loaded) {
        char *err = NULL;
        /* hk_model_request_free hands NULL lists to libcurl's own free. */
        if (hk_curl_load(&err) != 0) {
            fprintf(stderr, "fuzz_stream needs libcurl: %s\n", err);
            abort();
        }
        loaded = 1;
    }
    if (size < 2)
        return 0;
    enum hk_provider provider = data[0] & 1 ? HK_PROVIDER_OPENAI : HK_PROVIDER_ANTHROPIC;
    size_t ncuts = data[1] % 16;
    if (size < 2 + ncuts)
        return 0;
    const uint8_t *cuts = data + 2, *body = data + 2 + ncuts;
    size_t len = size - 2 - ncuts;
    struct record whole = {0}, chunked = {0};
    parse(provider, body, len, NULL, 0, &whole);
    parse(provider, body, len, cuts, ncuts, &chunked);
    if (whole.log.len != chunked.log.len || memcmp(whole.log.data, chunked.log.data, whole.log.len))
        fprintf(stderr, "whole:\n%.2000s\nin chunks:\n%.2000s\n", whole.log.data, chunked.log.data);
    FZ_ASSERT(whole.log.len == chunked.log.len &&
                  memcmp(whole.log.data, chunked.log.data, whole.log.len) == 0,
              "the reply parses differently when cut");
    hk_buf_free(&whole.log);
    hk_buf_free(&chunked.log);
    return 0;
}
