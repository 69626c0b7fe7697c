/* Runs a shell command in a pty on the event loop: the child gets its own
 * session and process group, its output feeds the screen model, timeouts and
 * cancel take down the whole group, and one SIGCHLD handler per loop reaps. */
#define _GNU_SOURCE
#include "runner.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* After the command exits, how long a leftover process in its group may keep
 * the pty open before it is killed so the run can finish. */
#define LINGER_MS 500
#define READ_CHUNK 16384
/* Reads per wake-up while the command runs, so a flood of output cannot
 * starve the rest of the loop. */
#define READS_PER_WAKE 16

struct hk_runner {
    struct hk_loop *loop;
    char *command;
    pid_t pid;
    int master; /* -1 once closed */
    bool watching, reaped, eof, finished;
    bool no_tty; /* no pty could be had: output comes through a pipe */
    int wait_status;
    struct hk_runner_result result;
    int64_t start_ms, exit_ms, started_at;
    int64_t grace_ms;
    uint64_t timeout_timer, kill_timer, linger_timer, finish_timer;
    struct hk_screen *screen;
    hk_runner_change_cb on_change;
    hk_runner_finished_cb on_finished;
    hk_runner_output_cb on_output;
    bool mirror; /* no process: fed with another process's output (hk_runner_mirror) */
    void *data;
    struct hk_runner *next; /* in the module's list of runners */
};

/* Every runner not yet freed: the SIGCHLD handler reaps from this list. */
static struct hk_runner *runners;

/* Loops our SIGCHLD handler is registered on. Fixed size on purpose: it
 * outlives the loops and must not show up as a leak. */
#define MAX_SIGCHLD_LOOPS 8
static struct hk_loop *sigchld_loops[MAX_SIGCHLD_LOOPS];

static void child_exited(struct hk_runner *r, int status);

/* --- process group ---------------------------------------------------- */

static bool group_alive(pid_t pgid)
{
    return kill(-pgid, 0) == 0 || errno == EPERM;
}

static void signal_group(struct hk_runner *r, int signo)
{
    if (r->pid > 0 && group_alive(r->pid))
        kill(-r->pid, signo);
}

static void on_sigchld(struct hk_loop *loop, int signo, void *data)
{
    (void)signo;
    (void)data;
    for (struct hk_runner *r = runners; r; r = r->next) {
        if (r->loop != loop || r->reaped)
            continue;
        int status;
        if (waitpid(r->pid, &status, WNOHANG) == r->pid)
            child_exited(r, status);
    }
}

static bool sigchld_installed(void)
{
    struct sigaction sa;
    sigaction(SIGCHLD, NULL, &sa);
    return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN;
}

/* Registers the handler once per loop. A freed loop resets SIGCHLD to the
 * default, which is how we notice that the registrations we knew of are
 * gone (a new loop may even reuse an old one's address). */
static void ensure_sigchld(struct hk_loop *loop)
{
    if (!sigchld_installed())
        memset(sigchld_loops, 0, sizeof sigchld_loops);
    for (int i = 0; i < MAX_SIGCHLD_LOOPS; i++)
        if (sigchld_loops[i] == loop)
            return;
    hk_loop_on_signal(loop, SIGCHLD, on_sigchld, NULL);
    for (int i = 0; i < MAX_SIGCHLD_LOOPS; i++) {
        if (!sigchld_loops[i]) {
            sigchld_loops[i] = loop;
            return;
        }
    }
}

/* --- the child -------------------------------------------------------- */

static void set_env_entry(const char *entry)
{
    const char *eq = strchr(entry, '=');
    if (!eq || eq == entry)
        return;
    char *name = strndup(entry, (size_t)(eq - entry));
    if (name)
        setenv(name, eq + 1, 1);
    free(name);
}

static void reset_signals(void)
{
    static const int sigs[] = {SIGPIPE, SIGINT,  SIGQUIT, SIGTERM, SIGHUP,
                               SIGCHLD, SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU};
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
}

static void child_exec(const struct hk_runner_opts *o)
{
    reset_signals();
    if (o->cwd && chdir(o->cwd) != 0) {
        dprintf(2, "honk: cannot enter %s: %s\r\n", o->cwd, strerror(errno));
        _exit(127);
    }
    setenv("TERM", "xterm-256color", 1);
    unsetenv("COLUMNS");
    unsetenv("LINES");
    if (o->ci) {
        setenv("CI", "1", 1);
        setenv("NO_COLOR", "1", 1);
    }
    for (size_t i = 0; o->env && o->env[i]; i++)
        set_env_entry(o->env[i]);
    close_range(3, ~0U, 0);
    execl("/bin/sh", "sh", "-c", o->command, (char *)NULL);
    dprintf(2, "honk: cannot run /bin/sh: %s\r\n", strerror(errno));
    _exit(127);
}

