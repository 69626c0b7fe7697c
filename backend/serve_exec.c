/* honk.serve.executor = command: a task runs elsewhere. serve starts the
 * command template with /bin/sh -c in the task's repository, the task in
 * its environment (HONK_TASK_ID, HONK_TASK, HONK_BASE, HONK_REPO_URL,
 * HONK_PUSH_REMOTE, HONK_APPROVE), never on a command line, and without
 * serve's own secrets. The command runs `honk run --push` somewhere; serve
 * follows the session through what it pushes: a `honk fetch` child every
 * honk.serve.executor.poll seconds (one per repository, one at a time, so
 * the loop never waits on a network), and the command's exit status. A
 * task that shows no life for honk.serve.executor.deadline seconds, or
 * whose command fails before anything was pushed, fails with a sentence. */
#include "serve_internal.h"
#include "journal.h"
#include "json.h"
#include "repo.h"
#include "session.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_DEADLINE 3600
#define DEFAULT_POLL 10

extern char **environ;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int hk_serve_exec_settings(struct hk_serve *s, struct hk_config *cfg, char **err)
{
    char *kind = hk_config_string(cfg, "honk.serve.executor");
    char *command = hk_config_string(cfg, "honk.serve.executor.command");
    char *remote = hk_config_string(cfg, "honk.serve.executor.remote");
    char *url = hk_config_string(cfg, "honk.serve.repoUrl");
    long deadline = DEFAULT_DEADLINE * 1000L, poll = DEFAULT_POLL * 1000L;
    int on = kind && !strcmp(kind, "command"), rc = -1;
    if (hk_config_seconds(cfg, "honk.serve.executor.deadline", &deadline, err) != 0 ||
        hk_config_seconds(cfg, "honk.serve.executor.poll", &poll, err) != 0)
        goto out;
    if (kind && !on && strcmp(kind, "local") != 0) {
        *err = hk_xasprintf("honk.serve.executor is \"%s\"; it is local (the default) or command", kind);
        goto out;
    }
    if (on && (!command || !*command)) {
        *err = hk_xstrdup("honk.serve.executor is command but honk.serve.executor.command is not set: "
                          "set it to the command that starts a task elsewhere");
        goto out;
    }
    if (deadline < 1000 || poll < 100) {
        *err = hk_xstrdup("honk.serve.executor.deadline is 1 second or more, honk.serve.executor.poll 0.1 or more");
        goto out;
    }
    free(s->exec_command);
    free(s->exec_remote);
    free(s->repo_url);
    s->exec_command_on = on;
    s->exec_command = command;
    s->exec_remote = remote && *remote ? remote : hk_xstrdup("origin");
    s->repo_url = url && *url ? url : NULL;
    if (remote && !*remote)
        free(remote);
    if (url && !*url)
        free(url);
    command = remote = url = NULL;
    s->exec_deadline_ms = deadline;
    s->exec_poll_ms = poll;
    rc = 0;
out:
    free(kind);
    free(command);
    free(remote);
    free(url);
    return rc;
}

/* What the executor is told that is not in the task itself: the base as a
 * commit id (HEAD when the task names none) and the remote's URL. */
static int describe(const struct hk_serve *s, const struct hk_serve_task *t, char **base, char **url, char **err)
{
    struct hk_repo *repo = NULL;
    *base = *url = NULL;
    if (hk_repo_open(&repo, hk_serve_repo_dir(s, t->repo), err) != 0)
        return -1;
    const char *rev = t->base ? t->base : "HEAD";
    *base = hk_repo_commit_of(repo, rev);
    *url = s->repo_url ? hk_xstrdup(s->repo_url) : hk_repo_remote_url(repo, s->exec_remote);
    hk_repo_close(repo);
    if (!*base)
        *err = hk_xasprintf("the base %s is not a commit in this repository", rev);
    else if (!*url)
        *err = hk_xasprintf("the remote %s (honk.serve.executor.remote) is not set up here and honk.serve.repoUrl "
                            "is not set, so an executor has nowhere to clone from or push to",
                            s->exec_remote);
    if (*base && *url)
        return 0;
    free(*base);
    free(*url);
    *base = *url = NULL;
    return -1;
}

