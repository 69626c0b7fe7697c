/* `honk [TASK]` and `honk resume ID` in a terminal: the cockpit driving a
 * session. This file only connects the two: session events go to the
 * cockpit, the engineer's keys become session commands. */
#include "cockpit.h"
#include "json.h"
#include "commands.h"
#include "inbox.h"
#include "config.h"
#include "deploy.h"
#include "diff_sources.h"
#include "flags.h"
#include "runner.h"
#include "session.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct app {
    struct hk_loop *loop;
    struct hk_repo *repo;
    struct hk_config *cfg;
    struct hk_model_settings settings;
    struct hk_session_opts opts;
    struct hk_session *session;
    struct hk_cockpit *ck;
    struct hk_runner *shown_runner;
    cJSON *reasons;      /* "p1:3" -> the engineer's reason for rejecting it */
    char *shown_proposal;
    bool whole_shown;    /* Diff shows the whole change, not one proposal */
    cJSON *waiting;      /* what the last state event said waits: an answer names it */
    bool stages_known;   /* the session has named its deploy stages itself */
    /* for the summary printed on exit */
    char *task, *state, *commit, *deploy, *land;
    int approved, rejected;
    bool deploy_failed; /* the stages skipped after a failure must not hide it */
    /* detach: the session runs on headless in a child, the terminal given back */
    bool detach_asked, detached;
    uint64_t detach_timer;
};

static void note(struct app *a, enum hk_event_kind kind, const char *message)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "message", message);
    struct hk_event ev = {kind, 0, d};
    hk_cockpit_event(a->ck, &ev);
    cJSON_Delete(d);
}

static void replace(char **slot, const char *value)
{
    free(*slot);
    *slot = value ? hk_xstrdup(value) : NULL;
}

/* Tests shows the test run: while a deploy stage runs the session's runner
 * is the stage's, whose output is Deploy's (under the tests' header it once
 * blanked the finished run). */
static void sync_runner(struct app *a)
{
    if (a->session && hk_session_state(a->session) == HK_STATE_DEPLOYING)
        return;
    struct hk_runner *r = a->session ? hk_session_runner(a->session) : NULL;
    if (r == a->shown_runner)
        return;
    a->shown_runner = r;
    hk_cockpit_set_test_runner(a->ck, r);
}

static void on_runner_change(struct hk_runner *r, void *user)
{
    (void)r;
    struct app *a = user;
    if (a->detached)
        return;
    sync_runner(a);
    hk_cockpit_test_changed(a->ck);
}

static const struct hk_proposal *find_proposal(struct app *a, const char *id)
{
    for (size_t i = 0; id && i < hk_session_proposal_count(a->session); i++)
        if (!strcmp(hk_session_proposal(a->session, i)->id, id))
            return hk_session_proposal(a->session, i);
    return NULL;
}

/* Shows proposal id in Diff: a new one replaces the view, a changed one is
 * updated in place so the engineer keeps their place in it. */
static void show_proposal(struct app *a, const char *id)
{
    const struct hk_proposal *p = find_proposal(a, id);
    if (!p)
        return;
    struct hk_diffview *dv = hk_cockpit_diff(a->ck);
    if (dv && a->shown_proposal && !strcmp(a->shown_proposal, id)) {
        hk_diffview_update_states(dv, p, a->reasons);
        hk_cockpit_diff_changed(a->ck);
        return;
    }
    replace(&a->shown_proposal, id);
    a->whole_shown = false;
    dv = hk_diffview_from_proposal(p, a->reasons);
    size_t n = hk_session_proposal_count(a->session), at = 0;
    while (at < n && hk_session_proposal(a->session, at) != p)
        at++;
    /* "Proposal p2 (2 of 3): ..." */
    const char *colon = strchr(dv->summary, ':');
    char *title = hk_xasprintf("%.*s (%zu of %zu)%s", colon ? (int)(colon - dv->summary) : 0, dv->summary, at + 1, n,
                               colon ? colon : "");
    free(dv->summary);
    dv->summary = title;
    hk_cockpit_set_diff(a->ck, dv);
}

static bool any_hunk_pending(struct app *a)
{
    for (size_t i = 0; i < hk_session_proposal_count(a->session); i++) {
        const struct hk_proposal *p = hk_session_proposal(a->session, i);
        for (size_t f = 0; f < p->nfiles; f++)
            for (size_t h = 0; h < p->files[f].nhunks; h++)
                if (p->files[f].hunks[h].state == HK_HUNK_PENDING && p->files[f].hunks[h].result != HK_HUNK_FAILED)
                    return true;
    }
    return false;
}

