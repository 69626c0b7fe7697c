/* honk serve's HTTP intake: libmicrohttpd in its external-loop epoll mode,
 * so MHD's one epoll descriptor is an ordinary watch on honk's loop and its
 * timeout an ordinary timer: no thread, and an idle server does nothing.
 * Bodies are bounded; every request is answered at once (the handler never
 * waits) and logged as one line. */
#ifndef HK_SERVE_HTTP_H
#define HK_SERVE_HTTP_H

#include "loop.h"

#include <stddef.h>
#include <sys/socket.h>

/* The largest request body honk serve reads: Slack's slash commands and
 * events are a few KiB, a task for the JSON API a page or two. */
#define HK_SERVE_MAX_BODY (64u * 1024)

struct hk_http_request {
    const char *method;
    const char *url;
    const char *body; /* NUL-terminated, len bytes */
    size_t len;
    const char *peer; /* the client's address, for the log */
    void *conn;
};

struct hk_http_reply {
    int status;
    char *body;       /* malloc'd, taken over */
    const char *type; /* content type; default application/json */
    char *note;       /* what the log line adds (never a secret), malloc'd */
};

/* A request header (case-insensitive), or NULL. */
const char *hk_http_header(const struct hk_http_request *r, const char *name);

typedef void (*hk_http_handler)(const struct hk_http_request *req, struct hk_http_reply *out, void *user);

struct hk_http;

/* Listens on addr (an IPv4 or IPv6 socket address; port 0 picks one).
 * NULL with *err. libmicrohttpd must be loaded (hk_serve_libs_load). */
struct hk_http *hk_http_start(struct hk_loop *loop, const struct sockaddr *addr, hk_http_handler handler,
                              void *user, char **err);
unsigned hk_http_port(const struct hk_http *h);
/* Requests after this get 503 with a sentence (serve is stopping). */
void hk_http_refuse_new(struct hk_http *h, const char *why);
void hk_http_stop(struct hk_http *h);

#endif
