/* A client's end of the session socket (protocol.h): lines in, parsed;
 * messages out, queued; everything on the loop. */
#include "protocol.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct hk_conn {
    struct hk_loop *loop;
    int fd;
    struct hk_line_reader in;
    struct hk_buf out;
    size_t out_sent;
    hk_conn_line_cb on_line;
    hk_conn_close_cb on_close;
    void *user;
    bool closed;
};

static void watch(struct hk_conn *c);

static void end(struct hk_conn *c, const char *why)
{
    if (c->closed)
        return;
    c->closed = true;
    hk_loop_unwatch_fd(c->loop, c->fd);
    if (c->on_close)
        c->on_close(why, c->user);
}

static void flush(struct hk_conn *c)
{
    while (!c->closed && c->out_sent < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_sent, c->out.len - c->out_sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            end(c, "the connection to the session broke");
            return;
        }
        c->out_sent += (size_t)n;
    }
    hk_buf_clear(&c->out);
    c->out_sent = 0;
}

static int take_line(char *line, size_t len, void *data)
{
    struct hk_conn *c = data;
    if (!len)
        return 0;
    cJSON *msg = cJSON_ParseWithLength(line, len);
    c->on_line(line, msg, c->user);
    cJSON_Delete(msg);
    return c->closed;
}

static void on_ready(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)loop;
    (void)fd;
    struct hk_conn *c = data;
    if (revents & POLLOUT)
        flush(c);
    if (!c->closed && (revents & (POLLIN | POLLHUP | POLLERR))) {
        enum hk_read_result r = hk_line_read(&c->in, c->fd, take_line, c);
        if (r == HK_READ_EOF)
            end(c, "the session closed the connection");
        else if (r == HK_READ_TOO_LONG)
            end(c, "the session sent a line over the limit");
        else if (r == HK_READ_ERROR)
            end(c, "the connection to the session broke");
    }
    if (!c->closed)
        watch(c);
}

static void watch(struct hk_conn *c)
{
    hk_loop_watch_fd(c->loop, c->fd, POLLIN | (c->out_sent < c->out.len ? POLLOUT : 0), on_ready, c);
}

struct hk_conn *hk_conn_open(struct hk_loop *loop, const char *socket_path, hk_conn_line_cb on_line,
                             hk_conn_close_cb on_close, void *user, char **err)
{
    int fd = hk_socket_connect(socket_path, err);
    if (fd < 0)
        return NULL;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct hk_conn *c = hk_xcalloc(1, sizeof *c);
    c->loop = loop;
    c->fd = fd;
    c->on_line = on_line;
    c->on_close = on_close;
    c->user = user;
    watch(c);
    return c;
}

void hk_conn_send(struct hk_conn *c, const cJSON *msg)
{
    if (c->closed)
        return;
    hk_protocol_add(&c->out, msg);
    flush(c);
    if (!c->closed)
        watch(c);
}

size_t hk_conn_pending(const struct hk_conn *c)
{
    return c->out.len - c->out_sent;
}

void hk_conn_free(struct hk_conn *c)
{
    if (!c)
        return;
    if (!c->closed)
        hk_loop_unwatch_fd(c->loop, c->fd);
    close(c->fd);
    hk_line_reader_free(&c->in);
    hk_buf_free(&c->out);
    free(c);
}