/* Shows everything the task changed, as the review and the commit see it.
 * Once every hunk is decided, only approved ones are left in the worktree,
 * so they show as approved; before that, the pending ones are in it too. */
static void show_whole_change(struct app *a)
{
    struct hk_diff *d = NULL;
    char *err = NULL;
    if (hk_session_diff(a->session, &d, &err) != 0) {
        note(a, HK_EV_ERROR, err);
        free(err);
        return;
    }
    size_t added = 0, deleted = 0;
    for (size_t f = 0; f < d->nfiles; f++)
        added += d->files[f].added, deleted += d->files[f].deleted;
    bool pending = any_hunk_pending(a);
    char *title = hk_xasprintf("The whole change: %zu file%s +%zu -%zu%s", d->nfiles, d->nfiles == 1 ? "" : "s",
                               added, deleted, pending ? ", undecided hunks included" : "");
    struct hk_diffview *dv = hk_diffview_from_diff(d, "whole", title);
    free(title);
    hk_diff_free(d);
    for (int f = 0; f < dv->nfiles && !pending; f++)
        for (int h = 0; h < dv->files[f].nhunks; h++)
            dv->files[f].hunks[h].state = HK_DV_APPROVED;
    replace(&a->shown_proposal, NULL);
    a->whole_shown = true;
    hk_cockpit_set_diff(a->ck, dv);
}

static void remember(struct app *a, const struct hk_event *ev)
{
    const cJSON *d = ev->data;
    const char *verdict = hk_json_str(d, "verdict");
    switch (ev->kind) {
    case HK_EV_TASK: replace(&a->task, hk_json_str(d, "task")); break;
    case HK_EV_STATE:
        replace(&a->state, hk_json_str(d, "state"));
        cJSON_Delete(a->waiting);
        a->waiting = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(d, "waiting"), 1);
        break;
    case HK_EV_COMMIT: replace(&a->commit, hk_json_str(d, "commit")); break;
    case HK_EV_LAND: replace(&a->land, hk_json_str(d, "message")); break;
    case HK_EV_DEPLOY_STAGE:
        if (hk_json_str(d, "state") && hk_stage_state_parse(hk_json_str(d, "state")) != HK_STAGE_RUNNING &&
            !a->deploy_failed) {
            char *s = hk_xasprintf("%s %s", hk_json_str(d, "stage"), hk_json_str(d, "state"));
            replace(&a->deploy, s);
            free(s);
            a->deploy_failed = hk_stage_state_parse(hk_json_str(d, "state")) == HK_STAGE_FAILED;
        }
        break;
    case HK_EV_DECISION:
        if (!verdict)
            break;
        a->approved += hk_verdict_parse(verdict) == HK_VERDICT_APPROVE || hk_verdict_parse(verdict) == HK_VERDICT_EDIT;
        a->rejected += hk_verdict_parse(verdict) == HK_VERDICT_REJECT;
        if (hk_verdict_parse(verdict) == HK_VERDICT_REJECT && hk_json_str(d, "reason")) {
            char key[64];
            const cJSON *hunk = cJSON_GetObjectItemCaseSensitive(d, "hunk");
            snprintf(key, sizeof key, "%s:%d", hk_json_str(d, "proposal"), cJSON_IsNumber(hunk) ? hunk->valueint : -1);
            cJSON_DeleteItemFromObjectCaseSensitive(a->reasons, key);
            cJSON_AddStringToObject(a->reasons, key, hk_json_str(d, "reason"));
        }
        break;
    default:
        break;
    }
}

/* While the deploy waits for approval, Deploy lists the stages that would
 * run (the session names them only once they start): the wait names them. */
static void show_waiting_stages(struct app *a, const struct hk_event *ev)
{
    a->stages_known |= ev->kind == HK_EV_DEPLOY_STAGE;
    if (hk_state_event_wait(ev) != HK_WAIT_DEPLOY || a->stages_known)
        return; /* once the session has said how its stages stand (a resume), that stands */
    const cJSON *stages = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ev->data, "waiting"),
                                                           "stages");
    const cJSON *name;
    cJSON_ArrayForEach(name, stages) {
        if (!cJSON_IsString(name))
            continue;
        cJSON *data = cJSON_CreateObject();
        cJSON_AddStringToObject(data, "stage", name->valuestring);
        cJSON_AddStringToObject(data, "state", "pending");
        struct hk_event stage = {HK_EV_DEPLOY_STAGE, ev->time_ms, data};
        hk_cockpit_event(a->ck, &stage);
        cJSON_Delete(data);
    }
}

