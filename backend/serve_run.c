/* honk serve's task processes: starting one for a queued task (honk run
 * --id, or honk resume for a session that began), following its --json
 * events, what its end means, and clearing what a process killed before
 * its journal began left behind. */
#include "serve_internal.h"
#include "json.h"
#include "session.h"
#include "util.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int hk_serve_state_busy(const char *state)
{
    int st = hk_session_state_parse(state);
    return st < 0 || hk_session_state_active((enum hk_session_state)st);
}

static size_t running(const struct hk_serve *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nruns; i++)
        n += hk_serve_state_busy(s->runs[i]->task->state);
    return n;
}

void hk_serve_journal(struct hk_serve *s, struct hk_serve_task *t)
{
    char *err = NULL;
    if (hk_serve_queue_update(s->queue, t, &err) != 0) {
        hk_serve_log("task %s: %s (its state %s is not journalled)", t->id, err, t->state);
        free(err);
    }
}

static int ends_here(const char *state)
{
    int st = hk_session_state_parse(state);
    return st == HK_STATE_REVIEW || (st >= 0 && hk_session_state_terminal((enum hk_session_state)st));
}

void hk_serve_set_state(struct hk_serve *s, struct hk_serve_task *t, const char *state, const cJSON *waiting,
                        const char *sentence)
{
    int same_wait = (!waiting && !t->waiting) || (waiting && t->waiting && cJSON_Compare(waiting, t->waiting, 1));
    if (!strcmp(t->state, state) && same_wait)
        return;
    free(t->state);
    t->state = hk_xstrdup(state);
    cJSON_Delete(t->waiting);
    t->waiting = waiting ? cJSON_Duplicate(waiting, 1) : NULL;
    hk_serve_journal(s, t);
    if (sentence)
        hk_serve_log("task %s %s: waits for %s", t->id, state, sentence);
    else
        hk_serve_log("task %s %s", t->id, state);
    struct hk_serve_run *run = hk_serve_run_of(s, t);
    if (run)
        hk_serve_limits_state(s, run);
    hk_serve_tell_state(s, t, run);
    hk_serve_tell_callback(s, t);
    /* With --wait a session ready for review keeps its process: review is
     * told once, and so is the end a person takes it to from there (a
     * commit from an attached cockpit, say). */
    int terminal = ends_here(state) && hk_session_state_parse(state) != HK_STATE_REVIEW;
    if (run && ends_here(state) && run->told_end < (terminal ? 2 : 1)) {
        run->told_end = terminal ? 2 : 1;
        hk_serve_tell_ended(s, t, run);
    }
}

void hk_serve_run_line(struct hk_worker *w, const char *line, void *user)
{
    (void)w;
    struct hk_serve_run *run = user;
    if (run->limit)
        return; /* killed at a limit: what it wrote before is not its state */
    cJSON *ev = cJSON_Parse(line);
    const char *kind = hk_json_str(ev, "kind");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(ev, "data");
    const char *state = hk_json_str(data, "state");
    if (kind && !strcmp(kind, "state") && hk_json_num(data, "iteration", -1) >= 0)
        run->iteration = hk_json_long(data, "iteration", 0);
    if (kind && !strcmp(kind, "turn_end"))
        hk_serve_limits_turn(run, data);
    if (kind && !strcmp(kind, "test_end") && !hk_run_is_command(data) && hk_json_str(data, "command")) {
        free(run->test_command);
        run->test_command = hk_xstrdup(hk_json_str(data, "command"));
        run->test_passed = hk_json_true(data, "passed");
        run->test_exit = hk_json_int(data, "exit", -1);
    }
    if (kind && !strcmp(kind, "commit") && hk_json_str(data, "commit")) {
        free(run->commit);
        run->commit = hk_xasprintf("%.7s", hk_json_str(data, "commit"));
    }
    if (kind && !strcmp(kind, "land") && hk_json_true(data, "landed") && hk_json_str(data, "message")) {
        free(run->landed);
        run->landed = hk_xstrdup(hk_json_str(data, "message"));
    }
    if (kind && !strcmp(kind, "state") && state && hk_session_state_parse(state) >= 0) {
        const cJSON *waiting = cJSON_GetObjectItemCaseSensitive(data, "waiting");
        hk_serve_set_state(run->serve, run->task, state, cJSON_IsObject(waiting) ? waiting : NULL,
                           hk_json_str(data, "waiting_for"));
    }
    cJSON_Delete(ev);
}

