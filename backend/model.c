/* One streamed request to a coding model: the HTTP transfer on the event
 * loop, the SSE stream handed to the protocol's parser, retries with backoff
 * before the reply begins, the idle timeout, cancel, and the assistant turn
 * assembled from the protocol's pieces. */
#include "model.h"
#include "loop.h"
#include "model_provider.h"
#include "util.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define MAX_ERROR_BODY 65536
#define MAX_BACKOFF_MS 30000
#define MAX_RETRY_AFTER_S 120

struct open_call {
    int key;
    char *id;
    char *name;
    struct hk_buf args;
};

struct hk_model_request {
    struct hk_loop *loop;
    struct hk_conversation *conv;
    const struct hk_model_settings *settings;
    const struct hk_provider_ops *ops;
    hk_model_cb cb;
    void *user;

    char *url;
    char *body;
    struct curl_slist *headers;
    CURL *easy;
    struct hk_sse *sse;
    int attempt;
    uint64_t retry_timer;
    uint64_t idle_timer;
    int timed_out;

    long status;
    int began;              /* bytes of a 2xx reply have arrived */
    struct hk_buf error_body;
    char *failure;          /* set by hk_turn_fail */
    int in_curl_callback;
    int cancel_pending;
    int finished;

    /* the assistant turn */
    struct hk_buf text;
    struct open_call *open;
    size_t nopen;
    struct hk_tool_call *calls;
    size_t ncalls;
    char *stop_reason;
    long input_tokens, output_tokens;
    long cache_creation_tokens, cache_read_tokens;
    long too_long;
    int complete;
};

static void start_attempt(struct hk_model_request *req);

/* --- events to the caller ---------------------------------------------- */

static void emit(struct hk_model_request *req, struct hk_model_event ev)
{
    ev.attempt = ev.attempt ? ev.attempt : req->attempt;
    ev.max_tries = req->settings->max_tries;
    ev.input_tokens = req->input_tokens;
    ev.output_tokens = req->output_tokens;
    ev.cache_creation_tokens = req->cache_creation_tokens;
    ev.cache_read_tokens = req->cache_read_tokens;
    ev.too_long = ev.kind == HK_MODEL_ERROR ? req->too_long : -1;
    req->cb(&ev, req->user);
}

/* Moves what has been assembled so far into the conversation. Calls that
 * never finished are dropped: half a tool call cannot be acted on. */
static void commit_turn(struct hk_model_request *req)
{
    if (!req->text.len && !req->ncalls)
        return;
    hk_conv_add_assistant(req->conv, req->text.len ? hk_buf_steal(&req->text) : NULL, req->calls, req->ncalls);
    req->calls = NULL;
    req->ncalls = 0;
}

static void finish(struct hk_model_request *req, enum hk_model_event_kind kind, const char *message)
{
    if (req->finished)
        return;
    req->finished = 1;
    if (req->idle_timer)
        hk_loop_cancel_timer(req->loop, req->idle_timer);
    if (req->retry_timer)
        hk_loop_cancel_timer(req->loop, req->retry_timer);
    req->idle_timer = req->retry_timer = 0;
    if (kind != HK_MODEL_CANCELLED)
        commit_turn(req);
    emit(req, (struct hk_model_event){.kind = kind, .message = message,
                                      .stop_reason = req->stop_reason});
}

/* --- turn assembly (called by the protocol parsers) -------------------- */

void hk_turn_text(struct hk_model_request *turn, const char *text, size_t len)
{
    if (!len)
        return;
    hk_buf_add(&turn->text, text, len);
    emit(turn, (struct hk_model_event){.kind = HK_MODEL_TEXT, .text = text, .len = len});
}

static struct open_call *find_open(struct hk_model_request *turn, int key)
{
    for (size_t i = 0; i < turn->nopen; i++)
        if (turn->open[i].key == key)
            return &turn->open[i];
    return NULL;
}

void hk_turn_call_begin(struct hk_model_request *turn, int key, const char *id, const char *name)
{
    struct open_call *c = find_open(turn, key);
    if (!c) {
        turn->open = hk_xrealloc(turn->open, (turn->nopen + 1) * sizeof *turn->open);
        c = &turn->open[turn->nopen++];
        memset(c, 0, sizeof *c);
        c->key = key;
    }
    if (id && *id && !c->id)
        c->id = hk_xstrdup(id);
    if (name && *name && !c->name)
        c->name = hk_xstrdup(name);
}