static void detached_event(struct app *a, const struct hk_event *ev);
static void detach_soon(struct app *a);

static void on_event(const struct hk_event *ev, void *user)
{
    struct app *a = user;
    if (a->detached) {
        detached_event(a, ev);
        return;
    }
    if (a->detach_asked)
        detach_soon(a); /* a run that ended may let it happen now */
    remember(a, ev);
    show_waiting_stages(a, ev);
    hk_cockpit_event(a->ck, ev);
    if (ev->kind == HK_EV_PROPOSAL && a->session)
        show_proposal(a, hk_json_str(ev->data, "id"));
    sync_runner(a);
}

/* --- the engineer's actions ---------------------------------------------- */

/* A session this cockpit runs, or (attach_id) one another process runs. */
static int start_session(struct app *a, const char *resume_id, const char *task, const struct hk_cockpit_args *args)
{
    char *err = NULL;
    a->opts.task = task;
    if (args && args->attach_id) {
        struct hk_attach_opts o = {.name = args->name, .watch = args->watch};
        a->session = hk_session_attach(a->loop, a->repo, args->attach_id, &o, on_event, a, &err);
    } else {
        a->session = hk_session_start(a->loop, a->repo, resume_id, &a->opts, on_event, a, &err);
    }
    if (!a->session) {
        note(a, HK_EV_ERROR, err);
        free(err);
        return -1;
    }
    hk_cockpit_set_self(a->ck, hk_session_who(a->session));
    if (!hk_session_attached(a->session))
        hk_cockpit_forget_others(a->ck); /* those attached to the process it resumes from are gone */
    hk_session_watch_runner(a->session, on_runner_change, a);
    cJSON_Delete(a->waiting); /* a resumed session's events were not delivered */
    a->waiting = hk_session_waiting(a->session);
    sync_runner(a); /* a resumed session shows its last run's output */
    /* Proposals read back from the journal are not shown by events. */
    size_t n = hk_session_proposal_count(a->session);
    if (n)
        show_proposal(a, hk_session_proposal(a->session, n - 1)->id);
    return 0;
}

/* Every key that acts on the session is one command, the same JSON a
 * socket would send; a refusal is said in Chat. 0: it took effect; 1: sent
 * to the process that runs the session (attached), whose events tell the
 * outcome; -1: refused. Takes cmd. */
static int command(struct app *a, cJSON *cmd, bool quiet)
{
    char *err = NULL;
    int rc = hk_session_command_json(a->session, cmd, &err);
    if (rc < 0 && !quiet)
        note(a, HK_EV_ERROR, err);
    free(err);
    cJSON_Delete(cmd);
    return rc;
}

static cJSON *new_command(const char *name)
{
    cJSON *cmd = cJSON_CreateObject();
    cJSON_AddStringToObject(cmd, "command", name);
    return cmd;
}

static void act_send(const char *text, void *data)
{
    struct app *a = data;
    if (!a->session) {
        start_session(a, NULL, text, NULL);
        return;
    }
    cJSON *cmd = new_command("send");
    cJSON_AddStringToObject(cmd, "text", text);
    command(a, cmd, false);
}

static void act_interrupt(void *data)
{
    struct app *a = data;
    /* Esc also backs out of other things: nothing to interrupt is no error. */
    if (a->session)
        command(a, new_command("interrupt"), true);
}

/* One decision as the command a socket would send; seen: the hunk's state
 * as the engineer saw it (refused if it changed), or NULL. */
static int decide(struct app *a, const char *proposal, int hunk, enum hk_verdict verdict, const char *reason,
                  const char *edited, const char *seen)
{
    static const char *const verdicts[] = {"approve", "reject", "edit"};
    cJSON *cmd = new_command("decide");
    cJSON_AddStringToObject(cmd, "proposal", proposal ? proposal : "");
    cJSON_AddNumberToObject(cmd, "hunk", hunk);
    cJSON_AddStringToObject(cmd, "verdict", verdicts[verdict]);
    if (reason)
        cJSON_AddStringToObject(cmd, "reason", reason);
    if (edited)
        cJSON_AddStringToObject(cmd, "text", edited);
    if (seen)
        cJSON_AddStringToObject(cmd, "state", seen);
    return command(a, cmd, false);
}

