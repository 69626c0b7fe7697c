/* The session's deploy: the pipeline's stages as events, and after a
 * crash the stages that passed kept, the one that was running reported as
 * interrupted with an unknown outcome and run again only when the engineer
 * (or the stage's idempotent setting) says so. */
#include "session_internal.h"
#include "json.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The tail of a stage's output that its event carries, for the Deploy pane
 * and `honk show`: the last lines are where a failure says why. */
static const char *last_lines(const char *text, int n)
{
    const char *p = text + strlen(text);
    while (p > text && n >= 0)
        if (*--p == '\n')
            n--;
    return p == text ? p : p + 1;
}

static void on_deploy_stage(struct hk_deploy *d, const struct hk_stage *st, void *user)
{
    (void)d;
    struct hk_session *s = user;
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "stage", st->name);
    cJSON_AddStringToObject(data, "state", hk_stage_state_name(st->state));
    cJSON_AddStringToObject(data, "command", st->command);
    if (st->state == HK_STAGE_PASSED || st->state == HK_STAGE_FAILED) {
        cJSON_AddNumberToObject(data, "exit", st->exit_code);
        cJSON_AddNumberToObject(data, "duration_ms", (double)st->duration_ms);
    }
    if (st->log)
        cJSON_AddStringToObject(data, "log", last_lines(st->log, 200));
    if (st->state == HK_STAGE_INTERRUPTED)
        cJSON_AddStringToObject(data, "message", "interrupted: unknown outcome");
    /* "running" too is on disk before the command starts (see deploy.c). */
    hk_session_emit(s, HK_EV_DEPLOY_STAGE, data, 1);
}

static void on_deploy_done(struct hk_deploy *d, int ok, void *user)
{
    (void)d;
    struct hk_session *s = user;
    if (s->state == HK_STATE_CANCELLED)
        return; /* the engineer stopped it: the stage's end changes nothing */
    if (ok) {
        s->exit_status = 0;
        hk_session_set_state(s, HK_STATE_DONE);
        return;
    }
    char *why = hk_xasprintf("the deploy failed; the commit %.12s stays on %s", s->commit ? s->commit : "",
                             s->task->branch);
    hk_session_fail(s, why);
    free(why);
}

/* Runs the stages that have not passed yet. */
static void run_deploy(struct hk_session *s)
{
    s->waiting = HK_WAIT_NONE;
    hk_session_set_state(s, HK_STATE_DEPLOYING);
    if (s->replaying)
        return;
    hk_deploy_run(s->deploy, s->loop, s->task->worktree, on_deploy_stage, on_deploy_done,
                  hk_session_runner_changed, s);
}

void hk_session_start_deploy(struct hk_session *s)
{
    /* The whole pipeline is shown before its first stage starts. */
    for (size_t i = 0; !s->replaying && i < hk_deploy_stage_count(s->deploy); i++)
        on_deploy_stage(s->deploy, hk_deploy_stage(s->deploy, i), s);
    run_deploy(s);
}

/* The stage the journal says was running when honk died, if any; the
 * journal's other stages' states are restored into the pipeline. */
static const struct hk_stage *restore_stages(struct hk_session *s)
{
    const struct hk_stage *interrupted = NULL;
    for (size_t i = 0; i < hk_deploy_stage_count(s->deploy); i++) {
        const struct hk_stage *st = hk_deploy_stage(s->deploy, i);
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(s->resume_stages, st->name);
        int state = j ? hk_stage_state_parse(hk_json_str(j, "state")) : -1;
        if (state == HK_STAGE_RUNNING || state == HK_STAGE_INTERRUPTED) {
            state = HK_STAGE_INTERRUPTED;
            if (!interrupted)
                interrupted = st;
        } else if (state != HK_STAGE_PASSED && state != HK_STAGE_FAILED) {
            state = HK_STAGE_PENDING;
        }
        hk_deploy_restore(s->deploy, st->name, (enum hk_stage_state)state, (int)hk_json_num(j, "exit", -1),
                          (int64_t)hk_json_num(j, "duration_ms", 0), hk_json_str(j, "log"));
    }
    return interrupted;
}

/* A resumed deploy: stages that passed are never run again; one that was
 * running when honk died has an unknown outcome and runs again only when
 * it is idempotent or the engineer says so (hk_session_deploy). */
void hk_session_resume_deploy(struct hk_session *s)
{
    if (!s->deploy) {
        hk_session_after_commit(s);
        return;
    }
    const struct hk_stage *st = restore_stages(s);
    for (size_t i = 0; i < hk_deploy_stage_count(s->deploy); i++)
        if (hk_deploy_stage(s->deploy, i)->state == HK_STAGE_FAILED) {
            on_deploy_done(s->deploy, 0, s); /* it failed; honk died before saying so */
            return;
        }
    if (st)
        on_deploy_stage(s->deploy, st, s);
    if (st && !st->idempotent) {
        s->waiting = HK_WAIT_STAGE;
        hk_session_set_state(s, HK_STATE_AWAITING);
        return;
    }
    if (st) {
        char *msg = hk_xasprintf("The deploy stage %s was interrupted; it runs again (honk.deploy.%s.idempotent).",
                                 st->name, st->name);
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "message", msg);
        hk_session_emit(s, HK_EV_NOTE, d, 0);
        free(msg);
        hk_deploy_restore(s->deploy, st->name, HK_STAGE_PENDING, -1, 0, NULL);
    }
    run_deploy(s);
}


/* The engineer's answer on an interrupted stage: run it again, or stop
 * the deploy there (its outcome stays unknown, so the session is not done). */
static void answer_stage(struct hk_session *s, int approve)
{
    const struct hk_stage *st = NULL;
    for (size_t i = 0; i < hk_deploy_stage_count(s->deploy) && !st; i++)
        if (hk_deploy_stage(s->deploy, i)->state == HK_STAGE_INTERRUPTED)
            st = hk_deploy_stage(s->deploy, i);
    s->waiting = HK_WAIT_NONE;
    if (approve) {
        if (st)
            hk_deploy_restore(s->deploy, st->name, HK_STAGE_PENDING, -1, 0, NULL);
        run_deploy(s);
        return;
    }
    hk_deploy_skip(s->deploy, on_deploy_stage, s);
    char *why = hk_xasprintf("the deploy stopped at the interrupted stage %s, whose outcome is unknown; the "
                             "commit %.12s stays on %s", st ? st->name : "", s->commit ? s->commit : "",
                             s->task->branch);
    hk_session_fail(s, why);
    free(why);
}

void hk_session_deploy(struct hk_session *s, int approve)
{
    if (s->waiting == HK_WAIT_STAGE) {
        answer_stage(s, approve);
        return;
    }
    if (s->waiting != HK_WAIT_DEPLOY)
        return;
    if (approve) {
        hk_session_start_deploy(s);
        return;
    }
    hk_deploy_skip(s->deploy, on_deploy_stage, s);
    s->waiting = HK_WAIT_NONE;
    s->exit_status = 0;
    hk_session_set_state(s, HK_STATE_DONE);
}
