/* A session that publishes itself (honk run --push, honk.push): at each
 * state change its work and journal are recorded as commits (local and
 * fast) and pushed from a short-lived child process, so a slow or hanging
 * remote never holds up the loop; the loop only watches the child's pipe.
 * The child is honk itself, exec'd afresh (`honk __publish REMOTE ID`):
 * it then holds none of the session's descriptors (all close-on-exec), so
 * a killed session's lock is never kept alive by its push, and libgit2
 * starts clean rather than from a forked copy. A failed push is retried
 * with backoff and never fails the session. */
#define _GNU_SOURCE /* pipe2 */
#include "session_internal.h"
#include "loop.h"
#include "repo_publish.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PUSH_TIMEOUT_MS (60 * 1000)  /* a push that takes longer is killed and retried */
#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS (60 * 1000)
#define END_ATTEMPTS 3              /* at the end: tries, all within END_BUDGET_MS */
#define END_BUDGET_MS (30 * 1000)


struct hk_publisher {
    char *remote;
    pid_t pid;          /* the push in flight, or 0 */
    int fd;             /* its pipe: the error sentence, then EOF */
    struct hk_buf said;
    uint64_t timer;     /* the next push (0 ms after a change, or a retry) */
    uint64_t deadline;
    int dirty;          /* something changed since the push in flight began */
    int failures;       /* in a row */
    int pushed;         /* the last push succeeded */
    int killed;         /* the push in flight was killed at its deadline */
    char *error;        /* why the last one failed */
};

static void start_push(struct hk_session *s);

static void on_timer(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_session *s = data;
    s->pub->timer = 0;
    start_push(s);
}

void hk_session_publish_soon(struct hk_session *s)
{
    struct hk_publisher *p = s->pub;
    if (!p || s->replaying)
        return;
    p->dirty = 1;
    if (!p->pid && !p->timer)
        p->timer = hk_loop_add_timer(s->loop, 0, on_timer, s);
}

/* In the child: its stderr is the pipe, where the push says why it failed. */
static void child_push(struct hk_session *s, int fd)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    int null = open("/dev/null", O_RDWR);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0 ||
        chdir(hk_repo_workdir(s->repo)) < 0)
        _exit(126);
    /* The running honk, whatever its name or path (read, not exec'd as
     * /proc/self/exe, which names the interpreter under valgrind). */
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    execl(self, "honk", "__publish", s->pub->remote, s->task->id, (char *)NULL);
    dprintf(STDERR_FILENO, "cannot start honk to push: %s", strerror(errno));
    _exit(127);
}

/* The child's end; status as waitpid gives it, or -1: killed at its deadline. */
static void push_ended(struct hk_session *s, int status)
{
    struct hk_publisher *p = s->pub;
    free(p->error);
    p->error = NULL;
    p->pushed = status == 0;
    if (p->pushed) {
        p->failures = 0;
    } else {
        p->failures++;
        p->dirty = 1;
        if (p->said.len)
            p->error = hk_xstrdup(p->said.data);
        else if (status < 0)
            p->error = hk_xasprintf("the push took longer than %d s", PUSH_TIMEOUT_MS / 1000);
        else
            p->error = hk_xstrdup("the push ended without saying why");
    }
    hk_buf_clear(&p->said);
}

