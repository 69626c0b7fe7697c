/* The HTTP side of honk-replay on libmicrohttpd: routing, request checks,
 * handing out scenario turns in order, the request record, and replies. */
#include "replay.h"

#include <ctype.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct replay_server {
    struct MHD_Daemon *daemon;
    const struct scenario *sc;
    struct replay_cache *cache;
    FILE *record;
    pthread_mutex_t lock;
    size_t next_turn;
    long nrequests;
    int port;
};

/* One request while its body arrives. */
struct request {
    struct hk_buf body;
};

static atomic_int quitting;

bool replay_quitting(void)
{
    return atomic_load(&quitting) != 0;
}

bool replay_sleep_ms(long ms)
{
    while (ms > 0 && !replay_quitting()) {
        long slice = ms < 20 ? ms : 20;
        usleep((useconds_t)slice * 1000);
        ms -= slice;
    }
    return !replay_quitting();
}

static const struct proto *route(const char *url)
{
    if (!strcmp(url, "/v1/messages"))
        return &replay_anthropic;
    if (!strcmp(url, "/v1/chat/completions") || !strcmp(url, "/chat/completions"))
        return &replay_openai;
    return NULL;
}

static const char *lookup_header(void *cls, const char *name)
{
    return MHD_lookup_connection_value(cls, MHD_HEADER_KIND, name);
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    cJSON *headers = cls;
    (void)kind;
    char *name = hk_xstrdup(key);
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    bool secret = !strcmp(name, "x-api-key") || !strcmp(name, "authorization");
    if (!cJSON_GetObjectItemCaseSensitive(headers, name))
        cJSON_AddStringToObject(headers, name, secret ? "[redacted]" : value ? value : "");
    free(name);
    return MHD_YES;
}

/* Appends one line describing the request to the record file (under lock). */
/* What the server made of one request, for the record and the reply. */
struct answer {
    long turn;
    int status;
    long tokens;
    bool counted;
    struct usage usage;
};

static void record_usage(cJSON *o, const struct proto *p, const struct answer *a)
{
    if (!a->counted) {
        cJSON_AddNullToObject(o, "usage");
        return;
    }
    cJSON *u = cJSON_AddObjectToObject(o, "usage");
    if (p == &replay_anthropic) {
        cJSON_AddNumberToObject(u, "input_tokens", (double)a->usage.input);
        cJSON_AddNumberToObject(u, "cache_creation_input_tokens", (double)a->usage.cache_creation);
        cJSON_AddNumberToObject(u, "cache_read_input_tokens", (double)a->usage.cache_read);
    } else {
        cJSON_AddNumberToObject(u, "prompt_tokens", (double)a->usage.input);
        cJSON_AddNumberToObject(u, "cached_tokens", (double)a->usage.cached);
    }
}

