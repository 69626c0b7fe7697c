/* honk serve's life: settings, the listen address, the queue and its
 * workers, signals (see serve.h). Intake is serve_intake.c and serve_api.c. */
#include "serve_internal.h"
#include "json.h"
#include "serve_libs.h"
#include "serve_notify.h"
#include "session.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_LISTEN "127.0.0.1:8737"
#define DEFAULT_JOBS 2
#define DEFAULT_RATE 10
/* A task's work (not its waits for a person) past an hour, or past ten
 * million tokens read and written, is a session going round in circles. */
#define DEFAULT_TASK_MAX_MS (3600L * 1000)
#define DEFAULT_TASK_MAX_TOKENS 10000000L

void hk_serve_log(const char *fmt, ...)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    va_list ap;
    va_start(ap, fmt);
    char *msg = hk_xvasprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "honk serve: %s %s\n", when, msg);
    free(msg);
}

void hk_serve_reply(struct hk_http_reply *out, int status, char *body, char *note)
{
    out->status = status;
    out->body = body;
    out->note = note;
}

char *hk_serve_error_json(const char *sentence)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", sentence);
    char *text = hk_json_print(o);
    cJSON_Delete(o);
    return text;
}

/* --- settings -------------------------------------------------------------- */

static void add_allow(const char *name, const char *value, void *data)
{
    struct hk_serve *s = data;
    if (strcmp(name, "honk.serve.slack.allow") || !*value)
        return;
    s->allow = hk_xrealloc(s->allow, (s->nallow + 1) * sizeof *s->allow);
    s->allow[s->nallow++] = hk_xstrdup(value);
}

static void add_repo(const char *name, const char *value, void *data)
{
    struct hk_serve *s = data;
    const char *sub = name + strlen("honk.serve.repo.");
    size_t n = strlen(sub);
    if (n <= 5 || strcmp(sub + n - 5, ".path"))
        return;
    s->repos = hk_xrealloc(s->repos, (s->nrepos + 1) * sizeof *s->repos);
    s->repos[s->nrepos++] = (struct hk_serve_repo){hk_xstrndup(sub, n - 5), hk_xstrdup(value)};
}

static void free_settings(struct hk_serve *s)
{
    for (size_t i = 0; i < s->nallow; i++)
        free(s->allow[i]);
    free(s->allow);
    for (size_t i = 0; i < s->nrepos; i++) {
        free(s->repos[i].name);
        free(s->repos[i].path);
    }
    free(s->repos);
    s->allow = NULL;
    s->repos = NULL;
    s->nallow = s->nrepos = 0;
}

static int read_settings(struct hk_serve *s, const struct hk_serve_opts *o, char **err)
{
    struct hk_config *cfg = hk_config_open(s->workdir, err);
    if (!cfg)
        return -1;
    long jobs = DEFAULT_JOBS, rate = DEFAULT_RATE, iterations = 0, max_ms = DEFAULT_TASK_MAX_MS,
         tokens = DEFAULT_TASK_MAX_TOKENS;
    int rc = -1;
    if (hk_config_int(cfg, "honk.serve.jobs", &jobs, err) != 0 ||
        hk_config_int(cfg, "honk.serve.rateLimit", &rate, err) != 0 ||
        hk_config_int(cfg, "honk.serve.task.maxIterations", &iterations, err) != 0 ||
        hk_config_seconds(cfg, "honk.serve.task.maxSeconds", &max_ms, err) != 0 ||
        hk_config_int(cfg, "honk.serve.task.maxTokens", &tokens, err) != 0)
        goto out;
    if (o && o->jobs >= 0)
        jobs = o->jobs;
    if (jobs < 1) {
        *err = hk_xstrdup("honk.serve.jobs (--jobs) must be 1 or more");
        goto out;
    }
    if (hk_serve_exec_settings(s, cfg, err) != 0)
        goto out;
    free_settings(s);
    s->jobs = jobs;
    s->rate_limit = rate;
    s->task_max_iterations = iterations;
    s->task_max_ms = max_ms;
    s->task_max_tokens = tokens;
    hk_config_each(cfg, "honk.serve.slack.allow", add_allow, s);
    hk_config_each(cfg, "honk.serve.repo.", add_repo, s);
    rc = 0;
out:
    hk_config_free(cfg);
    return rc;
}