void hk_turn_call_args(struct hk_model_request *turn, int key, const char *fragment)
{
    struct open_call *c = find_open(turn, key);
    if (!c) {
        hk_turn_call_begin(turn, key, NULL, NULL);
        c = find_open(turn, key);
    }
    hk_buf_adds(&c->args, fragment);
}

static void close_call(struct hk_model_request *turn, size_t index)
{
    struct open_call c = turn->open[index];
    memmove(&turn->open[index], &turn->open[index + 1], (turn->nopen - index - 1) * sizeof c);
    turn->nopen--;
    turn->calls = hk_xrealloc(turn->calls, (turn->ncalls + 1) * sizeof *turn->calls);
    struct hk_tool_call *call = &turn->calls[turn->ncalls++];
    /* Some local servers send no id; the protocol needs one to pair results. */
    call->id = c.id ? c.id : hk_xasprintf("call_honk_%zu", turn->ncalls);
    call->name = c.name ? c.name : hk_xstrdup("");
    call->input_json = c.args.len ? hk_buf_steal(&c.args) : hk_xstrdup("{}");
    hk_buf_free(&c.args);
    emit(turn, (struct hk_model_event){.kind = HK_MODEL_TOOL_CALL, .call = call});
}

void hk_turn_call_end(struct hk_model_request *turn, int key)
{
    if (key >= 0) {
        for (size_t i = 0; i < turn->nopen; i++) {
            if (turn->open[i].key == key) {
                close_call(turn, i);
                return;
            }
        }
        return;
    }
    while (turn->nopen) {
        size_t lowest = 0;
        for (size_t i = 1; i < turn->nopen; i++)
            if (turn->open[i].key < turn->open[lowest].key)
                lowest = i;
        close_call(turn, lowest);
    }
}

void hk_turn_stop_reason(struct hk_model_request *turn, const char *reason)
{
    if (!reason)
        return;
    free(turn->stop_reason);
    turn->stop_reason = hk_xstrdup(reason);
}

void hk_turn_cache_usage(struct hk_model_request *turn, long creation, long read)
{
    if (creation >= 0)
        turn->cache_creation_tokens = creation;
    if (read >= 0)
        turn->cache_read_tokens = read;
}

void hk_turn_usage(struct hk_model_request *turn, long input_tokens, long output_tokens)
{
    if (input_tokens >= 0)
        turn->input_tokens = input_tokens;
    if (output_tokens >= 0)
        turn->output_tokens = output_tokens;
}

void hk_turn_complete(struct hk_model_request *turn)
{
    turn->complete = 1;
}

int hk_turn_fail(struct hk_model_request *turn, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(turn->failure);
    turn->failure = hk_xvasprintf(fmt, ap);
    va_end(ap);
    return -1;
}

char *hk_model_error_text(const char *json)
{
    cJSON *root = cJSON_Parse(json);
    char *out = root ? hk_model_error_from(root) : NULL;
    cJSON_Delete(root);
    return out;
}

int hk_turn_fail_on_error(struct hk_model_request *turn, const cJSON *body)
{
    char *text = hk_model_error_from(body);
    int rc = hk_turn_fail(turn, "the model server reported an error mid-reply: %s", text ? text : "no details");
    free(text);
    return rc;
}

char *hk_model_error_from(const cJSON *root)
{
    char *out = NULL;
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
    if (!err)
        err = root;
    if (cJSON_IsString(err)) {
        out = hk_xstrdup(err->valuestring);
    } else {
        cJSON *type = cJSON_GetObjectItemCaseSensitive(err, "type");
        cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
        if (cJSON_IsString(msg) && cJSON_IsString(type) && *type->valuestring)
            out = hk_xasprintf("%s: %s", type->valuestring, msg->valuestring);
        else if (cJSON_IsString(msg))
            out = hk_xstrdup(msg->valuestring);
    }
    return out;
}

/* --- the transfer ------------------------------------------------------ */

static int on_sse_event(const struct hk_sse_event *ev, void *user)
{
    struct hk_model_request *req = user;
    if (req->ops->on_text_event && req->ops->on_text_event(req, ev))
        return 0;
    cJSON *json = cJSON_ParseWithLength(ev->data, ev->data_len);
    if (!json)
        return hk_turn_fail(req, "the model server sent a malformed event (not JSON): %.80s", ev->data);
    int rc = req->ops->on_json_event(req, json);
    cJSON_Delete(json);
    return rc;
}