static void record(struct replay_server *srv, struct MHD_Connection *c, long n, const char *method,
                   const char *url, const struct proto *p, const struct answer *a,
                   const struct request *rq, const cJSON *body)
{
    if (!srv->record)
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "n", (double)n);
    cJSON_AddStringToObject(o, "method", method);
    cJSON_AddStringToObject(o, "path", url);
    cJSON_AddItemToObject(o, "protocol", p ? cJSON_CreateString(p->name) : cJSON_CreateNull());
    cJSON_AddNumberToObject(o, "turn", (double)a->turn);
    cJSON_AddNumberToObject(o, "status", a->status);
    cJSON_AddNumberToObject(o, "tokens", (double)a->tokens);
    record_usage(o, p, a);
    cJSON *headers = cJSON_AddObjectToObject(o, "headers");
    MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, headers);
    cJSON_AddItemToObject(o, "body", body ? cJSON_Duplicate(body, 1)
                                          : cJSON_CreateString(rq->body.data ? rq->body.data : ""));
    char *line = cJSON_PrintUnformatted(o);
    fprintf(srv->record, "%s\n", line);
    fflush(srv->record);
    free(line);
    cJSON_Delete(o);
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, char *body,
                                  long retry_after)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "content-type", "application/json");
    if (status == 405)
        MHD_add_response_header(r, "allow", "POST");
    if (retry_after >= 0) {
        char secs[32];
        snprintf(secs, sizeof secs, "%ld", retry_after);
        MHD_add_response_header(r, "retry-after", secs);
    }
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Checks route, method, JSON and protocol rules; NULL if the request is fine. */
static char *refuse(struct MHD_Connection *c, const char *method, const char *url,
                    const struct proto *p, const cJSON *body, int *status)
{
    if (!p) {
        *status = 404;
        return replay_anthropic.error_body(404, "honk-replay: no such route (POST /v1/messages, "
                                                "/v1/chat/completions or /chat/completions)");
    }
    if (strcmp(method, "POST") != 0) {
        *status = 405;
        char *msg = hk_xasprintf("honk-replay: %s %s: only POST is allowed", method, url);
        char *b = p->error_body(405, msg);
        free(msg);
        return b;
    }
    if (!body) {
        *status = 400;
        return p->error_body(400, "The request body is not valid JSON.");
    }
    const char *why = p->check(lookup_header, c, body, status);
    return why ? p->error_body(*status, why) : NULL;
}

static enum MHD_Result send_turn(struct MHD_Connection *c, const struct proto *p,
                                 const struct turn *t, long n, const cJSON *body,
                                 const struct usage *u)
{
    if (t->stall_ms > 0 && !replay_sleep_ms(t->stall_ms))
        return MHD_NO;
    if (t->status) {
        char *msg = t->message ? hk_xstrdup(t->message)
                               : hk_xasprintf("honk-replay: scripted HTTP %d", t->status);
        char *b = p->error_body(t->status, msg);
        free(msg);
        return send_error(c, t->status, b, t->retry_after);
    }
    const cJSON *so = cJSON_GetObjectItemCaseSensitive(body, "stream_options");
    bool usage = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(so, "include_usage"));
    bool streamed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "stream"));
    const char *model = cJSON_GetObjectItemCaseSensitive(body, "model")->valuestring;
    struct stream *s = replay_stream_new(p, t, model, n, u, usage);
    if (!streamed)
        replay_stream_whole(s);
    struct MHD_Response *r = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 32 * 1024, replay_stream_read, s, replay_stream_free);
    MHD_add_response_header(r, "content-type", streamed ? "text/event-stream; charset=utf-8"
                                                        : "application/json");
    MHD_add_response_header(r, "cache-control", "no-cache");
    char id[48];
    snprintf(id, sizeof id, "req_replay_%ld", n);
    MHD_add_response_header(r, "request-id", id);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* Counts the prompt against the window and the cache, under the lock, for
 * a request that is to be answered; returns a refusal, or NULL. */
static char *count(struct replay_server *srv, const struct proto *p, const struct turn *t,
                   const cJSON *body, const struct request *rq, struct answer *a)
{
    const struct scenario *sc = srv->sc;
    if (sc->context_window && a->tokens > sc->context_window) {
        a->status = 400;
        return p->too_long(a->tokens, sc->context_window);
    }
    if (t->status)
        return NULL;
    int64_t now = hk_now_ms();
    a->usage.input = a->tokens;
    if (p == &replay_openai) {
        replay_cache_openai(srv->cache, &sc->cache, rq->body.data, rq->body.len, now, &a->usage);
    } else {
        char *why = NULL;
        a->status = replay_cache_anthropic(srv->cache, &sc->cache, body, a->tokens, now,
                                           &a->usage, &why);
        if (a->status) {
            char *b = p->error_body(a->status, why);
            free(why);
            return b;
        }
    }
    a->counted = true;
    return NULL;
}

/* GET /v1/models as vLLM answers it: the one model served, with its
 * context window (max_model_len) when the scenario plays one. */