int hk_serve_repo_known(const struct hk_serve *s, const char *name)
{
    if (!name)
        return 1;
    for (size_t i = 0; i < s->nrepos; i++)
        if (!strcmp(s->repos[i].name, name))
            return 1;
    return 0;
}

const char *hk_serve_repo_dir(const struct hk_serve *s, const char *name)
{
    for (size_t i = 0; name && i < s->nrepos; i++)
        if (!strcmp(s->repos[i].name, name))
            return s->repos[i].path;
    return s->workdir;
}

/* --- the listen address ---------------------------------------------------- */

static int parse_listen(const char *spec, struct sockaddr_storage *ss, int *loopback, char **err)
{
    const char *colon = strrchr(spec, ':');
    char host[128];
    memset(ss, 0, sizeof *ss);
    const char *port_text = colon ? colon + 1 : "";
    if (!colon || (size_t)(colon - spec) >= sizeof host || !*port_text ||
        strspn(port_text, "0123456789") != strlen(port_text) || strlen(port_text) > 5 || atol(port_text) > 65535) {
        *err = hk_xasprintf("honk.serve.listen is \"%s\"; it must be HOST:PORT, such as %s or [::1]:8737", spec,
                            DEFAULT_LISTEN);
        return -1;
    }
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = 0;
    uint16_t port = (uint16_t)atol(colon + 1);
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = 0;
    }
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof host, "127.0.0.1");
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        *loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        *loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
        return 0;
    }
    *err = hk_xasprintf("honk.serve.listen names \"%s\", which is not an IP address (names are not looked up)", host);
    return -1;
}

/* --- intake's side --------------------------------------------------------- */

int hk_serve_accept(struct hk_serve *s, struct hk_serve_task *t, char **err)
{
    if (hk_serve_queue_add(s->queue, t, err) != 0) {
        hk_serve_task_free(t);
        return -1;
    }
    hk_serve_log("task %s queued (%s%s%s%s%s)", t->id, t->from, t->user ? " by " : "", t->user ? t->user : "",
                 t->channel ? " in " : "", t->channel ? t->channel : "");
    hk_serve_tell_queued(s, t);
    hk_serve_dispatch(s);
    return 0;
}

static void on_queue_changed(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)loop;
    (void)revents;
    struct hk_serve *s = data;
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    char *err = NULL;
    size_t before = hk_serve_queue_count(s->queue);
    if (hk_serve_queue_refresh(s->queue, &err) < 0) {
        hk_serve_log("%s", err);
        free(err);
        return;
    }
    for (size_t i = before; i < hk_serve_queue_count(s->queue); i++) {
        struct hk_serve_task *t = hk_serve_queue_at(s->queue, i);
        hk_serve_log("task %s queued (%s%s%s)", t->id, t->from ? t->from : "queue", t->user ? " by " : "",
                     t->user ? t->user : "");
    }
    hk_serve_dispatch(s);
}

/* --- signals and life ------------------------------------------------------ */

/* honk run has no way to stop short of cancelling (SIGTERM and SIGINT end
 * its session as cancelled, and a resumed cancelled session waits for a
 * message). Its journal is written before each step takes effect, so a
 * session killed at any point resumes where it was, as after a crash:
 * serve stops its sessions that way and resumes them at its next start. */
