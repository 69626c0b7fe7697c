/* `honk run TASK` and `honk resume ID`: the whole agent loop headless, for
 * scripts, CI and chat bridges. Progress for people on stderr; with --json
 * one event per line on stdout. A decision nobody can make here ends the
 * run with status 3 and leaves the session resumable; with --wait the run
 * stays at it until a client of the session's socket answers it. */
#include "commands.h"
#include "flags.h"
#include "json.h"
#include "printer.h"
#include "session.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { HK_EXIT_UNDECIDED = 3 };

struct run {
    struct hk_loop *loop;
    struct hk_session *session;
    struct hk_printer printer;
    int json;
    int deploy;
    int status;
    int finished;
    int wait;             /* --wait: stay at a decision for a client to answer */
    long wait_timeout_ms; /* 0: no limit */
    char *held;           /* the wait stayed at ("kind id"), or NULL */
    enum hk_wait_kind held_kind;
    uint64_t wait_timer;
};

static void stop(struct run *r, int status)
{
    r->status = status;
    r->finished = 1;
}

/* Today's sentence for a wait nobody can answer here, with how to resume. */
static void say_undecided(struct run *r, enum hk_wait_kind wait)
{
    struct hk_session *s = r->session;
    const char *id = hk_session_id(s), *what = hk_session_waiting_for(s);
    if (wait == HK_WAIT_MESSAGE)
        fprintf(stderr, "honk: session %s stopped at honk.maxTurns and stays resumable.\n"
                        "      Resume it: honk resume %s --accept (allows as many turns again)\n", id, id);
    else if (wait == HK_WAIT_COMMIT)
        fprintf(stderr, "honk: session %s is ready for review and waits for approval to commit, which nobody can give here.\n"
                        "      Resume it: honk resume %s --accept (or --approve=all)\n", id, id);
    else
        fprintf(stderr, "honk: session %s waits for %s, which nobody can give here.\n"
                        "      Resume it: honk resume %s --accept (or --reject REASON, or --approve=all)\n",
                id, what ? what : "a decision", id);
}

/* What names a wait: its kind and id. A proposal's state event comes again
 * as its hunks are decided; that is still the same wait. */
static char *wait_key(struct hk_session *s)
{
    cJSON *w = hk_session_waiting(s);
    char *key = w ? hk_xasprintf("%s %s", hk_json_str(w, "kind") ? hk_json_str(w, "kind") : "",
                                 hk_json_str(w, "id") ? hk_json_str(w, "id") : "")
                  : NULL;
    cJSON_Delete(w);
    return key;
}

static void release(struct run *r)
{
    if (r->wait_timer)
        hk_loop_cancel_timer(r->loop, r->wait_timer);
    r->wait_timer = 0;
    free(r->held);
    r->held = NULL;
}

static void wait_timed_out(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct run *r = data;
    r->wait_timer = 0;
    say_undecided(r, r->held_kind);
    stop(r, HK_EXIT_UNDECIDED);
}

/* --wait: stays in the loop at the decision, said once per wait. */
static void hold(struct run *r, enum hk_wait_kind wait)
{
    struct hk_session *s = r->session;
    char *key = wait_key(s);
    if (r->held && key && !strcmp(key, r->held)) {
        free(key);
        return;
    }
    release(r);
    r->held = key;
    r->held_kind = wait;
    const char *what = wait == HK_WAIT_MESSAGE ? "more turns (it stopped at honk.maxTurns)" : hk_session_waiting_for(s);
    fprintf(stderr, "honk: session %s waits for %s; answer it from another terminal: honk attach %s\n",
            hk_session_id(s), what ? what : "a decision", hk_session_id(s));
    if (r->wait_timeout_ms > 0)
        r->wait_timer = hk_loop_add_timer(r->loop, r->wait_timeout_ms, wait_timed_out, r);
}

/* A decision nobody can make here: exit 3, or with --wait stay for it. */
static void undecided(struct run *r, enum hk_wait_kind wait)
{
    if (r->wait) {
        hold(r, wait);
        return;
    }
    say_undecided(r, wait);
    stop(r, HK_EXIT_UNDECIDED);
}

/* A state that no longer waits for what the run stayed at ends the stay. */
static void release_if_answered(struct run *r)
{
    char *key = r->held ? wait_key(r->session) : NULL;
    if (r->held && (!key || strcmp(key, r->held)))
        release(r);
    free(key);
}

