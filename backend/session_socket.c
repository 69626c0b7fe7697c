/* The socket every live session listens on (man honk-protocol(7)): on the
 * session's loop, a client gets a hello, the journal's events and then the
 * live ones, and gives commands that go through hk_session_command_as like
 * the owner's keys. Nothing here blocks: writes are queued per client and a
 * client that falls too far behind is dropped, so no client slows the
 * session or another client. */
#define _GNU_SOURCE /* accept4 */
#include "session_internal.h"
#include "json.h"
#include "protocol.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct client {
    struct hk_session_socket *sock;
    int fd;
    struct hk_line_reader in;
    struct hk_buf out;
    size_t out_sent;    /* bytes of out already written */
    size_t replay_left; /* bytes of out (from out_sent on) that are the journal replay */
    char *name;
    bool joined, watch;
    char *dead;         /* why it goes (said to it, and in presence), or NULL */
    bool dropped;
    struct client *next;
};

struct hk_session_socket {
    struct hk_session *s;
    struct hk_session_claim claim;
    int listen_fd;
    struct client *clients;
    uint64_t reap_timer;
    struct hk_runner *run;  /* the run whose output goes out, and its number */
    int run_seq;
    long start_seq;         /* the journal's first event written by this process */
};

static void watch_client(struct client *c);

static int joined_count(const struct hk_session_socket *k)
{
    int n = 0;
    for (const struct client *c = k->clients; c; c = c->next)
        n += c->joined && !c->dead;
    return n;
}

int hk_session_socket_clients(const struct hk_session *s)
{
    return s->sock ? joined_count(s->sock) : 0;
}

void hk_session_presence(struct hk_session *s, const char *who, const char *action, bool watch, const char *what)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "who", who);
    cJSON_AddStringToObject(d, "action", action);
    if (watch)
        cJSON_AddTrueToObject(d, "watch");
    cJSON_AddNumberToObject(d, "clients", hk_session_socket_clients(s));
    if (what)
        cJSON_AddStringToObject(d, "what", what);
    hk_session_emit(s, HK_EV_PRESENCE, d, 1);
    if (s->sock && strcmp(action, "decided"))
        hk_session_claim_publish(&s->sock->claim, hk_session_socket_clients(s));
}

/* Where this process took the session up: not journalled (a resume would
 * change what the journal holds), said to each client at that point of its
 * replay, so who was attached to an earlier process
 * (killed, say: nobody said they left) is forgotten there. */
static cJSON *listening(struct hk_session *s)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "who", s->owner);
    cJSON_AddStringToObject(d, "action", "listening");
    cJSON_AddNumberToObject(d, "clients", 0);
    cJSON_AddNumberToObject(d, "pid", (double)getpid());
    return d;
}

/* --- writing ---------------------------------------------------------- */

static void flush_client(struct client *c)
{
    while (c->out_sent < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_sent, c->out.len - c->out_sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            if (!c->dead)
                c->dead = hk_xstrdup("the connection broke");
            c->out_sent = c->out.len;
            break;
        }
        size_t sent = (size_t)n;
        c->replay_left -= sent < c->replay_left ? sent : c->replay_left;
        c->out_sent += sent;
    }
    if (c->out_sent == c->out.len) {
        hk_buf_clear(&c->out);
        c->out_sent = 0;
    } else if (c->out_sent > 1024 * 1024) {
        memmove(c->out.data, c->out.data + c->out_sent, c->out.len - c->out_sent);
        c->out.len -= c->out_sent;
        c->out_sent = 0;
    }
}

static void on_reap(struct hk_loop *loop, void *data);

static void schedule_reap(struct hk_session_socket *k)
{
    if (!k->reap_timer)
        k->reap_timer = hk_loop_add_timer(k->s->loop, 0, on_reap, k);
}

/* Queues text for one client; past the bound the client is dropped (later,
 * from the loop: never while the session is emitting). What is queued goes
 * out when the loop next polls (the socket is watched for writing), so the
 * deltas of one read from the model leave in one write, not one each. */
static void send_text(struct client *c, const char *text, size_t len)
{
    if (c->dead)
        return;
    bool was_empty = c->out_sent == c->out.len;
    hk_buf_add(&c->out, text, len);
    if (c->out.len - c->out_sent - c->replay_left > HK_PROTOCOL_QUEUE_MAX) {
        c->dead = hk_xasprintf("dropped: more than %d MiB of events unread", HK_PROTOCOL_QUEUE_MAX >> 20);
        c->dropped = true;
        schedule_reap(c->sock);
        return;
    }
    if (c->out.len - c->out_sent < 64 * 1024 && !was_empty)
        return; /* watched for writing already */
    if (!was_empty)
        flush_client(c);
    if (c->dead)
        schedule_reap(c->sock);
    else
        watch_client(c);
}