/* A or R once some of the proposal's hunks are decided: those stay as they
 * are, each undecided one gets the verdict (and the reason), and Chat says
 * how many of each. Returns false when no hunk is decided yet: the verdict
 * is then on the whole proposal, as the model is told. */
static bool decide_undecided(struct app *a, const char *id, enum hk_verdict verdict, const char *reason)
{
    const struct hk_proposal *p = find_proposal(a, id);
    size_t decided = 0, n = 0, flat = 0, *todo = NULL;
    for (size_t f = 0; p && f < p->nfiles; f++)
        for (size_t h = 0; h < p->files[f].nhunks; h++, flat++) {
            const struct hk_hunk *hk = &p->files[f].hunks[h];
            if (hk->result == HK_HUNK_FAILED)
                continue; /* left to the engine, as a whole-proposal verdict does */
            if (hk->state != HK_HUNK_PENDING) {
                decided++;
                continue;
            }
            todo = hk_xrealloc(todo, (n + 1) * sizeof *todo);
            todo[n++] = flat;
        }
    if (!decided) {
        free(todo);
        return false;
    }
    size_t done = 0; /* the last one may end the wait: it goes last */
    int rc = 0;
    while (done < n && (rc = decide(a, id, (int)todo[done], verdict, reason, NULL, "pending")) >= 0)
        done++;
    free(todo);
    if (done < n || rc > 0)
        return true; /* the refusal is said; sent elsewhere, the outcome will be */
    const char *did = verdict == HK_VERDICT_APPROVE ? "Approved" : "Rejected";
    char *msg = n ? hk_xasprintf("%s the %zu undecided hunk%s; the %zu already decided stay as they were.", did, n,
                                 n == 1 ? "" : "s", decided)
                  : hk_xasprintf("All %zu hunks are already decided; nothing changed (u takes a decision back).", decided);
    note(a, HK_EV_NOTE, msg);
    free(msg);
    return true;
}

/* The state hunk (flat) of proposal id is in now: what a decision carries
 * when the Diff pane did not say what it showed. */
static const char *seen_state(struct app *a, const char *id, int hunk)
{
    const struct hk_proposal *p = find_proposal(a, id);
    for (size_t f = 0; p && hunk >= 0 && f < p->nfiles; f++) {
        if ((size_t)hunk < p->files[f].nhunks)
            return hk_hunk_state_name(p->files[f].hunks[hunk].state);
        hunk -= (int)p->files[f].nhunks;
    }
    return NULL;
}

static void act_decide(const char *proposal, int hunk, enum hk_verdict verdict, const char *reason,
                       const char *edited, const char *seen, void *data)
{
    struct app *a = data;
    if (a->whole_shown)
        note(a, HK_EV_ERROR, "Hunks are decided in their proposals; [ goes back to them.");
    else if (a->session && (hunk >= 0 || !decide_undecided(a, proposal, verdict, reason)))
        decide(a, proposal, hunk, verdict, reason, edited, seen ? seen : seen_state(a, proposal, hunk));
}

/* The id of what the engineer saw waiting, or NULL. */
static const char *waiting_id(struct app *a)
{
    return hk_json_str(a->waiting, "id");
}

static void act_undo(void *data)
{
    struct app *a = data;
    if (!a->session)
        return;
    cJSON *cmd = new_command("undo");
    const char *id = hk_wait_kind_parse(hk_json_str(a->waiting, "kind")) == HK_WAIT_PROPOSAL ? waiting_id(a)
                                                                                               : a->shown_proposal;
    cJSON_AddStringToObject(cmd, "proposal", id ? id : "");
    command(a, cmd, false);
}

static void act_deploy(bool approve, void *data)
{
    struct app *a = data;
    if (!a->session)
        return;
    cJSON *cmd = new_command(approve ? "deploy" : "skip_deploy");
    if (hk_wait_kind_parse(hk_json_str(a->waiting, "kind")) == HK_WAIT_STAGE && waiting_id(a))
        cJSON_AddStringToObject(cmd, "stage", waiting_id(a));
    command(a, cmd, false);
}