/* Decided from the state and what it waits for, never from a sentence. */
static void on_state(struct run *r, int state, enum hk_wait_kind wait)
{
    struct hk_session *s = r->session;
    if (!s)
        return; /* events read back from the journal while resuming */
    release_if_answered(r);
    if (state == HK_STATE_DONE)
        stop(r, HK_EXIT_OK);
    else if (state == HK_STATE_FAILED)
        stop(r, HK_EXIT_FAILED);
    else if (state == HK_STATE_CANCELLED)
        stop(r, HK_EXIT_INTERRUPTED);
    else if (wait == HK_WAIT_MESSAGE && hk_session_out_of_money(s)) {
        fprintf(stderr, "honk: session %s stopped at the cost limit and stays resumable.\n"
                        "      Resume it with a higher one: honk resume %s --max-cost USD\n",
                hk_session_id(s), hk_session_id(s));
        stop(r, HK_EXIT_UNDECIDED);
    } else if (wait == HK_WAIT_MESSAGE && hk_session_out_of_turns(s)) {
        undecided(r, wait);
    } else if (wait == HK_WAIT_MESSAGE) {
        fprintf(stderr, "honk: the model stopped without a change to commit\n");
        stop(r, HK_EXIT_FAILED);
    } else if (wait == HK_WAIT_DEPLOY && !r->deploy) {
        char *err = NULL;
        /* headless deploys only when asked to */
        if (hk_session_command(s, "{\"command\": \"skip_deploy\"}", &err) != 0) {
            fprintf(stderr, "honk: %s\n", err);
            stop(r, HK_EXIT_FAILED);
        }
        free(err);
    } else if (wait != HK_WAIT_NONE && wait != HK_WAIT_COMMIT) { /* the commit: waits_in_review */
        undecided(r, wait);
    }
}

static int waits_in_review(struct run *r)
{
    if (hk_session_wait(r->session) != HK_WAIT_COMMIT)
        return 0;
    undecided(r, HK_WAIT_COMMIT);
    return r->finished;
}

static void on_event(const struct hk_event *ev, void *user)
{
    struct run *r = user;
    if (r->json)
        hk_printer_json(stdout, ev);
    hk_printer_event(&r->printer, ev);
    if (ev->kind == HK_EV_STATE)
        on_state(r, hk_state_event_state(ev), hk_state_event_wait(ev));
}

/* --accept or --reject answers what waits, by the same command a cockpit
 * gives; a refusal is said and the run goes on from the state as it is. */
static void answer(struct hk_session *s, const char *verdict, const char *reason)
{
    cJSON *waiting = hk_session_waiting(s);
    cJSON *cmd = cJSON_CreateObject();
    cJSON_AddStringToObject(cmd, "command", "answer");
    cJSON_AddStringToObject(cmd, "wait", hk_json_str(waiting, "kind") ? hk_json_str(waiting, "kind") : "");
    if (hk_json_str(waiting, "id"))
        cJSON_AddStringToObject(cmd, "id", hk_json_str(waiting, "id"));
    cJSON_AddBoolToObject(cmd, "approve", !strcmp(verdict, "accept"));
    if (reason)
        cJSON_AddStringToObject(cmd, "reason", reason);
    char *err = NULL;
    if (hk_session_command_json(s, cmd, &err) != 0)
        fprintf(stderr, "honk: %s\n", err);
    free(err);
    cJSON_Delete(cmd);
    cJSON_Delete(waiting);
}

/* The exit summary: tokens and cost, for people, and as the last line of --json. */
static void print_usage(const struct run *r, const struct hk_session *s, const struct hk_model_settings *m)
{
    const struct hk_usage_total *u = hk_session_usage(s);
    char *sentence = hk_usage_sentence(u, m->model);
    fprintf(stderr, "honk: %s\n", sentence);
    free(sentence);
    if (!r->json)
        return;
    cJSON *d = hk_usage_json(u);
    cJSON_AddStringToObject(d, "id", hk_session_id(s));
    cJSON_AddStringToObject(d, "model", m->model);
    struct hk_event ev = {HK_EV_SUMMARY, hk_wall_ms(), d};
    hk_printer_json(stdout, &ev);
    cJSON_Delete(d);
}

static void on_interrupt(struct hk_loop *loop, int signo, void *data)
{
    (void)loop;
    (void)signo;
    struct run *r = data;
    char *err = NULL;
    if (r->session)
        hk_session_command(r->session, "{\"command\": \"cancel\"}", &err);
    free(err);
    /* A session that had ended already has nothing to cancel: honk still ends. */
    if (!r->finished)
        stop(r, HK_EXIT_INTERRUPTED);
}

