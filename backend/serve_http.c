/* libmicrohttpd on honk's loop (see serve_http.h). */
#include "serve_http.h"
#include "json.h"
#include "serve_internal.h"
#include "serve_libs.h"
#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hk_http {
    struct hk_loop *loop;
    struct MHD_Daemon *d;
    int epoll_fd;
    uint64_t timer;
    unsigned port;
    hk_http_handler handler;
    void *user;
    char *refusing; /* why new requests are refused, or NULL */
};

/* One request being read. */
struct pending {
    struct hk_buf body;
    size_t dropped; /* bytes past the bound, read and thrown away */
    int64_t start_us;
};

const char *hk_http_header(const struct hk_http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static void peer_of(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "?");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)n);
}

/* The one log line of a request: method, path, status, time to answer. The
 * query string is left out (a token could be in it); the note says the rest. */
static void log_request(const char *peer, const char *method, const char *url, int status, int64_t us,
                        const char *note)
{
    size_t path = strcspn(url, "?");
    hk_serve_log("%s %s %.*s %d %.1f ms%s%s", peer, method, (int)path, url, status, (double)us / 1000.0,
                 note ? ": " : "", note ? note : "");
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct hk_http_reply *rep)
{
    char *body = rep->body ? rep->body : hk_xstrdup("");
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", rep->type ? rep->type : "application/json");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rep->status, r);
    MHD_destroy_response(r);
    return ret;
}

static char *sentence_json(const char *text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", text);
    char *json = hk_json_print(o);
    cJSON_Delete(o);
    return json;
}

static enum MHD_Result answer(struct hk_http *h, struct MHD_Connection *c, const char *url, const char *method,
                              struct pending *p)
{
    char peer[64];
    peer_of(c, peer, sizeof peer);
    struct hk_http_reply rep = {0};
    if (h->refusing) {
        rep.status = 503;
        rep.body = sentence_json(h->refusing);
    } else if (p->dropped) {
        rep.status = 413;
        rep.body = hk_xasprintf("{\"error\": \"The request's body is over %u KiB, the most honk serve reads.\"}",
                                HK_SERVE_MAX_BODY / 1024);
        rep.note = hk_xasprintf("body over %u bytes", HK_SERVE_MAX_BODY);
    } else {
        struct hk_http_request req = {method, url, p->body.data ? p->body.data : "", p->body.len, peer, c};
        h->handler(&req, &rep, h->user);
    }
    log_request(peer, method, url, rep.status, hk_now_us() - p->start_us, rep.note);
    free(rep.note);
    return send_reply(c, &rep);
}

/* A body whose Content-Length says it is too big is refused before it is
 * read; a chunked one is read, thrown away, and refused at its end (or cut
 * off when it goes on and on). */
static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                 const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    struct hk_http *h = cls;
    struct pending *p = *con_cls;
    if (!p) {
        p = hk_xcalloc(1, sizeof *p);
        p->start_us = hk_now_us();
        *con_cls = p;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > HK_SERVE_MAX_BODY) {
            p->dropped = 1;
            return answer(h, c, url, method, p);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!p->dropped && p->body.len + *upload_size <= HK_SERVE_MAX_BODY) {
            hk_buf_add(&p->body, upload, *upload_size);
        } else {
            p->dropped += *upload_size;
            hk_buf_free(&p->body);
        }
        *upload_size = 0;
        return p->dropped > 16 * HK_SERVE_MAX_BODY ? MHD_NO : MHD_YES;
    }
    return answer(h, c, url, method, p);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)c;
    (void)code;
    struct pending *p = *con_cls;
    if (!p)
        return;
    hk_buf_free(&p->body);
    free(p);
    *con_cls = NULL;
}

/* --- on the loop --------------------------------------------------------- */

static void run_mhd(struct hk_http *h);

static void on_timer(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_http *h = data;
    h->timer = 0;
    run_mhd(h);
}

static void on_epoll(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)loop;
    (void)fd;
    (void)revents;
    run_mhd(data);
}

/* MHD does what its epoll set says is ready, then says when it next needs
 * to run without an event (a connection's timeout). */
static void run_mhd(struct hk_http *h)
{
    MHD_run(h->d);
    if (h->timer)
        hk_loop_cancel_timer(h->loop, h->timer);
    h->timer = 0;
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(h->d, &ms) == MHD_YES)
        h->timer = hk_loop_add_timer(h->loop, ms > 60000 ? 60000 : (int64_t)ms, on_timer, h);
}

struct hk_http *hk_http_start(struct hk_loop *loop, const struct sockaddr *addr, hk_http_handler handler,
                              void *user, char **err)
{
    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) != MHD_YES) {
        *err = hk_xstrdup("this libmicrohttpd has no epoll support, which honk serve runs on");
        return NULL;
    }
    struct hk_http *h = hk_xcalloc(1, sizeof *h);
    *h = (struct hk_http){.loop = loop, .handler = handler, .user = user, .epoll_fd = -1};
    unsigned flags = MHD_USE_EPOLL | (addr->sa_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_access, h, MHD_OPTION_SOCK_ADDR, addr,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)256, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
                            MHD_OPTION_END);
    if (!h->d) {
        *err = hk_xstrdup("cannot listen there (is the port in use, or the address not this machine's?)");
        free(h);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
    h->epoll_fd = info ? info->epoll_fd : -1;
    info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : 0;
    if (h->epoll_fd < 0) {
        *err = hk_xstrdup("libmicrohttpd gave no epoll descriptor to watch");
        hk_http_stop(h);
        return NULL;
    }
    hk_loop_watch_fd(loop, h->epoll_fd, POLLIN, on_epoll, h);
    run_mhd(h);
    return h;
}

unsigned hk_http_port(const struct hk_http *h) { return h->port; }

void hk_http_refuse_new(struct hk_http *h, const char *why)
{
    free(h->refusing);
    h->refusing = hk_xstrdup(why);
}

void hk_http_stop(struct hk_http *h)
{
    if (!h)
        return;
    if (h->epoll_fd >= 0)
        hk_loop_unwatch_fd(h->loop, h->epoll_fd);
    if (h->timer)
        hk_loop_cancel_timer(h->loop, h->timer);
    if (h->d)
        MHD_stop_daemon(h->d);
    free(h->refusing);
    free(h);
}