static void act_commit(bool edit, void *data)
{
    struct app *a = data;
    if (!a->session || hk_session_state(a->session) != HK_STATE_REVIEW) {
        note(a, HK_EV_ERROR, "Nothing to commit yet: the session is not in review.");
        return;
    }
    cJSON *cmd = new_command("commit");
    if (edit) {
        char *proposed = hk_session_commit_message(a->session);
        char *message = hk_cockpit_edit(a->ck, proposed, ".txt");
        free(proposed);
        size_t n = message ? strlen(message) : 0;
        while (n && (message[n - 1] == '\n' || message[n - 1] == ' '))
            message[--n] = '\0';
        cJSON_AddStringToObject(cmd, "message", message ? message : "");
        free(message);
    }
    command(a, cmd, false);
}

/* y or x: the answer names the wait the engineer saw. */
static void act_answer(bool allow, void *data)
{
    struct app *a = data;
    if (!a->session)
        return;
    cJSON *cmd = new_command("answer");
    const char *kind = hk_json_str(a->waiting, "kind");
    cJSON_AddStringToObject(cmd, "wait", kind ? kind : "");
    if (waiting_id(a))
        cJSON_AddStringToObject(cmd, "id", waiting_id(a));
    cJSON_AddBoolToObject(cmd, "approve", allow);
    if (!allow)
        cJSON_AddStringToObject(cmd, "reason", "the engineer refused to run it");
    command(a, cmd, false);
}

static void act_browse(int step, void *data)
{
    struct app *a = data;
    size_t n = a->session ? hk_session_proposal_count(a->session) : 0, at = 0;
    while (at < n && (!a->shown_proposal || strcmp(hk_session_proposal(a->session, at)->id, a->shown_proposal)))
        at++;
    /* The whole change comes after the last proposal. */
    long next = (long)(a->whole_shown ? n : at) + step;
    if ((at == n && !a->whole_shown) || next < 0 || next > (long)n)
        return;
    if (next == (long)n)
        show_whole_change(a);
    else
        show_proposal(a, hk_session_proposal(a->session, (size_t)next)->id);
}

static void act_quit(void *data)
{
    struct app *a = data;
    hk_loop_stop(a->loop);
}

/* --- detaching: the session runs on in the background ------------------------ */

/* A test run, a command or a deploy stage is this process's child: only
 * its parent can reap it, so the session moves to a child process between
 * runs. */
static bool run_in_progress(struct app *a)
{
    struct hk_runner *r = hk_session_runner(a->session);
    return r && hk_runner_state(r) == HK_RUNNER_RUNNING;
}

/* In the background: SIGTERM (or SIGINT) cancels, as for honk run. */
static void on_detached_signal(struct hk_loop *loop, int signo, void *data)
{
    (void)signo;
    struct app *a = data;
    char *err = NULL;
    hk_session_command(a->session, "{\"command\": \"cancel\"}", &err);
    free(err);
    hk_loop_stop(loop);
}

/* The background process ends with the session. Nothing is drawn. */
static void detached_event(struct app *a, const struct hk_event *ev)
{
    remember(a, ev);
    int state = hk_state_event_state(ev);
    if (state >= 0 && hk_session_state_terminal((enum hk_session_state)state))
        hk_loop_stop(a->loop);
}

/* The child: a session of its own, off the terminal, on the same loop. */
static void go_background(struct app *a)
{
    setsid();
    int fd = open("/dev/null", O_RDWR);
    for (int i = 0; fd >= 0 && i < 3; i++)
        dup2(fd, i);
    if (fd > 2)
        close(fd);
    a->detached = true;
    hk_session_moved(a->session);
    hk_session_watch_runner(a->session, NULL, NULL);
    hk_loop_on_signal(a->loop, SIGTERM, on_detached_signal, a);
    hk_loop_on_signal(a->loop, SIGINT, on_detached_signal, a);
}

static void detach(struct app *a)
{
    const char *id = hk_session_id(a->session);
    hk_cockpit_release(a->ck);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "honk: could not leave session %s running (%s); it stops here, resumable: honk resume %s\n",
                id, strerror(errno), id);
        hk_loop_stop(a->loop);
        return;
    }
    if (pid == 0) {
        go_background(a);
        return;
    }
    /* The parent frees nothing: what it holds is the child's now. */
    printf("honk: session %s runs on in the background; attach to it: honk attach %s\n", id, id);
    fflush(stdout);
    _exit(HK_EXIT_OK);
}