static void send_msg(struct client *c, cJSON *msg)
{
    struct hk_buf b = {0};
    hk_protocol_add(&b, msg);
    cJSON_Delete(msg);
    send_text(c, b.data, b.len);
    hk_buf_free(&b);
}

static void broadcast(struct hk_session_socket *k, const struct hk_buf *line)
{
    for (struct client *c = k->clients; c; c = c->next)
        if (c->joined)
            send_text(c, line->data, line->len);
}

static void add_event(struct hk_buf *b, const struct hk_event *ev, long seq)
{
    cJSON *m = hk_protocol_msg("event");
    if (seq >= 0)
        cJSON_AddNumberToObject(m, "seq", (double)seq);
    cJSON_AddStringToObject(m, "kind", hk_event_name(ev->kind));
    cJSON_AddNumberToObject(m, "time", (double)ev->time_ms);
    cJSON_AddItemToObject(m, "data", ev->data ? cJSON_Duplicate(ev->data, 1) : cJSON_CreateObject());
    hk_protocol_add(b, m);
    cJSON_Delete(m);
}

void hk_session_socket_event(struct hk_session *s, const struct hk_event *ev, long seq)
{
    if (!s->sock || !joined_count(s->sock))
        return;
    struct hk_buf b = {0};
    add_event(&b, ev, seq);
    broadcast(s->sock, &b);
    hk_buf_free(&b);
}

static cJSON *output_msg(struct hk_session_socket *k, struct hk_runner *r)
{
    cJSON *m = hk_protocol_msg("output");
    const struct hk_screen *screen = hk_runner_screen(r);
    cJSON_AddNumberToObject(m, "run", k->run_seq);
    cJSON_AddStringToObject(m, "command", hk_runner_command(r));
    cJSON_AddNumberToObject(m, "rows", hk_screen_rows(screen));
    cJSON_AddNumberToObject(m, "cols", hk_screen_cols(screen));
    return m;
}

void hk_session_socket_output(struct hk_runner *r, const char *bytes, size_t len, void *data)
{
    struct hk_session *s = data;
    struct hk_session_socket *k = s->sock;
    if (!k)
        return;
    if (!bytes || r != k->run) { /* a new run (a freed one's address may come back) */
        k->run = r;
        k->run_seq++;
    }
    if (!joined_count(k))
        return;
    cJSON *m = output_msg(k, r);
    struct hk_buf b64 = {0};
    hk_base64_encode(&b64, bytes, len);
    cJSON_AddStringToObject(m, "data", b64.data ? b64.data : "");
    hk_buf_free(&b64);
    struct hk_buf b = {0};
    hk_protocol_add(&b, m);
    cJSON_Delete(m);
    broadcast(k, &b);
    hk_buf_free(&b);
}

/* --- a client's messages ------------------------------------------------ */

struct replay_to {
    struct client *c;
    long from, seq;
    struct hk_buf b;
};

static void add_listening(struct replay_to *r)
{
    cJSON *d = listening(r->c->sock->s);
    struct hk_event ev = {HK_EV_PRESENCE, hk_wall_ms(), d};
    add_event(&r->b, &ev, -1);
    cJSON_Delete(d);
}

static void replay_event(const struct hk_event *ev, void *user)
{
    struct replay_to *r = user;
    if (r->seq == r->c->sock->start_seq && r->seq >= r->from)
        add_listening(r);
    if (r->seq >= r->from)
        add_event(&r->b, ev, r->seq);
    r->seq++;
}

/* The journal from the offset the client named, then what runs now. */
static void replay(struct client *c, long from)
{
    struct hk_session *s = c->sock->s;
    hk_session_flush_text(s); /* the journal holds every word streamed so far */
    struct replay_to r = {.c = c, .from = from};
    char *path = hk_journal_path(hk_repo_gitdir(s->repo), s->task->id), *err = NULL;
    hk_journal_read(path, replay_event, &r, &err);
    free(path);
    free(err);
    if (r.seq <= c->sock->start_seq && r.seq >= r.from)
        add_listening(&r); /* nothing journalled since this process began */
    struct hk_runner *run = c->sock->run;
    if (run && run == s->runner && hk_runner_state(run) == HK_RUNNER_RUNNING) {
        cJSON *m = output_msg(c->sock, run);
        char *text = hk_runner_text(run, 0);
        cJSON_AddStringToObject(m, "text", text);
        free(text);
        hk_protocol_add(&r.b, m);
        cJSON_Delete(m);
    }
    c->replay_left += r.b.len;
    send_text(c, r.b.data ? r.b.data : "", r.b.len);
    hk_buf_free(&r.b);
}