/* --- output ----------------------------------------------------------- */

static void notify_change(struct hk_runner *r)
{
    if (hk_screen_take_dirty(r->screen) && r->on_change)
        r->on_change(r, r->data);
}

static void stop_watching(struct hk_runner *r)
{
    if (r->watching)
        hk_loop_unwatch_fd(r->loop, r->master);
    r->watching = false;
}

/* Reads up to max_reads chunks, or until there is nothing more for now. */
static void read_output(struct hk_runner *r, int max_reads)
{
    char buf[READ_CHUNK];
    for (int i = 0; r->master >= 0 && !r->eof && i < max_reads; i++) {
        ssize_t n = read(r->master, buf, sizeof buf);
        if (n > 0) {
            hk_screen_feed(r->screen, buf, (size_t)n);
            if (r->on_output)
                r->on_output(r, buf, (size_t)n, r->data);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        /* EOF, or EIO: every process has closed the pty. */
        r->eof = true;
        stop_watching(r);
    }
}

static void on_finish_timer(struct hk_loop *loop, void *data);

static void schedule_finish(struct hk_runner *r)
{
    if (!r->finish_timer && !r->finished)
        r->finish_timer = hk_loop_add_timer(r->loop, 0, on_finish_timer, r);
}

static void on_readable(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)loop;
    (void)fd;
    (void)revents;
    struct hk_runner *r = data;
    read_output(r, READS_PER_WAKE);
    notify_change(r);
    if (r->reaped && r->eof)
        schedule_finish(r);
}

static void write_reply(const char *bytes, size_t len, void *data)
{
    struct hk_runner *r = data;
    if (r->master < 0)
        return;
    /* A few bytes of query answers; if the pty is full the program is not
     * reading them anyway. */
    if (write(r->master, bytes, len) < 0)
        return;
}

/* --- ending ----------------------------------------------------------- */

static void cancel_timer(struct hk_runner *r, uint64_t *id)
{
    if (*id)
        hk_loop_cancel_timer(r->loop, *id);
    *id = 0;
}

/* The command exited but something in its group still holds the pty. */
static void on_linger(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_runner *r = data;
    r->linger_timer = 0;
    signal_group(r, SIGKILL);
    read_output(r, READS_PER_WAKE);
    notify_change(r);
    r->eof = true;
    stop_watching(r);
    schedule_finish(r);
}

static void child_exited(struct hk_runner *r, int status)
{
    r->reaped = true;
    r->wait_status = status;
    r->exit_ms = hk_now_ms();
    cancel_timer(r, &r->timeout_timer);
    /* Bounded: a leftover process may still be flooding the pty. The rest
     * comes through on_readable until EIO, or the linger timer ends it. */
    read_output(r, READS_PER_WAKE);
    notify_change(r);
    if (r->eof)
        schedule_finish(r);
    else if (!r->linger_timer)
        r->linger_timer = hk_loop_add_timer(r->loop, LINGER_MS, on_linger, r);
}

static void on_kill_timer(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_runner *r = data;
    r->kill_timer = 0;
    signal_group(r, SIGKILL);
}

static void terminate(struct hk_runner *r)
{
    if (r->reaped) {
        cancel_timer(r, &r->linger_timer);
        on_linger(r->loop, r);
        return;
    }
    signal_group(r, SIGTERM);
    if (!r->kill_timer)
        r->kill_timer = hk_loop_add_timer(r->loop, r->grace_ms, on_kill_timer, r);
}

static void on_timeout(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_runner *r = data;
    r->timeout_timer = 0;
    if (r->finished || r->result.cancelled)
        return;
    r->result.timed_out = true;
    terminate(r);
}

void hk_runner_cancel(struct hk_runner *r)
{
    if (r->finished || r->result.timed_out || r->result.cancelled)
        return;
    r->result.cancelled = true;
    terminate(r);
}

static void close_master(struct hk_runner *r)
{
    stop_watching(r);
    if (r->master >= 0)
        close(r->master);
    r->master = -1;
}