static void on_idle_timeout(struct hk_loop *loop, void *data);

static void arm_idle_timer(struct hk_model_request *req)
{
    if (req->idle_timer)
        hk_loop_cancel_timer(req->loop, req->idle_timer);
    req->idle_timer = req->settings->timeout_ms > 0
                          ? hk_loop_add_timer(req->loop, req->settings->timeout_ms, on_idle_timeout, req)
                          : 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *user)
{
    struct hk_model_request *req = user;
    size_t n = size * nmemb;
    if (req->cancel_pending)
        return 0;
    if (!req->status)
        hk_curl.easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &req->status);
    arm_idle_timer(req);
    if (req->status < 200 || req->status >= 300) {
        size_t room = MAX_ERROR_BODY - req->error_body.len;
        hk_buf_add(&req->error_body, ptr, n < room ? n : room);
        return n;
    }
    req->began = 1;
    req->in_curl_callback = 1;
    int rc = hk_sse_feed(req->sse, ptr, n);
    req->in_curl_callback = 0;
    return rc || req->cancel_pending ? 0 : n;
}

static int retryable_status(long status)
{
    return status == 408 || status == 409 || status == 429 || status >= 500;
}

static int retryable_curl_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return 1;
    default:
        return 0;
    }
}

static void on_retry_timer(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_model_request *req = data;
    req->retry_timer = 0;
    start_attempt(req);
}

static long backoff_ms(const struct hk_model_request *req)
{
    long base = req->settings->retry_base_ms > 0 ? req->settings->retry_base_ms : 1000;
    long delay = base;
    for (int i = 1; i < req->attempt && delay < MAX_BACKOFF_MS; i++)
        delay *= 2;
    if (delay > MAX_BACKOFF_MS)
        delay = MAX_BACKOFF_MS;
    return hk_model_jitter_ms(delay);
}

/* splitmix64 on a state seeded once per process (a forked child seeds its
 * own), from the kernel when it can: an unseeded random() gives every honk
 * the same sequence. */