static void detach_due(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct app *a = data;
    a->detach_timer = 0;
    if (!a->detach_asked || run_in_progress(a))
        return; /* the event that ends the run asks again */
    a->detach_asked = false;
    if (hk_session_state_terminal(hk_session_state(a->session)))
        note(a, HK_EV_NOTE, "The session ended before it could be left running; q quits.");
    else
        detach(a);
}

/* From the loop, with no cockpit code on the stack. */
static void detach_soon(struct app *a)
{
    if (!a->detach_timer)
        a->detach_timer = hk_loop_add_timer(a->loop, 0, detach_due, a);
}

static void act_detach(void *data)
{
    struct app *a = data;
    if (!a->session) {
        note(a, HK_EV_ERROR, "No session runs yet, so there is none to leave running; q quits.");
        return;
    }
    if (hk_session_attached(a->session)) {
        hk_loop_stop(a->loop); /* another process runs it: leaving is all there is to do, as q does */
        return;
    }
    if (hk_session_state_terminal(hk_session_state(a->session))) {
        note(a, HK_EV_ERROR, "The session has ended; there is nothing to leave running. q quits.");
        return;
    }
    if (run_in_progress(a) && !a->detach_asked)
        note(a, HK_EV_NOTE, "Leaving once the run in progress ends (it is this honk's child); the session then runs on.");
    a->detach_asked = true;
    detach_soon(a);
}

static const struct hk_cockpit_actions actions = {
    .send_message = act_send,
    .interrupt = act_interrupt,
    .decide = act_decide,
    .undo = act_undo,
    .deploy = act_deploy,
    .quit = act_quit,
    .commit = act_commit,
    .answer = act_answer,
    .browse = act_browse,
    .detach = act_detach,
};

/* --- running it ------------------------------------------------------------ */

static char *summary(const struct app *a)
{
    struct hk_buf b = {0};
    if (!a->session) {
        hk_buf_adds(&b, "honk: no task was started");
        return hk_buf_steal(&b);
    }
    const char *id = hk_session_id(a->session);
    enum hk_session_state state = hk_session_state(a->session);
    if (hk_session_attached(a->session)) {
        hk_buf_printf(&b, "honk: left session %s (%s): %s", id, a->state ? a->state : "?", a->task ? a->task : "");
        if (!hk_session_state_terminal(state))
            hk_buf_printf(&b, "\n  it goes on in its own process: honk attach %s (honk resume %s once that ended)",
                          id, id);
        return hk_buf_steal(&b);
    }
    hk_buf_printf(&b, "honk: session %s (%s): %s\n", id, a->state ? a->state : "?", a->task ? a->task : "");
    hk_buf_printf(&b, "  decisions: %d approved, %d rejected\n", a->approved, a->rejected);
    if (a->commit)
        hk_buf_printf(&b, "  commit %.12s on honk/%s%s%s\n", a->commit, id, a->land ? ": " : "", a->land ? a->land : "");
    if (a->deploy)
        hk_buf_printf(&b, "  deploy: %s\n", a->deploy);
    char *usage = hk_usage_sentence(hk_session_usage(a->session), a->settings.model);
    hk_buf_printf(&b, "  %s\n", usage);
    free(usage);
    enum hk_session_state st = hk_session_state(a->session);
    if (st != HK_STATE_DONE && st != HK_STATE_CANCELLED)
        hk_buf_printf(&b, "  continue it with: honk resume %s\n", id);
    return hk_buf_steal(&b);
}

static void free_app(struct app *a)
{
    hk_session_free(a->session);
    hk_model_settings_free(&a->settings);
    hk_config_free(a->cfg);
    hk_repo_close(a->repo);
    hk_loop_free(a->loop);
    cJSON_Delete(a->reasons);
    cJSON_Delete(a->waiting);
    free(a->shown_proposal);
    free(a->task);
    free(a->state);
    free(a->commit);
    free(a->deploy);
    free(a->land);
}