static void on_stop(struct hk_loop *loop, int signo, void *data)
{
    struct hk_serve *s = data;
    if (s->stopping) {
        hk_serve_log("stopping already (%zu task processes to end)", s->nruns);
        return;
    }
    s->stopping = 1;
    hk_http_refuse_new(s->http, "honk serve is stopping; it takes tasks again once it is restarted.");
    hk_serve_log("%s: taking no more tasks; stopping %zu running session%s, to be resumed at the next start",
                 signo == SIGTERM ? "SIGTERM" : "SIGINT", s->nruns, s->nruns == 1 ? "" : "s");
    hk_serve_exec_stop(s);
    for (size_t i = 0; i < s->nruns; i++) {
        s->runs[i]->stopped_by_serve = 1;
        hk_worker_signal(s->runs[i]->worker, SIGKILL);
    }
    if (!s->nruns)
        hk_loop_stop(loop);
}

static void on_hup(struct hk_loop *loop, int signo, void *data)
{
    (void)loop;
    (void)signo;
    struct hk_serve *s = data;
    char *err = NULL;
    if (read_settings(s, NULL, &err) != 0) {
        hk_serve_log("SIGHUP: the configuration was not reread: %s; the settings before stay", err);
        free(err);
        return;
    }
    hk_serve_log("SIGHUP: configuration reread: jobs %ld, %zu Slack id%s allowed, %zu named repositor%s", s->jobs,
                 s->nallow, s->nallow == 1 ? "" : "s", s->nrepos, s->nrepos == 1 ? "y" : "ies");
    hk_serve_dispatch(s);
}

/* Tasks whose process was alive when the last serve ended (a kill -9: the
 * processes died with it), at work or waiting at a decision, are queued
 * again to resume from their journals. */
static void recover(struct hk_serve *s)
{
    for (size_t i = 0; i < hk_serve_queue_count(s->queue); i++) {
        struct hk_serve_task *t = hk_serve_queue_at(s->queue, i);
        int st = hk_session_state_parse(t->state);
        int alive = t->exit_status < 0 && !(st >= 0 && hk_session_state_terminal((enum hk_session_state)st));
        if (!strcmp(t->state, "queued") || !alive)
            continue;
        t->resume = hk_serve_has_session(s, t);
        hk_serve_log("task %s was %s when the last honk serve ended; it %s", t->id, t->state,
                     t->resume ? "resumes from its journal" : "starts again");
        hk_serve_set_state(s, t, "queued", NULL, NULL);
    }
}

static char *secret_from_env(const char *name)
{
    const char *v = getenv(name);
    char *copy = v && *v ? hk_xstrdup(v) : NULL;
    /* Task processes, and the commands they run, never see it. */
    unsetenv(name);
    return copy;
}

static int open_repo(struct hk_serve *s, char **err)
{
    if (hk_repo_open(&s->repo, ".", err) != 0)
        return -1;
    s->workdir = hk_xstrdup(hk_repo_workdir(s->repo));
    s->gitdir = hk_xstrdup(hk_repo_gitdir(s->repo));
    size_t n = strlen(s->gitdir);
    if (n > 1 && s->gitdir[n - 1] == '/')
        s->gitdir[n - 1] = 0;
    return 0;
}

/* One serve per repository: two would both start the queue's tasks. The
 * lock is the kernel's, so it goes with the process however it ends. */