/* serve's environment less its own secrets, with the task's variables. */
static char **task_env(const struct hk_serve_task *t, const char *base, const char *url, const char *remote)
{
    static const char *const secret[] = {"SLACK_SIGNING_SECRET=", "SLACK_BOT_TOKEN=", "HONK_SERVE_TOKEN="};
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = hk_xcalloc(n + 8, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int skip = !strncmp(environ[i], "HONK_TASK", 9) || !strncmp(environ[i], "HONK_BASE=", 10) ||
                   !strncmp(environ[i], "HONK_REPO_URL=", 14) || !strncmp(environ[i], "HONK_PUSH_REMOTE=", 17) ||
                   !strncmp(environ[i], "HONK_APPROVE=", 13);
        for (size_t j = 0; j < sizeof secret / sizeof *secret; j++)
            skip |= !strncmp(environ[i], secret[j], strlen(secret[j]));
        if (!skip)
            env[k++] = hk_xstrdup(environ[i]);
    }
    env[k++] = hk_xasprintf("HONK_TASK_ID=%s", t->id);
    env[k++] = hk_xasprintf("HONK_TASK=%s", t->task);
    env[k++] = hk_xasprintf("HONK_BASE=%s", base);
    env[k++] = hk_xasprintf("HONK_REPO_URL=%s", url);
    env[k++] = hk_xasprintf("HONK_PUSH_REMOTE=%s", remote);
    env[k++] = hk_xstrdup("HONK_APPROVE=edits");
    env[k] = NULL;
    return env;
}

static void env_free(char **env)
{
    for (size_t i = 0; env && env[i]; i++)
        free(env[i]);
    free(env);
}

/* The last line the command wrote to its stderr: why it ended. */
static char *last_line(const struct hk_serve *s, const struct hk_serve_task *t)
{
    char *path = hk_xasprintf("%s/honk/serve/%s.log", s->gitdir, t->id);
    struct hk_buf b = {0};
    char *out = NULL;
    if (hk_read_file(path, &b) == 0 && b.len) {
        size_t end = b.len;
        while (end && (b.data[end - 1] == '\n' || b.data[end - 1] == '\r'))
            end--;
        size_t start = end;
        while (start && b.data[start - 1] != '\n')
            start--;
        if (end > start)
            out = hk_xstrndup(b.data + start, end - start > 300 ? 300 : end - start);
    }
    hk_buf_free(&b);
    free(path);
    return out;
}

static void start_round(struct hk_serve *s);

/* The command and what it started on this machine (its process group). */
static void stop_command(struct hk_serve_run *run, int signo)
{
    if (run->worker && !run->exec_exited)
        kill(-hk_worker_pid(run->worker), signo);
}

static void fail_run(struct hk_serve *s, struct hk_serve_run *run, char *error)
{
    stop_command(run, SIGTERM);
    hk_serve_run_failed(s, run, error);
    hk_serve_run_remove(s, run);
    hk_serve_dispatch(s);
}

/* The command's end: its status is kept, and a fetch right away says
 * whether the session got anywhere. */
static void on_exec_exit(struct hk_worker *w, int status, void *user)
{
    (void)w;
    struct hk_serve_run *run = user;
    struct hk_serve *s = run->serve;
    run->exec_exited = 1;
    run->exec_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run->task->exit_status = run->exec_status;
    hk_serve_log("task %s: its executor's command ended with status %d", run->task->id, run->exec_status);
    if (run->stopped_by_serve) {
        hk_serve_run_remove(s, run);
        if (s->stopping && !s->nruns)
            hk_loop_stop(s->loop);
        return;
    }
    if (!s->fetcher) {
        if (s->fetch_timer)
            hk_loop_cancel_timer(s->loop, s->fetch_timer);
        s->fetch_timer = 0;
        start_round(s);
    }
}

static const struct hk_worker_ops exec_ops = {hk_serve_run_line, on_exec_exit};

struct last_state {
    struct hk_serve_run *run;
    char *state;
    cJSON *waiting;
};

static void on_event(const struct hk_event *ev, void *user)
{
    struct last_state *ls = user;
    const char *state = hk_json_str(ev->data, "state");
    struct hk_serve_run *run = ls->run;
    if (ev->kind == HK_EV_TEST_END && !hk_run_is_command(ev->data) && hk_json_str(ev->data, "command")) {
        free(run->test_command);
        run->test_command = hk_xstrdup(hk_json_str(ev->data, "command"));
        run->test_passed = hk_json_true(ev->data, "passed");
        run->test_exit = hk_json_int(ev->data, "exit", -1);
    }
    if (ev->kind != HK_EV_STATE || !state || hk_session_state_parse(state) < 0)
        return;
    free(ls->state);
    cJSON_Delete(ls->waiting);
    ls->state = hk_xstrdup(state);
    const cJSON *waiting = cJSON_GetObjectItemCaseSensitive(ev->data, "waiting");
    ls->waiting = cJSON_IsObject(waiting) ? cJSON_Duplicate(waiting, 1) : NULL;
}

static int ends_here(const char *state)
{
    int st = hk_session_state_parse(state);
    return st == HK_STATE_REVIEW || (st >= 0 && hk_session_state_terminal((enum hk_session_state)st));
}

/* After a fetch of its repository: the session's state as pushed, and
 * what its silence or its command's end means. 1 when the run is over. */