static void cancel_all_timers(struct hk_runner *r)
{
    cancel_timer(r, &r->timeout_timer);
    cancel_timer(r, &r->kill_timer);
    cancel_timer(r, &r->linger_timer);
    cancel_timer(r, &r->finish_timer);
}

static void on_finish_timer(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_runner *r = data;
    r->finish_timer = 0;
    r->finished = true;
    cancel_all_timers(r);
    close_master(r);
    int st = r->wait_status;
    r->result.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r->result.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    r->result.duration_ms = r->exit_ms - r->start_ms;
    if (r->on_finished)
        r->on_finished(r, &r->result, r->data);
}

/* --- life cycle ------------------------------------------------------- */

static char *check_opts(const struct hk_runner_opts *o)
{
    struct stat st;
    if (!o->command || !*o->command)
        return hk_xstrdup("No command to run was given.");
    if (!o->cwd)
        return NULL;
    if (stat(o->cwd, &st) != 0)
        return hk_xasprintf("Cannot run \"%s\": the directory %s cannot be used: %s.",
                            o->command, o->cwd, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return hk_xasprintf("Cannot run \"%s\": %s is not a directory.", o->command, o->cwd);
    return NULL;
}

static struct hk_runner *runner_new(struct hk_loop *loop, const struct hk_runner_opts *o)
{
    struct hk_runner *r = hk_xcalloc(1, sizeof *r);
    r->loop = loop;
    r->command = hk_xstrdup(o->command);
    r->master = -1;
    r->grace_ms = o->kill_grace_ms > 0 ? o->kill_grace_ms : 2000;
    r->on_change = o->on_change;
    r->on_finished = o->on_finished;
    r->on_output = o->on_output;
    r->data = o->data;
    int sb = o->scrollback_lines == 0 ? 10000 : o->scrollback_lines;
    r->screen = hk_screen_new(o->rows, o->cols, sb, write_reply, r);
    return r;
}

static void runner_destroy(struct hk_runner *r)
{
    hk_screen_free(r->screen);
    free(r->command);
    free(r);
}

/* Without a pty (a chroot or container with no devpts mounted), the command
 * still runs: its output through a pipe, its stdin /dev/null, in a session
 * of its own. The screen then treats LF as CRLF, as a tty would. */
static int spawn_on_pipe(struct hk_runner *r, const struct hk_runner_opts *o)
{
    int p[2];
    if (pipe(p) != 0)
        return errno;
    r->pid = fork();
    if (r->pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return e;
    }
    if (r->pid == 0) {
        setsid();
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(p[1], 1);
        dup2(p[1], 2);
        child_exec(o);
    }
    close(p[1]);
    r->master = p[0];
    r->no_tty = true;
    static const char newline_mode[] = "\033[20h";
    hk_screen_feed(r->screen, newline_mode, sizeof newline_mode - 1);
    return 0;
}

/* Forks the child on a new pty; returns the errno of a failure or 0. */
static int spawn(struct hk_runner *r, const struct hk_runner_opts *o)
{
    struct winsize ws = {.ws_row = (unsigned short)hk_screen_rows(r->screen),
                         .ws_col = (unsigned short)hk_screen_cols(r->screen)};
    r->pid = forkpty(&r->master, NULL, NULL, &ws);
    if (r->pid < 0) {
        int e = errno;
        r->master = -1;
        if (e != ENODEV && e != ENOENT && e != ENXIO)
            return e;
        if ((e = spawn_on_pipe(r, o)) != 0)
            return e;
    }
    if (r->pid == 0)
        child_exec(o);
    fcntl(r->master, F_SETFL, fcntl(r->master, F_GETFL) | O_NONBLOCK);
    fcntl(r->master, F_SETFD, FD_CLOEXEC);
    r->start_ms = hk_now_ms();
    r->started_at = hk_wall_ms();
    return 0;
}

struct hk_runner *hk_runner_start(struct hk_loop *loop, const struct hk_runner_opts *o,
                                  char **err)
{
    char *why = check_opts(o);
    if (why) {
        if (err)
            *err = why;
        else
            free(why);
        return NULL;
    }
    ensure_sigchld(loop);
    struct hk_runner *r = runner_new(loop, o);
    int e = spawn(r, o);
    if (e) {
        if (err)
            *err = hk_xasprintf("Cannot run \"%s\": no terminal for it: %s.", o->command,
                                strerror(e));
        runner_destroy(r);
        return NULL;
    }
    r->next = runners;
    runners = r;
    hk_loop_watch_fd(loop, r->master, POLLIN, on_readable, r);
    r->watching = true;
    if (o->timeout_ms > 0)
        r->timeout_timer = hk_loop_add_timer(loop, o->timeout_ms, on_timeout, r);
    if (r->on_output)
        r->on_output(r, NULL, 0, r->data);
    return r;
}

struct hk_runner *hk_runner_replayed(struct hk_loop *loop, const char *command, int rows, int cols,
                                     const char *output, const struct hk_runner_result *res)
{
    struct hk_runner_opts o = {.command = command, .rows = rows, .cols = cols};
    struct hk_runner *r = runner_new(loop, &o);
    for (const char *line = output; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        hk_screen_feed(r->screen, line, len);
        if (nl)
            hk_screen_feed(r->screen, "\r\n", 2); /* a tty's newline */
        line += len + (nl ? 1 : 0);
    }
    r->result = *res;
    r->finished = r->reaped = r->eof = true;
    return r;
}

struct hk_runner *hk_runner_mirror(struct hk_loop *loop, const char *command, int rows, int cols,
                                   hk_runner_change_cb on_change, void *data)
{
    struct hk_runner_opts o = {.command = command, .rows = rows, .cols = cols, .on_change = on_change, .data = data};
    struct hk_runner *r = runner_new(loop, &o);
    r->mirror = r->reaped = r->eof = true;
    r->started_at = hk_wall_ms();
    return r;
}

void hk_runner_mirror_feed(struct hk_runner *r, const char *bytes, size_t len, int rows, int cols)
{
    if (rows > 0 && cols > 0 && (rows != hk_screen_rows(r->screen) || cols != hk_screen_cols(r->screen)))
        hk_screen_resize(r->screen, rows, cols);
    hk_screen_feed(r->screen, bytes, len);
    notify_change(r);
}

void hk_runner_mirror_end(struct hk_runner *r, const struct hk_runner_result *res)
{
    r->result = *res;
    r->finished = true;
    if (r->on_change)
        r->on_change(r, r->data);
}

static void unlink_runner(struct hk_runner *r)
{
    for (struct hk_runner **p = &runners; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            return;
        }
    }
}