static int take_lock(struct hk_serve *s, char **err)
{
    char *path = hk_xasprintf("%s/honk/serve/serve.lock", s->gitdir);
    s->lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    free(path);
    if (s->lock < 0) {
        *err = hk_xasprintf("cannot open honk serve's lock: %s", strerror(errno));
        return -1;
    }
    if (flock(s->lock, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t n = pread(s->lock, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = 0;
        pid[strcspn(pid, "\n")] = 0;
        *err = hk_xasprintf("honk serve runs in this repository already%s%s%s; one at a time takes its queue",
                            *pid ? " (pid " : "", pid, *pid ? ")" : "");
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(s->lock, 0) != 0 || pwrite(s->lock, pid, (size_t)len, 0) != len) {
        /* the pid is only for the sentence above */
    }
    return 0;
}

static int listen_on(struct hk_serve *s, const struct hk_serve_opts *o, char **err)
{
    struct hk_config *cfg = hk_config_open(s->workdir, err);
    if (!cfg)
        return -1;
    char *spec = o->listen ? hk_xstrdup(o->listen) : hk_config_string(cfg, "honk.serve.listen");
    int remote = o->allow_remote > 0, loopback = 0, rc = -1;
    if (o->allow_remote < 0 && hk_config_bool(cfg, "honk.serve.allowRemote", &remote, err) != 0)
        goto out;
    struct sockaddr_storage ss;
    if (parse_listen(spec ? spec : DEFAULT_LISTEN, &ss, &loopback, err) != 0)
        goto out;
    if (!loopback && !remote) {
        *err = hk_xasprintf("%s is reachable from other machines; honk serve listens there only when asked: "
                            "--allow-remote or honk.serve.allowRemote=true (and put a TLS proxy in front of it)",
                            spec);
        goto out;
    }
    char *why = NULL;
    s->http = hk_http_start(s->loop, (struct sockaddr *)&ss, hk_serve_handle, s, &why);
    if (!s->http) {
        *err = hk_xasprintf("honk serve cannot listen on %s: %s", spec ? spec : DEFAULT_LISTEN, why);
        free(why);
        goto out;
    }
    char host[INET6_ADDRSTRLEN] = "?";
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
    else
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
    /* The first line says where, port 0's pick included (tests read it). */
    hk_serve_log("listening on http://%s%s%s:%u/ in %s (jobs %ld)", ss.ss_family == AF_INET6 ? "[" : "", host,
                 ss.ss_family == AF_INET6 ? "]" : "", hk_http_port(s->http), s->workdir, s->jobs);
    rc = 0;
out:
    free(spec);
    hk_config_free(cfg);
    return rc;
}

static void watch_queue(struct hk_serve *s)
{
    s->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    char *path = hk_serve_queue_path(s->gitdir);
    if (s->inotify >= 0 && inotify_add_watch(s->inotify, path, IN_MODIFY) >= 0)
        hk_loop_watch_fd(s->loop, s->inotify, POLLIN, on_queue_changed, s);
    else
        hk_serve_log("cannot watch %s (%s): honk queue's tasks start at the next restart", path, strerror(errno));
    free(path);
}

/* With a bot token, Slack is told how its tasks go (serve_tell.c). */
static int start_notify(struct hk_serve *s, char **err)
{
    char *token = secret_from_env("SLACK_BOT_TOKEN");
    if (!token)
        hk_serve_log("SLACK_BOT_TOKEN is not set: Slack is not told how its tasks go");
    if (!token && !s->token)
        return 0; /* no Slack, no signed callbacks */
    s->slack_bot = token != NULL;
    struct hk_config *cfg = hk_config_open(s->workdir, err);
    char *url = cfg ? hk_config_string(cfg, "honk.serve.slack.apiUrl") : NULL;
    hk_config_free(cfg);
    if (cfg)
        s->notify = hk_notify_new(s->loop, url ? url : "https://slack.com/api", token, err);
    free(url);
    free(token);
    if (s->notify) {
        char *keep = hk_xasprintf("%s/honk/serve/undelivered.jsonl", s->gitdir);
        hk_notify_keep(s->notify, keep);
        free(keep);
        size_t again = hk_notify_resend(s->notify);
        if (again)
            hk_serve_log("%zu call%s an earlier serve could not deliver %s tried again", again,
                         again == 1 ? "" : "s", again == 1 ? "is" : "are");
    }
    return s->notify ? 0 : -1;
}

static char *self_path(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return hk_xstrdup("honk");
    buf[n] = 0;
    return hk_xstrdup(buf);
}

static void serve_free(struct hk_serve *s)
{
    hk_serve_exec_free(s);
    for (size_t i = 0; i < s->nruns; i++) {
        hk_worker_free(s->runs[i]->worker);
        free(s->runs[i]->test_command);
        free(s->runs[i]->commit);
        free(s->runs[i]->landed);
        free(s->runs[i]);
    }
    free(s->runs);
    for (size_t i = 0; i < s->nrates; i++)
        free(s->rates[i].who);
    free(s->rates);
    for (size_t i = 0; i < s->nreplied; i++)
        free(s->replied[i]);
    hk_notify_free(s->notify);
    hk_http_stop(s->http);
    if (s->inotify >= 0)
        close(s->inotify);
    if (s->lock >= 0)
        close(s->lock);
    hk_serve_queue_close(s->queue);
    free_settings(s);
    free(s->slack_secret);
    free(s->token);
    free(s->honk);
    free(s->gitdir);
    free(s->workdir);
    hk_repo_close(s->repo);
    hk_loop_free(s->loop);
}

int hk_serve_run(const struct hk_serve_opts *opts, char **err)
{
    struct hk_serve s = {.inotify = -1, .lock = -1};
    int rc = 1;
    signal(SIGPIPE, SIG_IGN); /* MHD writes to sockets whose peer may be gone */
    if (hk_serve_libs_load(err) != 0 || open_repo(&s, err) != 0 || read_settings(&s, opts, err) != 0)
        goto out;
    s.slack_secret = secret_from_env("SLACK_SIGNING_SECRET");
    s.token = secret_from_env("HONK_SERVE_TOKEN");
    s.honk = self_path();
    s.loop = hk_loop_new();
    if (!(s.queue = hk_serve_queue_open(s.gitdir, err)) || take_lock(&s, err) != 0 || listen_on(&s, opts, err) != 0)
        goto out;
    if (start_notify(&s, err) != 0)
        goto out;
    if (!s.slack_secret)
        hk_serve_log("SLACK_SIGNING_SECRET is not set: Slack requests are refused");
    if (!s.token)
        hk_serve_log("HONK_SERVE_TOKEN is not set: the JSON API is refused");
    hk_loop_on_signal(s.loop, SIGCHLD, hk_serve_reap, &s);
    hk_loop_on_signal(s.loop, SIGTERM, on_stop, &s);
    hk_loop_on_signal(s.loop, SIGINT, on_stop, &s);
    hk_loop_on_signal(s.loop, SIGHUP, on_hup, &s);
    watch_queue(&s);
    recover(&s);
    hk_serve_dispatch(&s);
    hk_loop_run(s.loop);
    if (s.notify && hk_notify_pending(s.notify))
        hk_serve_log("%zu calls to Slack were not delivered before the stop; the next honk serve tries them again",
                     hk_notify_pending(s.notify));
    hk_serve_log("stopped");
    rc = 0;
out:
    serve_free(&s);
    return rc;
}

int hk_serve_enqueue(const char *task, const char *base, char **id, char **err)
{
    struct hk_serve s = {.inotify = -1, .lock = -1};
    int rc = -1;
    if (open_repo(&s, err) != 0 || !(s.queue = hk_serve_queue_open(s.gitdir, err)))
        goto out;
    struct hk_serve_task *t = hk_xcalloc(1, sizeof *t);
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    const char *user = getenv("USER");
    t->task = hk_xstrdup(task);
    t->base = base ? hk_xstrdup(base) : NULL;
    t->from = hk_xstrdup("queue");
    t->user = hk_xasprintf("%s@%s", user && *user ? user : "someone", host);
    if (hk_serve_queue_add(s.queue, t, err) != 0) {
        hk_serve_task_free(t);
        goto out;
    }
    *id = hk_xstrdup(t->id);
    rc = 0;
out:
    serve_free(&s);
    return rc;
}