char *hk_serve_session_journal(const struct hk_serve *s, const struct hk_serve_task *t)
{
    struct hk_repo *repo = NULL;
    char *err = NULL, *path = NULL;
    if (!t->repo) {
        path = hk_xasprintf("%s/honk/sessions/%s.jsonl", s->gitdir, t->id);
    } else if (hk_repo_open(&repo, hk_serve_repo_dir(s, t->repo), &err) == 0) {
        path = hk_xasprintf("%shonk/sessions/%s.jsonl", hk_repo_gitdir(repo), t->id);
        hk_repo_close(repo);
    }
    free(err);
    return path;
}

/* Whether the task's session began: its journal holds its first event
 * whole. A process killed between creating the journal and writing that
 * line leaves an empty file, which a resume could not read. */
int hk_serve_has_session(const struct hk_serve *s, const struct hk_serve_task *t)
{
    char *path = hk_serve_session_journal(s, t);
    char *line = NULL;
    size_t cap = 0;
    int yes = 0;
    FILE *f = path ? fopen(path, "r") : NULL;
    ssize_t n = f ? getline(&line, &cap, f) : -1;
    if (n > 0 && line[n - 1] == '\n')
        yes = strstr(line, "\"kind\":\"task\"") != NULL;
    if (f)
        fclose(f);
    free(line);
    free(path);
    return yes;
}

/* The last "honk: ..." line the process wrote to its log: why it ended. */
static char *last_words(const struct hk_serve *s, const struct hk_serve_task *t)
{
    char *path = hk_xasprintf("%s/honk/serve/%s.log", s->gitdir, t->id);
    struct hk_buf b = {0};
    char *out = NULL;
    if (hk_read_file(path, &b) == 0 && b.len) {
        char *line = b.data, *nl;
        while ((nl = strstr(line, "\nhonk: ")) && nl[7])
            line = nl + 1;
        if (!strncmp(line, "honk: ", 6)) {
            size_t n = strcspn(line + 6, "\n");
            out = hk_xstrndup(line + 6, n);
        }
    }
    hk_buf_free(&b);
    free(path);
    return out;
}

void hk_serve_run_remove(struct hk_serve *s, struct hk_serve_run *run)
{
    for (size_t i = 0; i < s->nruns; i++) {
        if (s->runs[i] == run) {
            s->runs[i] = s->runs[--s->nruns];
            break;
        }
    }
    hk_serve_limits_stop(s, run);
    hk_worker_free(run->worker);
    free(run->limit);
    free(run->test_command);
    free(run->commit);
    free(run->landed);
    free(run);
}

/* A process that ended without its session saying it ended or waits (a
 * crash, a usage error) is that task's failure; exits 0, 1, 3 and 130 come
 * after the session's own state, which stands. */
