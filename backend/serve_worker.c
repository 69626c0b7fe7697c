/* Task processes (see serve_worker.h). */
#include "serve_worker.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* A line of --json output past this is cut off (a proposal of a huge file);
 * the state events that matter are small. */
#define MAX_LINE (16u << 20)

struct hk_worker {
    struct hk_loop *loop;
    pid_t pid;
    int out;          /* stdout's read end, -1 at EOF */
    int status;
    int exited;
    int reported;
    struct hk_buf partial;
    const struct hk_worker_ops *ops;
    void *user;
};

static void maybe_report(struct hk_worker *w)
{
    if (w->reported || !w->exited || w->out >= 0)
        return;
    w->reported = 1;
    if (w->partial.len) /* a last line without its newline */
        w->ops->line(w, w->partial.data, w->user);
    hk_buf_clear(&w->partial);
    w->ops->exit(w, w->status, w->user);
}

static void lines_out(struct hk_worker *w)
{
    char *start = w->partial.data, *nl;
    size_t left = w->partial.len;
    while (left && (nl = memchr(start, '\n', left))) {
        *nl = 0;
        w->ops->line(w, start, w->user);
        left -= (size_t)(nl + 1 - start);
        start = nl + 1;
    }
    memmove(w->partial.data, start, left);
    w->partial.len = left;
    if (w->partial.data)
        w->partial.data[left] = 0;
    if (left > MAX_LINE)
        hk_buf_clear(&w->partial);
}

static void on_readable(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)revents;
    struct hk_worker *w = data;
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        hk_buf_add(&w->partial, buf, (size_t)n);
        lines_out(w);
    }
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        hk_loop_unwatch_fd(loop, fd);
        close(fd);
        w->out = -1;
        maybe_report(w);
    }
}

void hk_worker_exited(struct hk_worker *w, int status)
{
    w->status = status;
    w->exited = 1;
    maybe_report(w);
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child(pid_t parent, const char *dir, char *const argv[], char *const envp[], int out, int log)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) /* serve died before the line above */
        _exit(127);
    setpgid(0, 0);
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(log >= 0 ? log : null, 2) < 0 ||
        chdir(dir) != 0)
        _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    if (envp)
        execve(argv[0], argv, envp);
    else
        execv(argv[0], argv);
    _exit(127);
}

struct hk_worker *hk_worker_spawn(struct hk_loop *loop, const char *dir, char *const argv[], const char *log_path,
                                  const struct hk_worker_ops *ops, void *user, char **err)
{
    return hk_worker_spawn_env(loop, dir, argv, NULL, log_path, ops, user, err);
}

struct hk_worker *hk_worker_spawn_env(struct hk_loop *loop, const char *dir, char *const argv[], char *const envp[],
                                      const char *log_path, const struct hk_worker_ops *ops, void *user, char **err)
{
    int p[2];
    if (pipe(p) != 0) {
        *err = hk_xasprintf("cannot make a pipe: %s", strerror(errno));
        return NULL;
    }
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    pid_t parent = getpid();
    int log = log_path ? open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -1;
    pid_t pid = fork();
    if (pid < 0) {
        *err = hk_xasprintf("cannot start a process: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        if (log >= 0)
            close(log);
        return NULL;
    }
    if (pid == 0)
        child(parent, dir, argv, envp, p[1], log);
    close(p[1]);
    if (log >= 0)
        close(log);
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
    struct hk_worker *w = hk_xcalloc(1, sizeof *w);
    *w = (struct hk_worker){.loop = loop, .pid = pid, .out = p[0], .ops = ops, .user = user};
    hk_loop_watch_fd(loop, p[0], POLLIN, on_readable, w);
    return w;
}

pid_t hk_worker_pid(const struct hk_worker *w) { return w->pid; }

void hk_worker_signal(struct hk_worker *w, int signo)
{
    if (!w->exited)
        kill(w->pid, signo);
}

void hk_worker_free(struct hk_worker *w)
{
    if (!w)
        return;
    if (w->out >= 0) {
        hk_loop_unwatch_fd(w->loop, w->out);
        close(w->out);
    }
    hk_buf_free(&w->partial);
    free(w);
}