struct run_args {
    struct hk_model_flags model;
    struct hk_session_opts opts;
    const char *answer;  /* "accept" or "reject" when resuming */
    const char *reason;
    int json;
    int wait;             /* --wait 1, --no-wait 0, -1: honk.run.wait */
    long wait_timeout_ms; /* --wait-timeout, -1: honk.run.waitTimeout */
};

static void run_usage(FILE *out, int resume)
{
    hk_usage(resume ? "resume" : "run", out);
}

/* Options may come before or after the operands (GNU style); `--` ends
 * them. Operands are moved to the front of argv; returns their count, or -1
 * after a usage message. */
static int parse_args(int argc, char **argv, struct run_args *a, int resume)
{
    int n = 0, rc, options = 1;
    const char *v;
    for (int i = 1; i < argc; i++) {
        if (!options || argv[i][0] != '-' || !argv[i][1]) {
            argv[n++] = argv[i];
        } else if (!strcmp(argv[i], "--")) {
            options = 0;
        } else if (!strcmp(argv[i], "--json")) {
            a->json = 1;
        } else if (!strcmp(argv[i], "--deploy")) {
            a->opts.deploy = 1;
        } else if (!strcmp(argv[i], "--wait") || !strcmp(argv[i], "--no-wait")) {
            a->wait = argv[i][2] == 'w';
        } else if ((rc = hk_flag_value(argc, argv, &i, "--wait-timeout", &v))) {
            if (rc < 0 || hk_flag_number("--wait-timeout", v, 1000, &a->wait_timeout_ms) < 0)
                return -1;
            if (a->wait < 0)
                a->wait = 1; /* a limit on waiting asks for the wait */
        } else if (!resume && !strcmp(argv[i], "--with-changes")) {
            a->opts.with_changes = 1;
        } else if (resume && !strcmp(argv[i], "--accept")) {
            a->answer = "accept";
        } else if (resume && (rc = hk_flag_value(argc, argv, &i, "--reject", &a->reason))) {
            if (rc < 0)
                return -1;
            a->answer = "reject";
        } else if (!resume && (rc = hk_flag_value(argc, argv, &i, "--base", &a->opts.base))) {
            if (rc < 0)
                return -1;
        } else if ((rc = hk_flag_value(argc, argv, &i, "--max-iterations", &v))) {
            if (rc < 0 || hk_flag_number("--max-iterations", v, 1, &a->opts.max_iterations) < 0)
                return -1;
        } else if ((rc = hk_flag_value(argc, argv, &i, "--push", &a->opts.push))) {
            if (rc < 0)
                return -1;
        } else if (!resume && (rc = hk_flag_value(argc, argv, &i, "--id", &a->opts.id))) {
            if (rc < 0)
                return -1;
        } else if ((rc = hk_flag_value(argc, argv, &i, "--approve", &v))) {
            enum hk_approve_policy p;
            if (rc < 0 || hk_approve_policy_parse(v, &p) != 0) {
                fprintf(stderr, "honk: --approve takes %s\n", hk_approve_policy_choices());
                return -1;
            }
            a->opts.approve = (int)p;
        } else if ((rc = hk_flag_model(argc, argv, &i, &a->model))) {
            if (rc < 0)
                return -1;
        } else {
            fprintf(stderr, "honk: unknown option %s\n", argv[i]);
            run_usage(stderr, resume);
            return -1;
        }
    }
    return n;
}

/* --wait and --wait-timeout over honk.run.wait and honk.run.waitTimeout. */
static int wait_settings(struct hk_config *cfg, const struct run_args *a, struct run *r, char **err)
{
    int wait = 0;
    long timeout_ms = 0;
    if ((a->wait < 0 && hk_config_bool(cfg, "honk.run.wait", &wait, err) != 0) ||
        (a->wait_timeout_ms < 0 && hk_config_seconds(cfg, "honk.run.waitTimeout", &timeout_ms, err) != 0))
        return -1;
    r->wait = a->wait < 0 ? wait : a->wait;
    r->wait_timeout_ms = a->wait_timeout_ms < 0 ? timeout_ms : a->wait_timeout_ms;
    return 0;
}