static uint64_t jitter_next(void)
{
    static uint64_t state;
    static pid_t seeded_for;
    pid_t pid = getpid();
    if (seeded_for != pid) {
        if (getrandom(&state, sizeof state, 0) != (ssize_t)sizeof state)
            state = (uint64_t)pid << 32 ^ (uint64_t)hk_wall_ms();
        seeded_for = pid;
    }
    uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Jitter keeps many clients from retrying in lockstep. */
long hk_model_jitter_ms(long delay)
{
    if (delay <= 0)
        return 0;
    return delay / 2 + (long)(jitter_next() % (uint64_t)(delay / 2 + 1));
}

/* Schedules another attempt, or gives up with why when none is left. */
static void retry_or_fail(struct hk_model_request *req, const char *why, long retry_after_s)
{
    if (req->attempt >= req->settings->max_tries) {
        char *msg = req->attempt > 1 ? hk_xasprintf("%s (gave up after %d tries)", why, req->attempt)
                                     : hk_xstrdup(why);
        finish(req, HK_MODEL_ERROR, msg);
        free(msg);
        return;
    }
    if (retry_after_s > MAX_RETRY_AFTER_S) {
        char *msg = hk_xasprintf("%s; the server asks to wait %ld s, longer than honk waits", why,
                                 retry_after_s);
        finish(req, HK_MODEL_ERROR, msg);
        free(msg);
        return;
    }
    long delay = retry_after_s > 0 ? retry_after_s * 1000 : backoff_ms(req);
    char *msg = hk_xasprintf("%s; retrying in %.1f s (try %d of %d)", why, delay / 1000.0,
                             req->attempt + 1, req->settings->max_tries);
    emit(req, (struct hk_model_event){.kind = HK_MODEL_RETRY, .message = msg, .delay_ms = delay,
                                      .attempt = req->attempt + 1});
    free(msg);
    req->retry_timer = hk_loop_add_timer(req->loop, delay, on_retry_timer, req);
}

static char *http_error_sentence(struct hk_model_request *req)
{
    char *detail = req->error_body.len ? hk_model_error_text(req->error_body.data) : NULL;
    char *msg = detail ? hk_xasprintf("the model server answered HTTP %ld: %s", req->status, detail)
                       : hk_xasprintf("the model server answered HTTP %ld", req->status);
    free(detail);
    /* Some gateways and older servers refuse the cache markers outright. */
    if (req->status == 400 && req->settings->cache && req->error_body.len &&
        strstr(req->error_body.data, "cache_control")) {
        char *why = hk_xasprintf("%s (this server refuses prompt-cache markers: set honk.cache=false "
                                 "for it)", msg);
        free(msg);
        msg = why;
    }
    return msg;
}

static void end_transfer(struct hk_model_request *req)
{
    if (req->idle_timer)
        hk_loop_cancel_timer(req->loop, req->idle_timer);
    req->idle_timer = 0;
    hk_curl.easy_cleanup(req->easy);
    req->easy = NULL;
}

static void on_transfer_done(struct hk_loop *loop, CURL *easy, int result, void *data)
{
    CURLcode rc = (CURLcode)result;
    (void)loop;
    (void)easy;
    struct hk_model_request *req = data;
    curl_off_t retry_after = 0;
    if (!req->status)
        hk_curl.easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &req->status);
    hk_curl.easy_getinfo(req->easy, CURLINFO_RETRY_AFTER, &retry_after);
    char curl_error[CURL_ERROR_SIZE + 1];
    snprintf(curl_error, sizeof curl_error, "%s", hk_curl.easy_strerror(rc));
    end_transfer(req);

    if (req->cancel_pending) {
        finish(req, HK_MODEL_CANCELLED, "cancelled");
        return;
    }
    if (req->failure) {
        finish(req, HK_MODEL_ERROR, req->failure);
        return;
    }
    if (req->status && (req->status < 200 || req->status >= 300)) {
        char *msg = http_error_sentence(req);
        if (req->status == 400 || req->status == 413)
            req->too_long = hk_model_too_long(req->error_body.data);
        if (retryable_status(req->status))
            retry_or_fail(req, msg, (long)retry_after);
        else
            finish(req, HK_MODEL_ERROR, msg);
        free(msg);
        return;
    }
    if (rc != CURLE_OK && !req->began) {
        char *msg = hk_xasprintf("cannot reach the model server at %s: %s", req->url, curl_error);
        if (retryable_curl_error(rc))
            retry_or_fail(req, msg, 0);
        else
            finish(req, HK_MODEL_ERROR, msg);
        free(msg);
        return;
    }
    if (rc != CURLE_OK) {
        char *msg = hk_xasprintf("the connection to the model server broke mid-reply: %s", curl_error);
        finish(req, HK_MODEL_ERROR, msg);
        free(msg);
        return;
    }
    if (!req->complete) {
        if (!req->began)
            retry_or_fail(req, "the model server closed the connection without a reply", 0);
        else
            finish(req, HK_MODEL_ERROR, "the model server ended the reply before its end-of-message event");
        return;
    }
    hk_turn_call_end(req, -1);
    finish(req, HK_MODEL_DONE, NULL);
}

static void on_idle_timeout(struct hk_loop *loop, void *data)
{
    struct hk_model_request *req = data;
    req->idle_timer = 0;
    hk_loop_remove_transfer(loop, req->easy);
    end_transfer(req);
    char *msg = hk_xasprintf("the model server sent nothing for %.1f s", req->settings->timeout_ms / 1000.0);
    if (req->began)
        finish(req, HK_MODEL_ERROR, msg);
    else
        retry_or_fail(req, msg, 0);
    free(msg);
}

static void reset_attempt_state(struct hk_model_request *req)
{
    req->status = 0;
    req->began = 0;
    hk_buf_clear(&req->error_body);
    hk_sse_free(req->sse);
    req->sse = hk_sse_new(on_sse_event, req);
}

static void start_attempt(struct hk_model_request *req)
{
    req->attempt++;
    reset_attempt_state(req);
    CURL *e = hk_curl.easy_init();
    req->easy = e;
    hk_curl.easy_setopt(e, CURLOPT_URL, req->url);
    hk_curl.easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
    hk_curl.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(req->body));
    hk_curl.easy_setopt(e, CURLOPT_HTTPHEADER, req->headers);
    hk_curl.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    hk_curl.easy_setopt(e, CURLOPT_WRITEDATA, req);
    hk_curl.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    hk_curl.easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    hk_curl.easy_setopt(e, CURLOPT_USERAGENT, "honk/" HONK_VERSION);
    if (req->settings->timeout_ms > 0)
        hk_curl.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, req->settings->timeout_ms);
    arm_idle_timer(req);
    hk_loop_add_transfer(req->loop, e, on_transfer_done, req);
}