static enum MHD_Result send_models(struct replay_server *srv, struct MHD_Connection *c,
                                   const char *url, const char *method, struct request *rq)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object", "list");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "id", "honk-replay");
    cJSON_AddStringToObject(m, "object", "model");
    cJSON_AddNumberToObject(m, "created", 0);
    cJSON_AddStringToObject(m, "owned_by", "honk-replay");
    if (srv->sc->context_window)
        cJSON_AddNumberToObject(m, "max_model_len", (double)srv->sc->context_window);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "data"), m);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    struct answer a = {.turn = -1, .status = 200};
    pthread_mutex_lock(&srv->lock);
    record(srv, c, ++srv->nrequests, method, url, &replay_openai, &a, rq, NULL);
    pthread_mutex_unlock(&srv->lock);
    return send_error(c, 200, body, -1);
}

static enum MHD_Result handle(struct replay_server *srv, struct MHD_Connection *c,
                              const char *url, const char *method, struct request *rq)
{
    if (!strcmp(method, "GET") && (!strcmp(url, "/v1/models") || !strcmp(url, "/models")))
        return send_models(srv, c, url, method, rq);
    const struct proto *p = route(url);
    cJSON *body = rq->body.len ? cJSON_ParseWithLength(rq->body.data, rq->body.len) : NULL;
    struct answer a = {.turn = -1, .tokens = (long)(rq->body.len / 4)};
    char *refusal = refuse(c, method, url, p, body, &a.status);
    pthread_mutex_lock(&srv->lock);
    long n = ++srv->nrequests;
    bool left = srv->next_turn < srv->sc->nturns;
    const struct turn *t = left ? &srv->sc->turns[srv->next_turn] : replay_default_turn();
    if (!refusal)
        refusal = count(srv, p, t, body, rq, &a);
    if (!refusal) {
        a.status = t->status ? t->status : 200;
        if (left)
            a.turn = (long)srv->next_turn++;
    }
    record(srv, c, n, method, url, p, &a, rq, body);
    pthread_mutex_unlock(&srv->lock);
    enum MHD_Result ret;
    if (refusal)
        ret = send_error(c, a.status, refusal, -1);
    else
        ret = send_turn(c, p, t, n, body, &a.usage);
    cJSON_Delete(body);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct request *rq = *con_cls;
    (void)version;
    if (!rq) {
        *con_cls = hk_xcalloc(1, sizeof *rq);
        return MHD_YES;
    }
    if (*upload_size) {
        hk_buf_add(&rq->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return handle(cls, c, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    struct request *rq = *con_cls;
    (void)cls;
    (void)c;
    (void)code;
    if (!rq)
        return;
    hk_buf_free(&rq->body);
    free(rq);
    *con_cls = NULL;
}

struct replay_server *replay_server_start(const struct server_opts *o, char **err)
{
    struct replay_server *srv = hk_xcalloc(1, sizeof *srv);
    srv->sc = o->sc;
    srv->cache = replay_cache_new();
    pthread_mutex_init(&srv->lock, NULL);
    if (o->record_path && !(srv->record = fopen(o->record_path, "a"))) {
        *err = hk_xasprintf("%s: cannot open the record file", o->record_path);
        goto fail;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD, (uint16_t)o->port, NULL,
        NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(256 * 1024), MHD_OPTION_END);
    if (!srv->daemon) {
        *err = hk_xasprintf("cannot listen on 127.0.0.1:%d", o->port);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : o->port;
    return srv;
fail:
    replay_server_stop(srv);
    return NULL;
}

int replay_server_port(const struct replay_server *srv)
{
    return srv->port;
}

void replay_server_stop(struct replay_server *srv)
{
    if (!srv)
        return;
    atomic_store(&quitting, 1);
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    if (srv->record)
        fclose(srv->record);
    pthread_mutex_destroy(&srv->lock);
    replay_cache_free(srv->cache);
    free(srv);
}