static int drive(struct run_args *a, const char *resume_id)
{
    char *err = NULL;
    struct hk_repo *repo = NULL;
    struct hk_config *cfg = NULL;
    struct hk_model_settings settings = {0};
    struct run r = {.printer = {.out = stderr}, .json = a->json, .deploy = a->opts.deploy == 1};
    int status = HK_EXIT_USAGE;
    if (hk_repo_open(&repo, ".", &err) != 0 || !(cfg = hk_config_open(NULL, &err)) ||
        hk_model_settings_resolve(cfg, &a->model, &settings, &err) != 0) {
        fprintf(stderr, "honk: %s\n", err);
        goto out;
    }
    if (wait_settings(cfg, a, &r, &err) != 0) {
        fprintf(stderr, "honk: %s\n", err);
        goto out;
    }
    a->opts.model = &settings;
    a->opts.config = cfg;
    r.loop = hk_loop_new();
    hk_loop_on_signal(r.loop, SIGINT, on_interrupt, &r);
    hk_loop_on_signal(r.loop, SIGTERM, on_interrupt, &r);
    struct hk_session *s = hk_session_start(r.loop, repo, resume_id, &a->opts, on_event, &r, &err);
    if (!s) {
        fprintf(stderr, "honk: %s\n", err);
        goto out;
    }
    r.session = s;
    r.finished = 0;
    if (hk_session_state(s) == HK_STATE_DONE) {
        /* Nothing is left to do or to answer: say so and end. */
        fprintf(stderr, "honk: session %s is done already; there is nothing to resume\n", hk_session_id(s));
        stop(&r, HK_EXIT_OK);
    } else if (a->answer) {
        answer(s, a->answer, a->reason);
    }
    /* The answer may have changed nothing (no such wait): the state as it is decides. */
    if (!r.finished)
        on_state(&r, hk_session_state(s), hk_session_wait(s));
    /* Review is where the approve-all policy commits at once; still in
     * review once the loop has dispatched, it waits for a person. */
    while (!r.finished && !waits_in_review(&r))
        hk_loop_run_once(r.loop, -1);
    status = r.status;
    hk_session_publish_end(s);
    print_usage(&r, s, &settings);
    release(&r);
    hk_session_free(s);
out:
    free(err);
    hk_loop_free(r.loop);
    hk_model_settings_free(&settings);
    hk_config_free(cfg);
    hk_repo_close(repo);
    return status;
}

int hk_cmd_run(int argc, char **argv)
{
    struct run_args a = {.model = HK_MODEL_FLAGS_NONE, .opts = {.approve = -1, .deploy = -1}, .wait = -1,
                        .wait_timeout_ms = -1};
    int n = parse_args(argc, argv, &a, 0);
    if (n < 0)
        return HK_EXIT_USAGE;
    if (n == 0) {
        run_usage(stderr, 0);
        return HK_EXIT_USAGE;
    }
    struct hk_buf task = {0};
    for (int i = 0; i < n; i++) {
        if (strcmp(argv[i], "-") != 0) {
            hk_buf_printf(&task, "%s%s", i ? " " : "", argv[i]);
            continue;
        }
        /* Only when asked: a headless run's stdin may be a pipe nobody closes. */
        if (isatty(STDIN_FILENO))
            fprintf(stderr, "honk run: reading the task from standard input (Ctrl-D to end)\n");
        hk_buf_adds(&task, i ? "\n\n" : "");
        char chunk[4096];
        size_t got;
        /* A short read is the end: a terminal's Ctrl-D is not sticky, and
         * reading on would wait for a second one. */
        while ((got = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
            hk_buf_add(&task, chunk, got);
            if (got < sizeof chunk)
                break;
        }
    }
    if (!task.len) {
        fprintf(stderr, "honk run: the task is empty\n");
        hk_buf_free(&task);
        return HK_EXIT_USAGE;
    }
    a.opts.task = task.data;
    signal(SIGPIPE, SIG_IGN);
    int status = drive(&a, NULL);
    hk_buf_free(&task);
    return status;
}

int hk_cmd_resume(int argc, char **argv)
{
    struct run_args a = {.model = HK_MODEL_FLAGS_NONE, .opts = {.approve = -1, .deploy = -1}, .wait = -1,
                        .wait_timeout_ms = -1};
    int n = parse_args(argc, argv, &a, 1);
    if (n < 0)
        return HK_EXIT_USAGE;
    if (n != 1) {
        run_usage(stderr, 1);
        return HK_EXIT_USAGE;
    }
    char *id = hk_session_id_given(argv[0]);
    if (!id)
        return HK_EXIT_USAGE;
    int status;
    /* In a terminal, with nothing to decide on the command line and no
     * --wait for someone else to decide: the cockpit. */
    if (!a.json && !a.answer && a.wait != 1 && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
        struct hk_cockpit_args c = {.resume_id = id, .model = a.model, .session = a.opts};
        status = hk_cockpit_main(&c);
    } else {
        signal(SIGPIPE, SIG_IGN);
        status = drive(&a, id);
    }
    free(id);
    return status;
}