static void on_load_failed(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_model_request *req = data;
    req->retry_timer = 0;
    finish(req, HK_MODEL_ERROR, req->failure);
}

static const struct hk_provider_ops *ops_of(const struct hk_model_settings *s)
{
    return s->provider == HK_PROVIDER_OPENAI ? &hk_openai_ops : &hk_anthropic_ops;
}

size_t hk_model_request_bytes(const struct hk_conversation *conv, const struct hk_model_settings *settings)
{
    char *body = ops_of(settings)->build_body(conv, settings);
    size_t n = strlen(body);
    free(body);
    return n;
}

/* The number after needle in s, or 0. */
static long number_after(const char *s, const char *needle)
{
    const char *p = strstr(s, needle);
    return p ? strtol(p + strlen(needle), NULL, 10) : 0;
}

long hk_model_too_long(const char *body)
{
    if (!body)
        return -1;
    if (strstr(body, "prompt is too long")) {
        const char *gt = strstr(body, "tokens > ");
        return gt ? strtol(gt + 9, NULL, 10) : 0;
    }
    if (strstr(body, "context_length_exceeded"))
        return number_after(body, "maximum context length is ");
    return -1;
}

struct hk_model_request *hk_model_request_start(struct hk_loop *loop, struct hk_conversation *conv,
                                                const struct hk_model_settings *settings,
                                                hk_model_cb cb, void *user)
{
    struct hk_model_request *req = hk_xcalloc(1, sizeof *req);
    req->loop = loop;
    req->conv = conv;
    req->settings = settings;
    req->ops = ops_of(settings);
    req->too_long = -1;
    req->cb = cb;
    req->user = user;
    size_t blen = strlen(settings->base_url);
    while (blen && settings->base_url[blen - 1] == '/')
        blen--;
    req->url = hk_xasprintf("%.*s%s", (int)blen, settings->base_url, req->ops->path);
    if (hk_curl_load(&req->failure) != 0) {
        /* Reported from the loop, as every other outcome is. */
        req->retry_timer = hk_loop_add_timer(loop, 0, on_load_failed, req);
        return req;
    }
    req->body = req->ops->build_body(conv, settings);
    struct curl_slist *h = hk_curl.slist_append(NULL, "Content-Type: application/json");
    h = hk_curl.slist_append(h, "Accept: text/event-stream");
    /* libcurl would otherwise wait a second for "100 Continue" on big bodies. */
    h = hk_curl.slist_append(h, "Expect:");
    req->headers = req->ops->add_headers(h, settings);
    start_attempt(req);
    return req;
}

void hk_model_request_cancel(struct hk_model_request *req)
{
    if (!req || req->finished)
        return;
    req->cancel_pending = 1;
    if (req->in_curl_callback)
        return; /* the write callback returns 0 and the transfer ends */
    if (req->easy) {
        hk_loop_remove_transfer(req->loop, req->easy);
        end_transfer(req);
    }
    finish(req, HK_MODEL_CANCELLED, "cancelled");
}

void hk_model_request_free(struct hk_model_request *req)
{
    if (!req)
        return;
    if (req->easy) {
        hk_loop_remove_transfer(req->loop, req->easy);
        end_transfer(req);
    }
    if (req->retry_timer)
        hk_loop_cancel_timer(req->loop, req->retry_timer);
    if (req->idle_timer)
        hk_loop_cancel_timer(req->loop, req->idle_timer);
    hk_sse_free(req->sse);
    for (size_t i = 0; i < req->nopen; i++) {
        free(req->open[i].id);
        free(req->open[i].name);
        hk_buf_free(&req->open[i].args);
    }
    free(req->open);
    for (size_t i = 0; i < req->ncalls; i++) {
        free(req->calls[i].id);
        free(req->calls[i].name);
        free(req->calls[i].input_json);
    }
    free(req->calls);
    hk_buf_free(&req->text);
    hk_buf_free(&req->error_body);
    free(req->stop_reason);
    free(req->failure);
    free(req->url);
    free(req->body);
    hk_curl.slist_free_all(req->headers);
    free(req);
}