static void reap(struct hk_session *s, int killed)
{
    struct hk_publisher *p = s->pub;
    int status = 0;
    while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {
    }
    close(p->fd);
    p->pid = 0;
    p->fd = -1;
    killed |= p->killed;
    p->killed = 0;
    push_ended(s, killed ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

static int64_t backoff_ms(int failures)
{
    int64_t ms = RETRY_FIRST_MS;
    for (int i = 1; i < failures && ms < RETRY_MAX_MS; i++)
        ms *= 2;
    return ms < RETRY_MAX_MS ? ms : RETRY_MAX_MS;
}

/* Reads what the child says; at EOF the push is over. Returns 1 at EOF. */
static int drain(struct hk_publisher *p)
{
    char chunk[512];
    ssize_t n = read(p->fd, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n > 0 && p->said.len < 4096) {
        hk_buf_add(&p->said, chunk, (size_t)n);
        return 0;
    }
    return n != 0 ? (n < 0) : 1;
}

static void on_child(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)revents;
    struct hk_session *s = data;
    struct hk_publisher *p = s->pub;
    if (!drain(p))
        return;
    hk_loop_unwatch_fd(loop, fd);
    if (p->deadline)
        hk_loop_cancel_timer(loop, p->deadline);
    p->deadline = 0;
    reap(s, 0);
    if (p->dirty)
        p->timer = hk_loop_add_timer(loop, p->failures ? backoff_ms(p->failures) : 0, on_timer, s);
}

static void on_deadline(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_session *s = data;
    s->pub->deadline = 0;
    if (s->pub->pid) {
        s->pub->killed = 1;
        kill(s->pub->pid, SIGKILL); /* EOF follows: on_child reaps it */
    }
}

static char *work_subject(const struct hk_session *s)
{
    const char *t = s->task_text ? s->task_text : "honk task";
    return hk_xstrndup(t, strcspn(t, "\n"));
}

/* Records the state and forks the push; 0, or -1 with p->error. */
static int fork_push(struct hk_session *s)
{
    struct hk_publisher *p = s->pub;
    char *err = NULL, *subject = work_subject(s);
    char *what = hk_xasprintf("%zu proposal%s, %s", s->nproposals, s->nproposals == 1 ? "" : "s",
                              hk_session_state_name(s->state));
    char *journal = hk_journal_path(hk_repo_gitdir(s->repo), s->task->id);
    int fds[2] = {-1, -1}, rc = -1;
    p->dirty = 0;
    hk_session_flush_text(s);
    if (hk_publish_record(s->repo, s->task, journal, subject, what, &err) < 0 || pipe2(fds, O_CLOEXEC) < 0) {
        free(p->error);
        p->error = err ? err : hk_xasprintf("cannot start the push: %s", strerror(errno));
        err = NULL;
        goto out;
    }
    fflush(NULL); /* the child must not write what the parent has buffered */
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child_push(s, fds[1]);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        free(p->error);
        p->error = hk_xasprintf("cannot start the push: %s", strerror(errno));
        goto out;
    }
    p->pid = pid;
    p->fd = fds[0];
    rc = 0;
out:
    free(err);
    free(what);
    free(subject);
    free(journal);
    return rc;
}

static void start_push(struct hk_session *s)
{
    struct hk_publisher *p = s->pub;
    if (p->pid)
        return;
    if (fork_push(s) < 0) {
        p->failures++;
        p->dirty = 1;
        p->timer = hk_loop_add_timer(s->loop, backoff_ms(p->failures), on_timer, s);
        return;
    }
    hk_loop_watch_fd(s->loop, p->fd, POLLIN, on_child, s);
    p->deadline = hk_loop_add_timer(s->loop, PUSH_TIMEOUT_MS, on_deadline, s);
}

/* Off the loop, at the end: waits for the child at most until its deadline. */
static void wait_child(struct hk_session *s, int64_t until_ms)
{
    struct hk_publisher *p = s->pub;
    while (p->pid) {
        int64_t left = until_ms - hk_now_ms();
        struct pollfd pfd = {p->fd, POLLIN, 0};
        int n = left > 0 ? poll(&pfd, 1, (int)left) : 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            kill(p->pid, SIGKILL);
            reap(s, 1);
        } else if (drain(p)) {
            reap(s, 0);
        }
    }
}

