/* Fuzzes what the session socket reads, on both ends (man honk-protocol(7)).
 * The server: one real session (hk_session_start) whose model is a stand-in
 * on the same loop that answers every request with one proposal, so the
 * session waits for a decision (and, decided, asks again); each input
 * goes to it as one client's bytes, then that client shuts down writing and
 * the session's loop runs until it closes the connection. Every so often a
 * second client joins and pings: the session must still answer. The client:
 * a session ended here is claimed by the harness, which plays its process
 * (a listening socket, the lock held), and a mirror (hk_session_attach, as
 * honk attach opens) reads what that process sent, then sees it close; the
 * mirror must end read-only, and its state, proposals and run screen must be
 * readable. Input: one byte (odd: the client's end, even: the server's),
 * then the bytes that end reads. */
#define _GNU_SOURCE /* strcasestr */
#include "fuzz.h"

#include "config.h"
#include "json.h"
#include "loop.h"
#include "model.h"
#include "patch.h"
#include "protocol.h"
#include "repo.h"
#include "runner.h"
#include "session.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

/* How many loop passes a connection may take to be closed once the client
 * stopped writing (each pass waits at most 10 ms): a bound, not a timing. */
#define FZ_PASSES 500
/* A ping on a second connection every this many inputs. */
#define FZ_PING_EVERY 32
/* A fresh session after this many inputs, so its journal (which every
 * client's joining and leaving grows) stays small. */
#define FZ_RESTART_EVERY 256

static struct hk_loop *loop;
static struct hk_repo *repo;
static struct hk_config *cfg;
static struct hk_model_settings model;
static struct hk_session *session;
static char *sock_path;
static long inputs;
/* The session the harness plays the process of, for the mirror. */
static char *ghost_id;
static struct hk_session_claim ghost_claim;
static int ghost_fd = -1;

/* --- the model: one proposal per request, on the loop ------------------- */

static const char model_reply[] =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":"
    "\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":1,"
    "\"output_tokens\":1}}}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":"
    "\"toolu_1\",\"name\":\"apply_patch\",\"input\":{}}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"{\\\"patch\\\":\\\"--- a/a.txt\\\\n+++ b/a.txt\\\\n@@ -1,2 +1,2 @@\\\\n-one\\\\n"
    "+ONE\\\\n two\\\\n@@ -4 +4 @@\\\\n-four\\\\n+FOUR\\\\n\\\"}\"}}\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":4}}\n\n"
    "event: message_stop\n"
    "data: {\"type\":\"message_stop\"}\n\n";

struct model_conn {
    int fd;
    struct hk_buf in;
};

static void on_model_conn(struct hk_loop *l, int fd, short revents, void *data)
{
    (void)revents;
    struct model_conn *m = data;
    char chunk[4096];
    ssize_t n;
    while ((n = recv(fd, chunk, sizeof chunk, MSG_DONTWAIT)) > 0)
        hk_buf_add(&m->in, chunk, (size_t)n);
    const char *end = m->in.data ? strstr(m->in.data, "\r\n\r\n") : NULL;
    const char *cl = m->in.data ? strcasestr(m->in.data, "content-length:") : NULL;
    size_t want = end && cl ? (size_t)(end + 4 - m->in.data) + strtoul(cl + 15, NULL, 10) : (size_t)-1;
    if (n != 0 && m->in.len < want)
        return; /* the rest of the request is to come */
    if (m->in.len >= want) {
        char *reply = hk_xasprintf("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: %zu\r\n"
                                   "connection: close\r\n\r\n%s", sizeof model_reply - 1, model_reply);
        if (send(fd, reply, strlen(reply), MSG_NOSIGNAL) < 0)
            (void)0; /* the session gave up on it: its error is the session's */
        free(reply);
    }
    hk_loop_unwatch_fd(l, fd);
    close(fd);
    hk_buf_free(&m->in);
    free(m);
}

static void on_model_accept(struct hk_loop *l, int fd, short revents, void *data)
{
    (void)revents, (void)data;
    int c = accept(fd, NULL, NULL);
    if (c < 0)
        return;
    struct model_conn *m = hk_xcalloc(1, sizeof *m);
    m->fd = c;
    hk_loop_watch_fd(l, c, POLLIN, on_model_conn, m);
}

/* Listens on 127.0.0.1 (a free port); returns the base URL. */
static char *model_listen(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    FZ_ASSERT(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 16) == 0 &&
                  getsockname(fd, (struct sockaddr *)&a, &len) == 0,
              "the stand-in model cannot listen: %s", strerror(errno));
    hk_loop_watch_fd(loop, fd, POLLIN, on_model_accept, NULL);
    return hk_xasprintf("http://127.0.0.1:%d", ntohs(a.sin_port));
}