static void on_exit_status(struct hk_worker *w, int status, void *user)
{
    (void)w;
    struct hk_serve_run *run = user;
    struct hk_serve *s = run->serve;
    struct hk_serve_task *t = run->task;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    t->exit_status = code >= 0 ? code : 128 + WTERMSIG(status);
    if (run->limit) {
        /* Its journal stands as it was killed: honk resume goes on from there. */
        free(t->error);
        t->error = hk_xstrdup(run->limit);
        t->resume = 0;
        hk_serve_log("task %s failed: %s", t->id, t->error);
        free(t->state);
        t->state = hk_xstrdup("failed");
        cJSON_Delete(t->waiting);
        t->waiting = NULL;
        hk_serve_journal(s, t);
        hk_serve_tell_ended(s, t, run);
        hk_serve_tell_callback(s, t);
    } else if (run->stopped_by_serve) {
        t->resume = hk_serve_has_session(s, t);
        free(t->state);
        t->state = hk_xstrdup("queued");
        cJSON_Delete(t->waiting);
        t->waiting = NULL;
        hk_serve_journal(s, t);
        hk_serve_log("task %s stopped with honk serve; the next honk serve %s it", t->id,
                     t->resume ? "resumes" : "starts");
    } else if (code >= 0 && code != 2 && code != 127 && !hk_serve_state_busy(t->state)) {
        t->resume = 0;
        hk_serve_journal(s, t);
        hk_serve_log("task %s's process ended (exit %d) in state %s", t->id, code, t->state);
        if (run->told_end < (ends_here(t->state) && strcmp(t->state, "review") != 0 ? 2 : 1))
            hk_serve_tell_ended(s, t, run);
        hk_serve_tell_callback(s, t);
    } else {
        char *why = last_words(s, t);
        char *error = code >= 0 ? hk_xasprintf("its process ended with status %d%s%s", code, why ? ": " : "",
                                               why ? why : "")
                                : hk_xasprintf("its process was killed by signal %d", WTERMSIG(status));
        free(why);
        t->resume = 0;
        hk_serve_run_failed(s, run, error);
    }
    hk_serve_run_remove(s, run);
    if (s->stopping && !s->nruns)
        hk_loop_stop(s->loop);
    hk_serve_dispatch(s);
}

void hk_serve_run_failed(struct hk_serve *s, struct hk_serve_run *run, char *error)
{
    struct hk_serve_task *t = run->task;
    free(t->error);
    t->error = error;
    hk_serve_log("task %s failed: %s", t->id, t->error);
    free(t->state);
    t->state = hk_xstrdup("failed");
    hk_serve_journal(s, t);
    hk_serve_tell_ended(s, t, run);
    hk_serve_tell_callback(s, t);
}