int hk_session_publish_open(struct hk_session *s, const struct hk_session_opts *opts, char **err)
{
    char *remote = opts->push ? hk_xstrdup(opts->push) : hk_config_string(s->cfg, "honk.push");
    if (!remote || !*remote) {
        free(remote);
        return 0;
    }
    char *from = hk_publish_fetched_from(s->repo, s->task->id);
    if (from) {
        /* Its refs are another's: the session that ran elsewhere publishes them. */
        free(from);
        free(remote);
        if (opts->push)
            *err = hk_xasprintf("session %s ran on another machine, which publishes it; it is not pushed from here",
                                s->task->id);
        return opts->push ? -1 : 0;
    }
    s->pub = hk_xcalloc(1, sizeof *s->pub);
    s->pub->remote = remote;
    s->pub->fd = -1;
    return 0;
}

static void say(struct hk_session *s, int journal, const char *msg)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "message", msg);
    if (journal) {
        hk_session_emit(s, HK_EV_NOTE, d, 1);
        return;
    }
    struct hk_event ev = {HK_EV_NOTE, hk_wall_ms(), d};
    if (s->cb)
        s->cb(&ev, s->user);
    cJSON_Delete(d);
}

void hk_session_publish_end(struct hk_session *s)
{
    struct hk_publisher *p = s->pub;
    if (!p)
        return;
    if (p->timer)
        hk_loop_cancel_timer(s->loop, p->timer);
    if (p->deadline)
        hk_loop_cancel_timer(s->loop, p->deadline);
    if (p->pid)
        hk_loop_unwatch_fd(s->loop, p->fd);
    p->timer = p->deadline = 0;
    int64_t until = hk_now_ms() + END_BUDGET_MS;
    wait_child(s, until);
    /* The last state is pushed even when an earlier push got it out. */
    for (int i = 0; i < END_ATTEMPTS && (i == 0 || !p->pushed) && hk_now_ms() < until; i++) {
        if (i)
            poll(NULL, 0, (int)backoff_ms(i));
        if (fork_push(s) == 0)
            wait_child(s, until);
        else
            p->pushed = 0;
    }
    const char *id = s->task->id;
    char *msg = p->pushed ? hk_xasprintf("Published to %s: branch honk/%s and journal refs/honk/sessions/%s.",
                                         p->remote, id, id)
                          : hk_xasprintf("The session could not be published to %s (%s); it is kept here as it "
                                         "is, and honk resume %s --push %s tries again.",
                                         p->remote, p->error ? p->error : "unknown error", id, p->remote);
    s->pub = NULL; /* the note below must not start another push */
    say(s, !p->pushed, msg);
    free(msg);
    hk_buf_free(&p->said);
    free(p->error);
    free(p->remote);
    free(p);
}

static void last_state(const struct hk_event *ev, void *user)
{
    char **state = user;
    const char *v = ev->kind == HK_EV_STATE ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev->data, "state")) : NULL;
    if (v) {
        free(*state);
        *state = hk_xstrdup(v);
    }
}

/* A session that ran elsewhere is read-only here: its process, wherever it
 * is, decides. Once it waits for review, what is left (the commit and the
 * land) is the reviewer's, on this machine, from the fetched branch. */
int hk_session_fetched_task(struct hk_session *s, char **err)
{
    const char *id = s->task->id;
    char *from = hk_publish_fetched_from(s->repo, id), *state = NULL, *e = NULL;
    if (!from)
        return 0;
    s->task->squash = 1;
    if (s->task->worktree) {
        free(from);
        return 0;
    }
    char *path = hk_journal_path(hk_repo_gitdir(s->repo), id);
    hk_journal_read(path, last_state, &state, &e);
    int rc = -1;
    if (!state || strcmp(state, hk_session_state_name(HK_STATE_REVIEW)) != 0)
        *err = hk_xasprintf("session %s ran on another machine (fetched from %s) and is %s there; here it can be "
                            "shown (honk show %s), and committed and landed once it waits for review",
                            id, from, state ? state : "unknown", id);
    else
        rc = hk_task_add_worktree(s->repo, s->task, err);
    free(e);
    free(path);
    free(state);
    free(from);
    return rc;
}