static char *clean_name(const char *given)
{
    struct hk_buf b = {0};
    for (const char *p = given ? given : ""; *p && b.len < HK_PROTOCOL_NAME_MAX; p++)
        if ((unsigned char)*p > ' ' && *p != 0x7f)
            hk_buf_addc(&b, *p);
    if (!b.len)
        hk_buf_adds(&b, "someone");
    return hk_buf_steal(&b);
}

static void on_join(struct client *c, const cJSON *msg, const cJSON *id)
{
    if (c->joined) {
        send_msg(c, hk_protocol_reply(id, "Already joined."));
        return;
    }
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(msg, "from");
    if (from && (!cJSON_IsNumber(from) || from->valuedouble < 0)) {
        send_msg(c, hk_protocol_reply(id, "\"from\" is the number of journal events to skip, from 0."));
        return;
    }
    c->name = clean_name(hk_json_str(msg, "name"));
    c->watch = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "watch"));
    /* The journal up to now, then live: the first live event is its own joining. */
    replay(c, from ? (long)from->valuedouble : 0);
    c->joined = true;
    hk_session_presence(c->sock->s, c->name, "joined", c->watch, NULL);
    send_msg(c, hk_protocol_reply(id, NULL));
}

static void on_command(struct client *c, const cJSON *msg, const cJSON *id)
{
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(msg, "command");
    if (c->watch) {
        send_msg(c, hk_protocol_reply(id, "Not done: this client only watches (honk attach --watch)."));
        return;
    }
    char *err = NULL;
    if (!cJSON_IsObject(cmd))
        err = hk_xstrdup("A command message carries the command as an object: {\"type\": \"command\", \"id\": 1, "
                         "\"command\": {\"command\": \"send\", \"text\": \"...\"}}.");
    else
        hk_session_command_as(c->sock->s, cmd, c->name, &err);
    send_msg(c, hk_protocol_reply(id, err));
    free(err);
}

static int on_line(char *line, size_t len, void *data)
{
    struct client *c = data;
    if (c->dead)
        return 1;
    if (!len)
        return 0;
    cJSON *msg = cJSON_ParseWithLength(line, len);
    const char *type = hk_json_str(msg, "type");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
    if (!cJSON_IsObject(msg) || !type) {
        cJSON *e = hk_protocol_msg("error");
        cJSON_AddStringToObject(e, "error", msg ? "A message is a JSON object with a \"type\"; nothing was done."
                                                : "That line is not JSON; nothing was done.");
        send_msg(c, e);
    } else if (!strcmp(type, "join")) {
        on_join(c, msg, id);
    } else if (!strcmp(type, "leave")) {
        c->dead = hk_xstrdup("left");
        schedule_reap(c->sock);
    } else if (!c->joined) {
        send_msg(c, hk_protocol_reply(id, "Say who you are first: {\"type\": \"join\", \"name\": \"...\"}."));
    } else if (!strcmp(type, "ping")) {
        send_msg(c, hk_protocol_reply(id, NULL));
    } else if (!strcmp(type, "command")) {
        on_command(c, msg, id);
    } else {
        char *why = hk_xasprintf("There is no message type \"%s\"; the types are join, command, ping and leave.", type);
        cJSON *e = id ? hk_protocol_reply(id, why) : hk_protocol_msg("error");
        if (!id)
            cJSON_AddStringToObject(e, "error", why);
        send_msg(c, e);
        free(why);
    }
    cJSON_Delete(msg);
    return c->dead != NULL;
}

static void on_client(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)loop;
    (void)fd;
    struct client *c = data;
    if (revents & POLLOUT)
        flush_client(c);
    if (!c->dead && (revents & (POLLIN | POLLHUP | POLLERR))) {
        enum hk_read_result r = hk_line_read(&c->in, c->fd, on_line, c);
        if (r == HK_READ_TOO_LONG && !c->dead)
            c->dead = hk_xasprintf("a line over %d MiB", HK_PROTOCOL_LINE_MAX >> 20);
        else if ((r == HK_READ_EOF || r == HK_READ_ERROR) && !c->dead)
            c->dead = hk_xstrdup(r == HK_READ_EOF ? "left" : "the connection broke");
    }
    if (c->dead)
        schedule_reap(c->sock);
    else
        watch_client(c);
}

static void watch_client(struct client *c)
{
    short events = POLLIN | (c->out_sent < c->out.len ? POLLOUT : 0);
    hk_loop_watch_fd(c->sock->s->loop, c->fd, events, on_client, c);
}