void hk_runner_free(struct hk_runner *r)
{
    if (!r)
        return;
    if (!r->finished)
        signal_group(r, SIGKILL);
    if (!r->reaped) {
        int status;
        while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    cancel_all_timers(r);
    close_master(r);
    unlink_runner(r);
    runner_destroy(r);
}

void hk_runner_resize(struct hk_runner *r, int rows, int cols)
{
    if (rows <= 0 || cols <= 0 || r->mirror)
        return; /* a mirror keeps the size of the screen it mirrors */
    int old_rows = hk_screen_rows(r->screen), old_cols = hk_screen_cols(r->screen);
    hk_screen_resize(r->screen, rows, cols);
    if (r->on_output && (old_rows != hk_screen_rows(r->screen) || old_cols != hk_screen_cols(r->screen)))
        r->on_output(r, "", 0, r->data);
    if (r->master < 0)
        return;
    /* The program sees the size the screen took, which may be wider. */
    struct winsize ws = {.ws_row = (unsigned short)hk_screen_rows(r->screen),
                         .ws_col = (unsigned short)hk_screen_cols(r->screen)};
    ioctl(r->master, TIOCSWINSZ, &ws);
}

/* --- accessors -------------------------------------------------------- */

bool hk_runner_has_tty(const struct hk_runner *r)
{
    return !r->no_tty;
}

const char *hk_runner_command(const struct hk_runner *r)
{
    return r->command;
}

enum hk_runner_state hk_runner_state(const struct hk_runner *r)
{
    return r->finished ? HK_RUNNER_FINISHED : HK_RUNNER_RUNNING;
}

int64_t hk_runner_started_at(const struct hk_runner *r)
{
    return r->started_at;
}

pid_t hk_runner_pid(const struct hk_runner *r)
{
    return r->pid;
}

const struct hk_runner_result *hk_runner_result(const struct hk_runner *r)
{
    return r->finished ? &r->result : NULL;
}

const struct hk_screen *hk_runner_screen(const struct hk_runner *r)
{
    return r->screen;
}

char *hk_runner_text(const struct hk_runner *r, int max_lines)
{
    return hk_screen_text(r->screen, max_lines, 0);
}

char *hk_runner_tail(const struct hk_runner *r, int max_lines, size_t max_bytes)
{
    return hk_screen_text(r->screen, max_lines, max_bytes);
}