/* --- the session ---------------------------------------------------------- */

static void on_event(const struct hk_event *ev, void *user)
{
    (void)ev, (void)user;
}

static void run_passes(int n, int wait_ms)
{
    for (int i = 0; i < n; i++)
        hk_loop_run_once(loop, wait_ms);
}

static struct hk_session *start_session(void)
{
    struct hk_session_opts opts = {.task = "fuzz the socket", .approve = HK_APPROVE_ASK, .deploy = 0,
                                   .model = &model, .config = cfg, .who = "owner@fuzz"};
    char *err = NULL;
    struct hk_session *s = hk_session_start(loop, repo, NULL, &opts, on_event, NULL, &err);
    FZ_ASSERT(s, "the session did not start: %s", err ? err : "?");
    /* The model's proposal comes: then it waits for a decision. */
    for (int i = 0; i < FZ_PASSES && hk_session_wait(s) == HK_WAIT_NONE; i++)
        hk_loop_run_once(loop, 10);
    FZ_ASSERT(hk_session_wait(s) == HK_WAIT_PROPOSAL, "the session did not wait for the proposal (it is %s)",
              hk_session_state_name(hk_session_state(s)));
    return s;
}

static void open_session(void)
{
    session = start_session();
    struct hk_live live;
    FZ_ASSERT(hk_session_live(hk_repo_gitdir(repo), hk_session_id(session), &live) == 1,
              "a session just started is not live");
    free(sock_path);
    sock_path = hk_xstrdup(live.socket);
    hk_live_free(&live);
}

/* A session whose process is gone (its task and journal stay), claimed by
 * the harness: hk_session_attach then connects to the harness's socket. */
static void open_ghost(void)
{
    struct hk_session *s = start_session();
    ghost_id = hk_xstrdup(hk_session_id(s));
    hk_session_free(s);
    char *err = NULL;
    FZ_ASSERT(hk_session_claim(hk_repo_gitdir(repo), ghost_id, &ghost_claim, &err) == 0, "claim: %s", err);
    ghost_fd = hk_socket_listen(ghost_claim.socket_path, &err);
    FZ_ASSERT(ghost_fd >= 0, "listen: %s", err);
    hk_session_claim_publish(&ghost_claim, 0);
}

static void init(void)
{
    fz_sandbox_init();
    char *home = hk_xasprintf("%s/home", fz_sandbox);
    mkdir(home, 0755);
    setenv("HOME", home, 1);
    free(home);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    unsetenv("XDG_CONFIG_HOME");
    char *cmd = hk_xasprintf("cd '%s' && git init -q -b main && git config user.name Fuzz && "
                             "git config user.email fuzz@example.com && printf 'one\\ntwo\\nthree\\nfour\\n' > a.txt && "
                             "git add -A && git commit -qm one",
                             fz_root);
    FZ_ASSERT(system(cmd) == 0, "git init in %s", fz_root);
    free(cmd);
    signal(SIGPIPE, SIG_IGN);
    char *err = NULL;
    FZ_ASSERT(hk_repo_open(&repo, fz_root, &err) == 0, "repo: %s", err);
    cfg = hk_config_open(fz_root, &err);
    FZ_ASSERT(cfg, "config: %s", err);
    loop = hk_loop_new();
    model = (struct hk_model_settings){.provider = HK_PROVIDER_ANTHROPIC, .model = hk_xstrdup("fuzz-model"),
                                       .base_url = model_listen(),
                                       .api_key = hk_xstrdup("sk-fuzz"), .max_tokens = 100, .max_tries = 1,
                                       .timeout_ms = 10000, .retry_base_ms = 1};
    open_session();
    open_ghost();
}

/* Reads what is there; 1 once the other end has closed. */
static int drain(int fd, struct hk_buf *into)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n > 0) {
            if (into && into->len < (1 << 20))
                hk_buf_add(into, chunk, (size_t)n);
            continue;
        }
        if (n == 0)
            return 1;
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : 1;
    }
}