static int look(struct hk_serve *s, struct hk_serve_run *run)
{
    struct hk_serve_task *t = run->task;
    char *path = hk_serve_session_journal(s, t);
    struct stat st;
    if (path && stat(path, &st) == 0 && st.st_size != run->journal_len) {
        struct last_state ls = {.run = run};
        char *err = NULL;
        if (hk_journal_read(path, on_event, &ls, &err) >= 0 && ls.state) {
            run->pushed = 1;
            run->journal_len = (long)st.st_size;
            run->news_ms = now_ms();
            hk_serve_set_state(s, t, ls.state, ls.waiting, NULL);
        }
        free(err);
        free(ls.state);
        cJSON_Delete(ls.waiting);
    }
    free(path);
    if (ends_here(t->state)) {
        hk_serve_log("task %s %s as pushed to %s; serve stops following it", t->id, t->state, s->exec_remote);
        hk_serve_run_remove(s, run);
        return 1;
    }
    if (run->exec_exited && run->exec_status != 0 && !run->pushed) {
        char *why = last_line(s, t);
        fail_run(s, run,
                 hk_xasprintf("its executor's command (honk.serve.executor.command) exited with status %d before "
                              "the session pushed anything to %s%s%s",
                              run->exec_status, s->exec_remote, why ? ": " : "", why ? why : ""));
        free(why);
        return 1;
    }
    if (now_ms() - run->news_ms >= s->exec_deadline_ms) {
        fail_run(s, run,
                 run->pushed
                     ? hk_xasprintf("its session pushed nothing new to %s for %g s (honk.serve.executor.deadline) "
                                    "while %s; what it pushed stays: honk fetch %s, then honk show %s",
                                    s->exec_remote, s->exec_deadline_ms / 1000.0, t->state, s->exec_remote, t->id)
                     : hk_xasprintf("its executor pushed nothing to %s within %g s (honk.serve.executor.deadline)%s",
                                    s->exec_remote, s->exec_deadline_ms / 1000.0,
                                    run->exec_exited ? ", and its command has ended" : "; its command was stopped"));
        return 1;
    }
    return 0;
}

static void fetch_line(struct hk_worker *w, const char *line, void *user) { (void)w, (void)line, (void)user; }
static void fetch_exit(struct hk_worker *w, int status, void *user);
static const struct hk_worker_ops fetch_ops = {fetch_line, fetch_exit};

static void on_tick(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_serve *s = data;
    s->fetch_timer = 0;
    start_round(s);
}

/* Fetches the next repository of this round that has a task to follow;
 * with none left, the next round waits for the poll. */
static void next_fetch(struct hk_serve *s)
{
    struct hk_serve_run *run = NULL;
    for (size_t i = 0; i < s->nruns && !run; i++)
        if (s->runs[i]->remote && s->runs[i]->round != s->round)
            run = s->runs[i];
    if (!run) {
        int any = 0;
        for (size_t i = 0; i < s->nruns; i++)
            any |= s->runs[i]->remote;
        if (any && !s->fetch_timer && !s->stopping)
            s->fetch_timer = hk_loop_add_timer(s->loop, s->exec_poll_ms, on_tick, s);
        return;
    }
    const char *dir = hk_serve_repo_dir(s, run->task->repo);
    char *argv[] = {s->honk, "fetch", s->exec_remote, NULL};
    char *log = hk_xasprintf("%s/honk/serve/fetch.log", s->gitdir);
    char *err = NULL;
    s->fetcher = hk_worker_spawn(s->loop, dir, argv, log, &fetch_ops, s, &err);
    free(log);
    free(s->fetch_dir);
    s->fetch_dir = hk_xstrdup(dir);
    if (!s->fetcher) {
        hk_serve_log("cannot fetch from %s in %s: %s", s->exec_remote, dir, err);
        free(err);
        /* looked at without news, so deadlines still pass */
        for (size_t i = 0; i < s->nruns; i++)
            if (s->runs[i]->remote && !strcmp(hk_serve_repo_dir(s, s->runs[i]->task->repo), dir))
                s->runs[i]->round = s->round;
        next_fetch(s);
    }
}

static void start_round(struct hk_serve *s)
{
    s->round++;
    next_fetch(s);
}