/* Says goodbye (best effort: it may not read) and frees the client. */
static void close_client(struct client *c, const char *why)
{
    if (why) {
        cJSON *bye = hk_protocol_msg("bye");
        cJSON_AddStringToObject(bye, "reason", why);
        struct hk_buf b = {0};
        hk_protocol_add(&b, bye);
        cJSON_Delete(bye);
        if (send(c->fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
            (void)0; /* it is going either way */
        hk_buf_free(&b);
    }
    hk_loop_unwatch_fd(c->sock->s->loop, c->fd);
    close(c->fd);
    hk_line_reader_free(&c->in);
    hk_buf_free(&c->out);
    free(c->name);
    free(c->dead);
    free(c);
}

static void on_reap(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_session_socket *k = data;
    k->reap_timer = 0;
    for (struct client **p = &k->clients; *p;) {
        struct client *c = *p;
        if (!c->dead) {
            p = &c->next;
            continue;
        }
        *p = c->next;
        bool told = c->joined;
        char *name = c->name ? hk_xstrdup(c->name) : NULL;
        bool watch = c->watch, dropped = c->dropped;
        close_client(c, strcmp(c->dead, "left") ? c->dead : NULL);
        if (told)
            hk_session_presence(k->s, name, dropped ? "dropped" : "left", watch, NULL);
        free(name);
    }
}

static cJSON *hello(struct hk_session *s)
{
    cJSON *m = hk_protocol_msg("hello");
    cJSON_AddNumberToObject(m, "protocol", HK_PROTOCOL_VERSION);
    cJSON_AddStringToObject(m, "session", s->task->id);
    cJSON_AddStringToObject(m, "state", hk_session_state_name(s->state));
    cJSON *waiting = hk_session_waiting(s);
    cJSON_AddItemToObject(m, "waiting", waiting ? waiting : cJSON_CreateNull());
    const char *what = hk_session_waiting_for(s);
    cJSON_AddItemToObject(m, "waiting_for", what ? cJSON_CreateString(what) : cJSON_CreateNull());
    cJSON *clients = cJSON_AddArrayToObject(m, "clients");
    for (struct client *c = s->sock->clients; c; c = c->next) {
        if (!c->joined || c->dead)
            continue;
        cJSON *one = cJSON_CreateObject();
        cJSON_AddStringToObject(one, "name", c->name);
        cJSON_AddBoolToObject(one, "watch", c->watch);
        cJSON_AddItemToArray(clients, one);
    }
    cJSON_AddStringToObject(m, "owner", s->owner);
    cJSON_AddNumberToObject(m, "events", (double)s->journal_events);
    return m;
}

static void on_accept(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)revents;
    struct hk_session_socket *k = data;
    for (int i = 0; i < 16; i++) {
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0)
            return;
        struct client *c = hk_xcalloc(1, sizeof *c);
        c->sock = k;
        c->fd = cfd;
        c->next = k->clients;
        k->clients = c;
        /* Before a byte is read: the socket is 0600, this is the second lock. */
        if (hk_socket_peer_uid(cfd) != geteuid()) {
            c->dead = hk_xstrdup("this session belongs to another user");
            schedule_reap(k);
            continue;
        }
        hk_loop_watch_fd(loop, cfd, POLLIN, on_client, c);
        send_msg(c, hello(k->s));
    }
}

int hk_session_socket_open(struct hk_session *s, char **err)
{
    struct hk_session_socket *k = hk_xcalloc(1, sizeof *k);
    k->s = s;
    k->listen_fd = -1;
    if (hk_session_claim(hk_repo_gitdir(s->repo), s->task->id, &k->claim, err) != 0) {
        free(k);
        return -1;
    }
    k->listen_fd = hk_socket_listen(k->claim.socket_path, err);
    if (k->listen_fd < 0) {
        hk_session_claim_release(&k->claim);
        free(k);
        return -1;
    }
    hk_session_claim_publish(&k->claim, 0);
    hk_loop_watch_fd(s->loop, k->listen_fd, POLLIN, on_accept, k);
    s->sock = k;
    return 0;
}

void hk_session_moved(struct hk_session *s)
{
    if (s->sock)
        hk_session_claim_publish(&s->sock->claim, hk_session_socket_clients(s));
}

void hk_session_socket_listening(struct hk_session *s)
{
    if (!s->sock)
        return;
    s->sock->start_seq = s->journal_events;
}

void hk_session_socket_close(struct hk_session *s)
{
    struct hk_session_socket *k = s->sock;
    if (!k)
        return;
    s->sock = NULL; /* no more events go out while the clients are told */
    while (k->clients) {
        struct client *c = k->clients;
        k->clients = c->next;
        flush_client(c);
        close_client(c, c->dead ? c->dead : "the session's process ended");
    }
    if (k->reap_timer)
        hk_loop_cancel_timer(s->loop, k->reap_timer);
    hk_loop_unwatch_fd(s->loop, k->listen_fd);
    close(k->listen_fd);
    unlink(k->claim.socket_path);
    hk_session_claim_release(&k->claim);
    free(k);
}