static int connect_session(void)
{
    char *err = NULL;
    int fd = hk_socket_connect(sock_path, &err);
    FZ_ASSERT(fd >= 0, "the session's socket refused a connection: %s", err);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Writes all of data to fd while the loop runs (the socket's buffer may be
 * smaller than the input, and the session reads only when the loop runs). */
static void feed(int fd, const uint8_t *data, size_t size, int other, struct hk_buf *got)
{
    size_t off = 0;
    for (int pass = 0; off < size; pass++) {
        ssize_t n = send(fd, data + off, size - off, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0)
            off += (size_t)n;
        else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            break; /* the other end closed it (a line over the limit, say) */
        hk_loop_run_once(loop, 0);
        drain(other, got);
        FZ_ASSERT(pass < 100000, "the other end took %zu of %zu bytes and no more", off, size);
    }
}

/* The session answers a join and a ping on a new connection. */
static void check_answers(void)
{
    int fd = connect_session();
    static const char ask[] = "{\"type\":\"join\",\"name\":\"checker\",\"from\":1000000}\n"
                              "{\"type\":\"ping\",\"id\":\"fz-ping\"}\n";
    struct hk_buf got = {0};
    feed(fd, (const uint8_t *)ask, sizeof ask - 1, fd, &got);
    int i = 0;
    for (; i < FZ_PASSES && !(got.data && strstr(got.data, "\"id\":\"fz-ping\"")); i++) {
        hk_loop_run_once(loop, 10);
        drain(fd, &got);
    }
    FZ_ASSERT(i < FZ_PASSES, "no reply to a ping; got: %.300s", got.data ? got.data : "(nothing)");
    FZ_ASSERT(strstr(got.data, "\"type\":\"hello\"") && strstr(got.data, hk_session_id(session)),
              "no hello naming the session: %.300s", got.data);
    hk_buf_free(&got);
    close(fd);
    run_passes(3, 0); /* its leaving */
}

static void fuzz_server(const uint8_t *data, size_t size)
{
    int fd = connect_session();
    feed(fd, data, size, fd, NULL);
    shutdown(fd, SHUT_WR);
    int closed = 0, i = 0;
    for (; i < FZ_PASSES && !closed; i++) {
        hk_loop_run_once(loop, 10);
        closed = drain(fd, NULL);
    }
    close(fd);
    FZ_ASSERT(closed, "the session kept a connection open %d passes after its client stopped writing", i);
    if (++inputs % FZ_PING_EVERY == 0)
        check_answers();
    /* A command may have ended it (cancel): a new one for the next input. */
    if (hk_session_state_terminal(hk_session_state(session)) || inputs % FZ_RESTART_EVERY == 0) {
        hk_session_free(session);
        open_session();
    }
}

/* What a front end reads of a mirror, as the cockpit would draw it. */
static void read_mirror(struct hk_session *m)
{
    FZ_ASSERT(hk_session_state_name(hk_session_state(m)), "a state without a name");
    cJSON *w = hk_session_waiting(m);
    cJSON_Delete(w);
    (void)hk_session_waiting_for(m);
    for (size_t i = 0; i < hk_session_proposal_count(m); i++) {
        char *report = hk_patch_report(hk_session_proposal(m, i));
        free(report);
    }
    struct hk_runner *r = hk_session_runner(m);
    if (r) {
        char *text = hk_runner_text(r, 0);
        free(text);
    }
    char *msg = hk_session_commit_message(m);
    free(msg);
    char *err = NULL;
    FZ_ASSERT(hk_session_command(m, "{\"command\":\"interrupt\"}", &err) < 0 && err,
              "a mirror whose process is gone took a command");
    free(err);
}

static void fuzz_client(const uint8_t *data, size_t size)
{
    struct hk_attach_opts opts = {.name = "mirror@fuzz"};
    char *err = NULL;
    struct hk_session *m = hk_session_attach(loop, repo, ghost_id, &opts, on_event, NULL, &err);
    FZ_ASSERT(m, "no mirror: %s", err ? err : "?");
    int fd = -1;
    for (int i = 0; i < FZ_PASSES && fd < 0; i++) {
        fd = accept(ghost_fd, NULL, NULL);
        if (fd < 0)
            hk_loop_run_once(loop, 1);
    }
    FZ_ASSERT(fd >= 0, "the mirror did not connect");
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    feed(fd, data, size, fd, NULL);
    close(fd); /* the process went */
    int i = 0;
    for (; i < FZ_PASSES && !hk_session_read_only(m); i++)
        hk_loop_run_once(loop, 10);
    FZ_ASSERT(hk_session_read_only(m), "a mirror whose connection closed still takes commands");
    read_mirror(m);
    hk_session_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!loop)
        init();
    /* The first byte picks the end (each costs a connection, the mirror a
     * look at the repository too); the rest is what that end reads. */
    if (!size)
        return 0;
    if (data[0] & 1)
        fuzz_client(data + 1, size - 1);
    else
        fuzz_server(data + 1, size - 1);
    return 0;
}