static const struct hk_worker_ops worker_ops = {hk_serve_run_line, on_exit_status};

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tree(const char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A session that was set up but never journalled (its process was killed
 * in between) leaves a branch and worktree that would refuse its id. */
static void clear_leftovers(const struct hk_serve *s, const struct hk_serve_task *t)
{
    struct hk_repo *repo = NULL;
    struct hk_task *task = NULL;
    char *err = NULL;
    if (hk_repo_open(&repo, hk_serve_repo_dir(s, t->repo), &err) == 0) {
        /* What a process killed while making the task's branch and worktree
         * left: the id is this task's alone and its process is gone, so the
         * branch's lock and a half-made worktree are stale. */
        const char *git = hk_repo_gitdir(repo);
        char *lock = hk_xasprintf("%srefs/heads/honk/%s.lock", git, t->id);
        unlink(lock);
        free(lock);
        char *admin = hk_xasprintf("%sworktrees/%s", git, t->id);
        char *dir = hk_xasprintf("%shonk/worktrees/%s", git, t->id);
        remove_tree(admin);
        remove_tree(dir);
        free(admin);
        free(dir);
    }
    if (repo && hk_task_open(repo, t->id, &task, &err) == 1) {
        hk_serve_log("task %s: removing the worktree a killed process left before its journal began", t->id);
        hk_task_discard(repo, task, &err);
    }
    char *journal = hk_serve_session_journal(s, t);
    if (journal)
        unlink(journal); /* empty, or torn before its first line ended */
    free(journal);
    hk_task_free(task);
    hk_repo_close(repo);
    free(err);
}

static void start_run(struct hk_serve *s, struct hk_serve_task *t)
{
    if (s->exec_command_on) {
        hk_serve_exec_start(s, t);
        return;
    }
    const char *argv[20];
    char iterations[24];
    int n = 0;
    int resume = t->resume && hk_serve_has_session(s, t);
    argv[n++] = s->honk;
    if (resume) {
        argv[n++] = "resume";
        argv[n++] = t->id;
    } else {
        clear_leftovers(s, t);
        argv[n++] = "run";
        argv[n++] = "--id";
        argv[n++] = t->id;
        if (t->base) {
            argv[n++] = "--base";
            argv[n++] = t->base;
        }
    }
    argv[n++] = "--approve=edits";
    argv[n++] = "--wait"; /* at a decision it stays, attachable, rather than exit */
    argv[n++] = "--json";
    n = hk_serve_limits_args(s, argv, n, iterations, sizeof iterations);
    if (!resume) {
        argv[n++] = "--";
        argv[n++] = t->task;
    }
    argv[n] = NULL;
    char *log = hk_xasprintf("%s/honk/serve/%s.log", s->gitdir, t->id);
    char *err = NULL;
    struct hk_serve_run *run = hk_xcalloc(1, sizeof *run);
    *run = (struct hk_serve_run){.serve = s, .task = t};
    run->worker = hk_worker_spawn(s->loop, hk_serve_repo_dir(s, t->repo), (char *const *)argv, log, &worker_ops,
                                  run, &err);
    free(log);
    if (!run->worker) {
        free(t->error);
        t->error = err;
        hk_serve_log("task %s failed: %s", t->id, err);
        hk_serve_set_state(s, t, "failed", NULL, NULL);
        free(run);
        return;
    }
    s->runs = hk_xrealloc(s->runs, (s->nruns + 1) * sizeof *s->runs);
    s->runs[s->nruns++] = run;
    hk_serve_limits_start(s, run);
    t->resume = 0;
    t->exit_status = -1; /* a process runs it again */
    hk_serve_log("task %s %s (pid %d)", t->id, resume ? "resumed" : "started", (int)hk_worker_pid(run->worker));
    hk_serve_set_state(s, t, "starting", NULL, NULL);
}

struct hk_serve_run *hk_serve_run_of(const struct hk_serve *s, const struct hk_serve_task *t)
{
    for (size_t i = 0; i < s->nruns; i++)
        if (s->runs[i]->task == t)
            return s->runs[i];
    return NULL;
}

void hk_serve_dispatch(struct hk_serve *s)
{
    if (s->stopping)
        return;
    size_t n = hk_serve_queue_count(s->queue);
    for (size_t i = 0; i < n && running(s) < (size_t)s->jobs; i++) {
        struct hk_serve_task *t = hk_serve_queue_at(s->queue, i);
        if (!strcmp(t->state, "queued") && !hk_serve_run_of(s, t))
            start_run(s, t);
    }
}

void hk_serve_reap(struct hk_loop *loop, int signo, void *data)
{
    (void)loop;
    (void)signo;
    struct hk_serve *s = data;
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (hk_serve_exec_reap(s, pid, status))
            continue;
        for (size_t i = 0; i < s->nruns; i++) {
            if (s->runs[i]->worker && hk_worker_pid(s->runs[i]->worker) == pid) {
                hk_worker_exited(s->runs[i]->worker, status);
                break;
            }
        }
    }
}

int hk_serve_cancel(struct hk_serve *s, struct hk_serve_task *t, char **err)
{
    struct hk_serve_run *run = hk_serve_run_of(s, t);
    if (run && run->remote) {
        hk_serve_exec_cancel(s, run);
        return 0;
    }
    if (run) {
        /* honk run cancels its session on SIGTERM; its end says cancelled. */
        hk_worker_signal(run->worker, SIGTERM);
        hk_serve_log("task %s: cancel asked; its session is told", t->id);
        return 0;
    }
    if (strcmp(t->state, "queued") != 0) {
        *err = hk_xasprintf("Task %s is not queued or running (it is %s), so there is nothing to cancel; "
                            "honk discard %s removes its session.", t->id, t->state, t->id);
        return -1;
    }
    t->resume = 0;
    hk_serve_set_state(s, t, "cancelled", NULL, NULL);
    return 0;
}