static void fetch_exit(struct hk_worker *w, int status, void *user)
{
    struct hk_serve *s = user;
    hk_worker_free(w);
    s->fetcher = NULL;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        hk_serve_log("honk fetch %s in %s failed (status %d; see .git/honk/serve/fetch.log); tasks there are "
                     "looked at again at the next poll",
                     s->exec_remote, s->fetch_dir, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    for (size_t i = 0; i < s->nruns;) {
        struct hk_serve_run *run = s->runs[i];
        if (run->remote && run->round != s->round && !strcmp(hk_serve_repo_dir(s, run->task->repo), s->fetch_dir)) {
            run->round = s->round;
            if (look(s, run)) {
                i = 0; /* the list changed */
                continue;
            }
        }
        i++;
    }
    hk_serve_dispatch(s);
    if (s->stopping && !s->nruns)
        hk_loop_stop(s->loop);
    next_fetch(s);
}

int hk_serve_exec_reap(struct hk_serve *s, pid_t pid, int status)
{
    if (!s->fetcher || hk_worker_pid(s->fetcher) != pid)
        return 0;
    hk_worker_exited(s->fetcher, status);
    return 1;
}

static void add_run(struct hk_serve *s, struct hk_serve_run *run, const char *how)
{
    struct hk_serve_task *t = run->task;
    s->runs = hk_xrealloc(s->runs, (s->nruns + 1) * sizeof *s->runs);
    s->runs[s->nruns++] = run;
    t->resume = 0;
    t->exit_status = -1;
    if (run->worker)
        hk_serve_log("task %s %s (pid %d); followed through %s", t->id, how, (int)hk_worker_pid(run->worker),
                     s->exec_remote);
    else
        hk_serve_log("task %s %s through %s", t->id, how, s->exec_remote);
    hk_serve_set_state(s, t, "starting", NULL, NULL);
    if (!s->fetcher && !s->fetch_timer)
        s->fetch_timer = hk_loop_add_timer(s->loop, s->exec_poll_ms, on_tick, s);
}

/* What runs elsewhere is not reached from here: its command is stopped,
 * and serve no longer follows it; the sentence says so. */
void hk_serve_exec_cancel(struct hk_serve *s, struct hk_serve_run *run)
{
    struct hk_serve_task *t = run->task;
    stop_command(run, SIGTERM);
    free(t->error);
    t->error = hk_xasprintf("cancelled here; a session its executor already started elsewhere is not reached from "
                            "here and may still push to %s",
                            s->exec_remote);
    hk_serve_run_remove(s, run);
    hk_serve_set_state(s, t, "cancelled", NULL, NULL);
    hk_serve_dispatch(s);
}

void hk_serve_exec_stop(struct hk_serve *s)
{
    for (size_t i = 0; i < s->nruns;) {
        struct hk_serve_run *run = s->runs[i];
        if (!run->remote) {
            i++;
            continue;
        }
        stop_command(run, SIGKILL); /* as a local session is: it dies with serve */
        struct hk_serve_task *t = run->task;
        t->resume = 1;
        free(t->state);
        t->state = hk_xstrdup("queued");
        cJSON_Delete(t->waiting);
        t->waiting = NULL;
        hk_serve_journal(s, t);
        hk_serve_log("task %s stopped with honk serve; the next honk serve follows it through %s again", t->id,
                     s->exec_remote);
        hk_serve_run_remove(s, run);
    }
}

void hk_serve_exec_start(struct hk_serve *s, struct hk_serve_task *t)
{
    char *base = NULL, *url = NULL, *err = NULL;
    if (describe(s, t, &base, &url, &err) != 0) {
        free(t->error);
        t->error = err;
        hk_serve_log("task %s failed: %s", t->id, err);
        hk_serve_set_state(s, t, "failed", NULL, NULL);
        return;
    }
    struct hk_serve_run *run = hk_xcalloc(1, sizeof *run);
    *run = (struct hk_serve_run){.serve = s, .task = t, .remote = 1, .journal_len = -1, .news_ms = now_ms()};
    run->round = s->round; /* looked at from the next round on */
    if (t->resume) {
        /* Its command ran under a serve that stopped: the session, if it
         * got going, is elsewhere still, so it is followed, not begun again. */
        run->exec_exited = 1;
        free(base);
        free(url);
        add_run(s, run, "followed again");
        return;
    }
    char **env = task_env(t, base, url, s->exec_remote);
    char *argv[] = {"/bin/sh", "-c", s->exec_command, NULL};
    char *log = hk_xasprintf("%s/honk/serve/%s.log", s->gitdir, t->id);
    run->worker = hk_worker_spawn_env(s->loop, hk_serve_repo_dir(s, t->repo), argv, env, log, &exec_ops, run, &err);
    free(log);
    env_free(env);
    free(base);
    free(url);
    if (!run->worker) {
        free(t->error);
        t->error = err;
        hk_serve_log("task %s failed: %s", t->id, err);
        hk_serve_set_state(s, t, "failed", NULL, NULL);
        free(run);
        return;
    }
    add_run(s, run, "started by its executor");
}

void hk_serve_exec_free(struct hk_serve *s)
{
    if (s->fetch_timer)
        hk_loop_cancel_timer(s->loop, s->fetch_timer);
    if (s->fetcher) {
        hk_worker_signal(s->fetcher, SIGKILL);
        hk_worker_free(s->fetcher);
    }
    free(s->fetch_dir);
    free(s->exec_command);
    free(s->exec_remote);
    free(s->repo_url);
}