int hk_cockpit_main(const struct hk_cockpit_args *args)
{
    struct app a = {.opts = args->session, .reasons = cJSON_CreateObject()};
    char *err = NULL;
    int status = HK_EXIT_USAGE;
    /* Attached, the model is the other process's business. */
    if (hk_repo_open(&a.repo, ".", &err) != 0 || !(a.cfg = hk_config_open(NULL, &err)) ||
        (!args->attach_id && hk_model_settings_resolve(a.cfg, &args->model, &a.settings, &err) != 0)) {
        fprintf(stderr, "honk: %s\n", err);
        free(err);
        free_app(&a);
        return status;
    }
    a.opts.model = &a.settings;
    a.opts.config = a.cfg;
    a.loop = hk_loop_new();
    struct hk_cockpit_opts copts = {.theme = args->theme, .no_color = args->no_color, .config = a.cfg};
    a.ck = hk_cockpit_new(a.loop, &actions, &a, &copts, &err);
    if (!a.ck) {
        fprintf(stderr, "honk: %s\n", err);
        free(err);
        free_app(&a);
        return status;
    }
    if (args->resume_id || args->task || args->attach_id)
        start_session(&a, args->resume_id, args->task, args);
    else
        note(&a, HK_EV_NOTE, "Type a task for the model below and press Enter. ? lists the keys.");
    hk_loop_run(a.loop);
    status = hk_cockpit_signalled(a.ck) ? HK_EXIT_INTERRUPTED
             : a.session && !hk_session_attached(a.session) ? hk_session_exit_status(a.session) : HK_EXIT_OK;
    char *text = summary(&a);
    hk_cockpit_set_summary(a.ck, text);
    free(text);
    hk_cockpit_set_test_runner(a.ck, NULL);
    hk_cockpit_free(a.ck);
    free_app(&a);
    return status;
}

static int served_tasks_wait(void)
{
    struct hk_repo *repo = NULL;
    struct hk_inbox list = {0};
    char *err = NULL;
    int wait = 0;
    if (hk_repo_open(&repo, ".", &err) == 0 && hk_inbox_read(repo, &list, &err) == 0)
        for (size_t i = 0; i < list.n; i++)
            wait |= list.items[i].kind <= HK_INBOX_STOPPED && strcmp(list.items[i].from, "honk") != 0;
    hk_inbox_clear(&list);
    hk_repo_close(repo);
    free(err);
    return wait;
}

int hk_cmd_cockpit(int argc, char **argv)
{
    struct hk_cockpit_args args = {.model = HK_MODEL_FLAGS_NONE, .session = {.approve = -1, .deploy = -1}};
    struct hk_buf task = {0};
    int rc, options = 1;
    const char *v;
    for (int i = 1; i < argc; i++) {
        if (!options || argv[i][0] != '-' || !argv[i][1]) {
            hk_buf_printf(&task, "%s%s", task.len ? " " : "", argv[i]);
        } else if (!strcmp(argv[i], "--")) {
            options = 0;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            hk_usage(NULL, stdout);
            hk_buf_free(&task);
            return HK_EXIT_OK;
        } else if (!strcmp(argv[i], "--no-color")) {
            args.no_color = true;
        } else if (!strcmp(argv[i], "--deploy")) {
            args.session.deploy = 1;
        } else if (!strcmp(argv[i], "--with-changes")) {
            args.session.with_changes = 1;
        } else if ((rc = hk_flag_value(argc, argv, &i, "--theme", &args.theme)) ||
                   (rc = hk_flag_value(argc, argv, &i, "--base", &args.session.base)) ||
                   (rc = hk_flag_model(argc, argv, &i, &args.model))) {
            if (rc < 0)
                goto usage;
        } else if ((rc = hk_flag_value(argc, argv, &i, "--approve", &v))) {
            enum hk_approve_policy p;
            if (rc < 0 || hk_approve_policy_parse(v, &p) != 0)
                goto usage;
            args.session.approve = (int)p;
        } else {
            fprintf(stderr, "honk: unknown option %s\n", argv[i]);
            goto usage;
        }
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "honk: the cockpit needs a terminal; from a script, use honk run TASK\n");
        hk_buf_free(&task);
        return HK_EXIT_USAGE;
    }
    args.task = task.len ? task.data : NULL;
    /* plain honk: the inbox first when tasks honk serve took wait for a
     * person (sessions started by hand are the engineer's own business) */
    rc = argc < 2 && served_tasks_wait() ? hk_inbox_main(&args) : hk_cockpit_main(&args);
    hk_buf_free(&task);
    return rc;
usage:
    hk_usage(NULL, stderr);
    hk_buf_free(&task);
    return HK_EXIT_USAGE;
}
