/* Resuming a session from its journal: the events are read back into the
 * conversation, the proposals (their latest engine state), the decisions
 * and the loop's counters, then the session goes on from where it stopped.
 * The subscriber sees the old events first, so a cockpit shows the history. */
#include "session_internal.h"
#include "json.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replay {
    struct hk_session *s;
    struct hk_buf text;          /* the assistant turn being read back */
    struct hk_tool_call *calls;
    size_t ncalls;
    cJSON *proposals;            /* id -> latest engine state */
    cJSON *late_decisions;       /* id -> decisions journalled after that state */
    cJSON *proposal_calls;       /* call id -> proposal id */
    enum hk_session_state last_state;
    int open_run;                /* a run started and never ended: its purpose, or -1 */
    char *open_run_command;
    int committed;
    int stages_done;
    int turn_open;               /* the model's answer began and never ended */
    cJSON *last_test_end;        /* the last finished run, for its output */
};

static void end_turn(struct replay *r)
{
    if (!r->text.len && !r->ncalls)
        return;
    hk_conv_add_assistant(r->s->conv, r->text.len ? hk_buf_steal(&r->text) : NULL, r->calls, r->ncalls);
    r->calls = NULL;
    r->ncalls = 0;
}

/* A turn that never ended (honk died mid-stream) is dropped: it is asked again. */
static void drop_turn(struct replay *r)
{
    hk_buf_clear(&r->text);
    for (size_t i = 0; i < r->ncalls; i++) {
        free(r->calls[i].id);
        free(r->calls[i].name);
        free(r->calls[i].input_json);
    }
    free(r->calls);
    r->calls = NULL;
    r->ncalls = 0;
}

static void read_tool_call(struct replay *r, const cJSON *d)
{
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(d, "input");
    r->calls = hk_xrealloc(r->calls, (r->ncalls + 1) * sizeof *r->calls);
    r->calls[r->ncalls++] = (struct hk_tool_call){
        hk_xstrdup(hk_json_str(d, "id") ? hk_json_str(d, "id") : ""), hk_xstrdup(hk_json_str(d, "name") ? hk_json_str(d, "name") : ""),
        cJSON_IsString(input) ? hk_xstrdup(input->valuestring) : cJSON_PrintUnformatted(input),
    };
}

static void read_proposal(struct replay *r, const cJSON *d)
{
    const char *id = hk_json_str(d, "id");
    const cJSON *engine = cJSON_GetObjectItemCaseSensitive(d, "proposal");
    if (!id || !engine)
        return;
    /* Replaced in place: the proposals keep the order they were made in. */
    if (cJSON_GetObjectItemCaseSensitive(r->proposals, id))
        cJSON_ReplaceItemInObjectCaseSensitive(r->proposals, id, cJSON_Duplicate(engine, 1));
    else
        cJSON_AddItemToObject(r->proposals, id, cJSON_Duplicate(engine, 1));
    cJSON_DeleteItemFromObjectCaseSensitive(r->late_decisions, id);
    if (hk_json_str(d, "call_id"))
        cJSON_AddStringToObject(r->proposal_calls, hk_json_str(d, "call_id"), id);
}

/* A decision is journalled before it takes effect and the proposal's new
 * state after; these are the decisions whose state never made it. */
static void note_late_decision(struct replay *r, const cJSON *d)
{
    const char *id = hk_json_str(d, "proposal");
    if (!id)
        return;
    cJSON *list = cJSON_GetObjectItemCaseSensitive(r->late_decisions, id);
    if (!list)
        list = cJSON_AddArrayToObject(r->late_decisions, id);
    cJSON_AddItemToArray(list, cJSON_Duplicate(d, 1));
}

static void read_decision(struct replay *r, const cJSON *d)
{
    struct hk_session *s = r->s;
    const char *verdict = hk_json_str(d, "verdict"), *reason = hk_json_str(d, "reason");
    note_late_decision(r, d);
    if (verdict && !strcmp(verdict, "approve"))
        s->any_change = s->changed_since_test = 1;
    if (!verdict || strcmp(verdict, "reject") || !reason || !hk_json_str(d, "proposal"))
        return;
    if (!s->reasons)
        s->reasons = cJSON_CreateObject();
    char key[64];
    snprintf(key, sizeof key, "%s:%d", hk_json_str(d, "proposal"), hk_json_int(d, "hunk", 0));
    /* A whole-proposal rejection's reason is found under hunk -1 too. */
    cJSON_DeleteItemFromObjectCaseSensitive(s->reasons, key);
    cJSON_AddStringToObject(s->reasons, key, reason);
}

/* A string field, or "" when the event lacks it. */
static const char *str_or_empty(const cJSON *d, const char *name)
{
    const char *v = hk_json_str(d, name);
    return v ? v : "";
}

static void read_task(struct replay *r, const cJSON *d)
{
    struct hk_session *s = r->s;
    free(s->task_text);
    s->task_text = hk_xstrdup(str_or_empty(d, "task"));
    enum hk_approve_policy p;
    if (hk_json_str(d, "approve") && hk_approve_policy_parse(hk_json_str(d, "approve"), &p) == 0)
        s->resume_policy = (int)p;
    if (cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(d, "deploy")))
        s->resume_deploy = hk_json_true(d, "deploy");
}

static void read_user(struct replay *r, const cJSON *d)
{
    r->turn_open = 0;
    if (!hk_json_true(d, "automatic"))
        r->s->turns = 0; /* honk.maxTurns counts from the engineer's last word */
    drop_turn(r);
    hk_conv_add_user_text(r->s->conv, str_or_empty(d, "text"));
}

static void read_turn_end(struct replay *r, const cJSON *d)
{
    hk_usage_add(&r->s->usage, d);
    r->s->last_prompt = (long)(hk_json_num(d, "input_tokens", 0) + hk_json_num(d, "cache_read_input_tokens", 0) +
                               hk_json_num(d, "cache_creation_input_tokens", 0));
    r->turn_open = 0;
    if (!strcmp(str_or_empty(d, "stop_reason"), "interrupted"))
        drop_turn(r); /* closed by a resume: that answer was asked again */
    else
        end_turn(r);
}

static void read_state(struct replay *r, const cJSON *d)
{
    struct hk_session *s = r->s;
    int state = hk_session_state_parse(hk_json_str(d, "state"));
    if (state == HK_STATE_THINKING)
        s->turns++;
    else
        r->turn_open = 0; /* the turn ended another way (interrupted by the engineer) */
    r->last_state = state < 0 ? (enum hk_session_state)0 : (enum hk_session_state)state;
    s->iteration = hk_json_int(d, "iteration", 0);
}

static void read_test_start(struct replay *r, const cJSON *d)
{
    r->open_run = hk_run_is_command(d) ? RUN_COMMAND : RUN_LOOP_TESTS;
    free(r->open_run_command);
    r->open_run_command = hk_xstrdup(str_or_empty(d, "command"));
}

static void read_test_end(struct replay *r, const cJSON *d)
{
    r->open_run = -1;
    cJSON_Delete(r->last_test_end);
    r->last_test_end = cJSON_Duplicate(d, 1);
    if (hk_run_is_command(d))
        return;
    r->s->tests_passed = hk_json_true(d, "passed");
    r->s->changed_since_test = 0;
}

static void read_deploy_stage(struct replay *r, const cJSON *d)
{
    struct hk_session *s = r->s;
    const char *stage = hk_json_str(d, "stage");
    if (!stage)
        return;
    cJSON_DeleteItemFromObjectCaseSensitive(s->resume_stages, stage);
    cJSON_AddItemToObject(s->resume_stages, stage, cJSON_Duplicate(d, 1));
}

static void read_commit(struct replay *r, const cJSON *d)
{
    r->committed = 1;
    free(r->s->commit);
    r->s->commit = hk_xstrdup(str_or_empty(d, "commit"));
}

static void read_text(struct replay *r, const cJSON *d)
{
    r->turn_open = 1;
    hk_buf_adds(&r->text, str_or_empty(d, "text"));
}

static void read_call(struct replay *r, const cJSON *d)
{
    r->turn_open = 1;
    read_tool_call(r, d);
}

static void read_tool_result(struct replay *r, const cJSON *d)
{
    hk_conv_add_tool_result(r->s->conv, str_or_empty(d, "id"), str_or_empty(d, "content"), !hk_json_true(d, "ok"));
}

static void read_compact(struct replay *r, const cJSON *d)
{
    struct hk_session *s = r->s;
    hk_session_compact_replay(s->conv, d);
    hk_usage_add(&s->usage, d);
    long window = (long)hk_json_num(d, "window", 0);
    /* the window the server named when it refused a prompt stays learnt */
    if (!strcmp(str_or_empty(d, "reason"), "too_long") && window > 0 &&
        (!s->context_window || window < s->context_window)) {
        s->context_window = window;
        s->window_learnt = 1;
    }
}

static void read_note(struct replay *r, const cJSON *d)
{
    if (cJSON_GetObjectItemCaseSensitive(d, "more_turns"))
        r->s->turns = 0;
}

typedef void event_reader(struct replay *r, const cJSON *d);

/* What each kind sets in the resumed session; a kind without a reader sets nothing. */
static event_reader *const readers[HK_EV_COUNT] = {
    [HK_EV_TASK] = read_task,
    [HK_EV_USER] = read_user,
    [HK_EV_TEXT] = read_text,
    [HK_EV_TOOL_CALL] = read_call,
    [HK_EV_TURN_END] = read_turn_end,
    [HK_EV_TOOL_RESULT] = read_tool_result,
    [HK_EV_PROPOSAL] = read_proposal,
    [HK_EV_DECISION] = read_decision,
    [HK_EV_NOTE] = read_note,
    [HK_EV_COMPACT] = read_compact,
    [HK_EV_STATE] = read_state,
    [HK_EV_TEST_START] = read_test_start,
    [HK_EV_TEST_END] = read_test_end,
    [HK_EV_DEPLOY_STAGE] = read_deploy_stage,
    [HK_EV_COMMIT] = read_commit,
};

static void read_event(const struct hk_event *ev, void *user)
{
    struct replay *r = user;
    if (r->s->cb)
        r->s->cb(ev, r->s->user);
    if ((int)ev->kind >= 0 && ev->kind < HK_EV_COUNT && readers[ev->kind])
        readers[ev->kind](r, ev->data);
}

static int has_pending_hunk(const cJSON *engine)
{
    const cJSON *file, *hunk;
    cJSON_ArrayForEach(file, cJSON_GetObjectItemCaseSensitive(engine, "files"))
        cJSON_ArrayForEach(hunk, cJSON_GetObjectItemCaseSensitive(file, "hunks"))
            if (!strcmp(hk_json_str(hunk, "state") ? hk_json_str(hunk, "state") : "", "pending"))
                return 1;
    return 0;
}

/* A hunk of a damaged journal may have no state to replace: the new one is
 * not leaked then (a fuzz finding). */
static void set_state(cJSON *hunk, const char *state)
{
    cJSON *v = cJSON_CreateString(state);
    if (!cJSON_ReplaceItemInObjectCaseSensitive(hunk, "state", v))
        cJSON_Delete(v);
}

/* The engine state a proposal had once its late decisions took effect:
 * approve and reject set hunk states (one hunk, or every hunk that
 * applied); NULL when a decision cannot be replayed this way (an edit, an
 * undo), since its effect on the files is not in the journal. */
static cJSON *with_late_decisions(const cJSON *engine, const cJSON *decisions)
{
    cJSON *out = cJSON_Duplicate(engine, 1), *d;
    cJSON_ArrayForEach(d, decisions) {
        const char *verdict = hk_json_str(d, "verdict") ? hk_json_str(d, "verdict") : "";
        const char *state = !strcmp(verdict, "approve") ? "approved" : !strcmp(verdict, "reject") ? "rejected" : NULL;
        if (!state) {
            cJSON_Delete(out);
            return NULL;
        }
        int want = hk_json_int(d, "hunk", 0), flat = 0;
        cJSON *file, *hunk;
        cJSON_ArrayForEach(file, cJSON_GetObjectItemCaseSensitive(out, "files"))
            cJSON_ArrayForEach(hunk, cJSON_GetObjectItemCaseSensitive(file, "hunks")) {
                if ((want < 0 && strcmp(hk_json_str(hunk, "result") ? hk_json_str(hunk, "result") : "", "failed")) || want == flat)
                    set_state(hunk, state);
                flat++;
            }
    }
    return out;
}

/* A decided proposal whose files later proposals changed again: its hunks
 * as data, without the files, so the front end can still browse it; it
 * takes no more decisions (hk_session_decide). */
static struct hk_proposal *history_only(struct hk_session *s, const cJSON *engine)
{
    cJSON *copy = cJSON_Duplicate(engine, 1), *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(copy, "files")) {
        /* (replacing a member that is missing would leak the new item) */
        cJSON_DeleteItemFromObjectCaseSensitive(f, "loaded");
        if (cJSON_IsObject(f))
            cJSON_AddFalseToObject(f, "loaded");
    }
    struct hk_proposal *p = NULL;
    char *err = NULL;
    if (hk_patch_from_json(copy, s->task->worktree, &p, &err) == 0) {
        if (!s->history_only)
            s->history_only = cJSON_CreateObject();
        cJSON_AddTrueToObject(s->history_only, p->id);
    }
    free(err);
    cJSON_Delete(copy);
    return p;
}

/* Proposals still waiting come back to life. Decided ones whose files later
 * proposals changed again cannot be rebuilt against today's files; they are
 * history (in the journal) and need no engine state. */
static int rebuild_proposals(struct replay *r, char **err)
{
    struct hk_session *s = r->s;
    const cJSON *engine;
    cJSON_ArrayForEach(engine, r->proposals) {
        struct hk_proposal *p = NULL;
        s->proposal_seq++;
        const cJSON *late = cJSON_GetObjectItemCaseSensitive(r->late_decisions, engine->string);
        if (hk_patch_from_json(engine, s->task->worktree, &p, err) != 0 && late) {
            /* honk stopped between a decision's effect and its new state */
            cJSON *decided = with_late_decisions(engine, late);
            if (decided) {
                free(*err);
                *err = NULL;
                hk_patch_from_json(decided, s->task->worktree, &p, err);
                cJSON_Delete(decided);
            }
        }
        if (!p) {
            if (has_pending_hunk(engine))
                return -1;
            free(*err);
            *err = NULL;
            p = history_only(s, engine);
            if (!p)
                continue;
        }
        s->proposals = hk_xrealloc(s->proposals, (s->nproposals + 1) * sizeof *s->proposals);
        s->proposals[s->nproposals++] = p;
    }
    return 0;
}

int hk_session_replay_journal(struct hk_session *s, const char *path, char **err)
{
    struct replay r = {.s = s, .open_run = -1};
    s->resume_policy = s->resume_deploy = -1;
    r.proposals = cJSON_CreateObject();
    r.late_decisions = cJSON_CreateObject();
    r.proposal_calls = cJSON_CreateObject();
    s->resume_stages = cJSON_CreateObject();
    s->conv = hk_conv_new(NULL);
    s->replaying = 1;
    int n = hk_journal_read(path, read_event, &r, err);
    s->journal_events = n > 0 ? n : 0;
    drop_turn(&r);
    int rc = n < 0 ? -1 : rebuild_proposals(&r, err);
    s->replaying = 0;
    if (rc == 0 && n == 0) {
        *err = hk_xasprintf("the journal %s holds no events", path);
        rc = -1;
    }
    /* The conversation is rebuilt; its system prompt and tools are today's. */
    hk_buf_free(&r.text);
    s->resume_turn_open = r.turn_open;
    s->resume_last_run = r.last_test_end;
    cJSON_Delete(r.proposals);
    cJSON_Delete(r.late_decisions);
    s->state = r.last_state;
    s->resume_open_run = r.open_run;
    s->resume_run_command = r.open_run_command;
    s->resume_committed = r.committed;
    s->resume_proposal_calls = r.proposal_calls;
    return rc;
}

/* The calls of the last assistant turn that have no result yet. */
static void take_unanswered_calls(struct hk_session *s)
{
    struct hk_conversation *conv = s->conv;
    if (!conv->nmsgs)
        return;
    const struct hk_message *last = &conv->msgs[conv->nmsgs - 1];
    const struct hk_message *asked = last->role == HK_ROLE_ASSISTANT ? last
                                     : conv->nmsgs > 1 && conv->msgs[conv->nmsgs - 2].role == HK_ROLE_ASSISTANT
                                         ? &conv->msgs[conv->nmsgs - 2] : NULL;
    if (!asked || !asked->ncalls || (last->role == HK_ROLE_USER && last->text))
        return;
    struct hk_message open = *asked;
    open.calls = hk_xcalloc(asked->ncalls, sizeof *open.calls);
    open.ncalls = 0;
    for (size_t i = 0; i < asked->ncalls; i++) {
        int answered = 0;
        for (size_t k = 0; last != asked && k < last->nresults; k++)
            answered |= !strcmp(last->results[k].call_id, asked->calls[i].id);
        if (!answered)
            open.calls[open.ncalls++] = asked->calls[i];
    }
    if (open.ncalls)
        hk_session_take_calls(s, &open);
    free(open.calls);
}

/* Goes on with a pending call's proposal; returns 1 when it waits. */
static int continue_proposal(struct hk_session *s)
{
    if (s->next_call >= s->ncalls)
        return 0;
    const char *pid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->resume_proposal_calls,
                                                                             s->calls[s->next_call].id));
    struct hk_proposal *p = pid ? hk_session_find_proposal(s, pid) : NULL;
    if (!p)
        return 0; /* never proposed: the call runs again */
    if (!hk_session_all_decided(p) && s->policy == HK_APPROVE_ASK) {
        s->waiting = HK_WAIT_PROPOSAL;
        s->waiting_proposal = p;
        /* The journal's last state says it waits already: said once. */
        if (s->state != HK_STATE_AWAITING)
            hk_session_set_state(s, HK_STATE_AWAITING);
        return 1;
    }
    s->waiting_proposal = p;
    if (!hk_session_all_decided(p)) {
        /* The policy now lets it pass; the decision goes on with the calls. */
        hk_session_decide(s, p->id, -1, HK_VERDICT_APPROVE, NULL, NULL);
        return 1;
    }
    hk_session_finish_proposal(s, p);
    return 0;
}

/* A deploy stage ran (or was running) before honk stopped. */
static int deploy_began(const struct hk_session *s)
{
    const cJSON *st;
    cJSON_ArrayForEach(st, s->resume_stages) {
        const char *state = hk_json_str(st, "state") ? hk_json_str(st, "state") : "";
        if (strcmp(state, "pending") && strcmp(state, "skipped"))
            return 1;
    }
    return 0;
}

/* A command that waited for approval when honk stopped waits again, as the
 * journal says already (its command event and state are not repeated). */
static int continue_command(struct hk_session *s)
{
    if (s->state != HK_STATE_AWAITING || s->next_call >= s->ncalls || s->policy == HK_APPROVE_ALL ||
        hk_tool_kind(s->calls[s->next_call].name) != HK_TOOL_COMMAND || !s->calls[s->next_call].input)
        return 0;
    s->waiting = HK_WAIT_COMMAND;
    return 1;
}

static int continue_ended(struct hk_session *s)
{
    switch (s->state) {
    case HK_STATE_DONE:
        /* Nothing is left to do; the journal says done already. */
        s->exit_status = 0;
        return 1;
    case HK_STATE_FAILED:
    case HK_STATE_CANCELLED:
        /* A turn the model never answered (the network was down) is asked
         * again; a session that ended otherwise waits for a message. */
        if (s->conv->nmsgs && s->conv->msgs[s->conv->nmsgs - 1].role == HK_ROLE_USER)
            return 0;
        s->waiting = HK_WAIT_MESSAGE;
        hk_session_set_state(s, HK_STATE_IDLE);
        return 1;
    case HK_STATE_REVIEW:
        hk_session_enter_review(s);
        return 1;
    case HK_STATE_COMMITTING:
        if (s->resume_committed) {
            hk_session_after_commit(s);
        } else {
            s->state = HK_STATE_REVIEW;
            hk_session_approve_commit(s, NULL);
        }
        return 1;
    case HK_STATE_DEPLOYING:
        hk_session_resume_deploy(s);
        return 1;
    case HK_STATE_AWAITING:
        if (s->resume_committed && deploy_began(s))
            hk_session_resume_deploy(s); /* it waited on an interrupted stage */
        else if (s->resume_committed)
            hk_session_after_commit(s);
        return s->resume_committed;
    default:
        return 0;
    }
}

/* What an uninterrupted session's front end had: the answer honk died in
 * the middle of is closed as its own, interrupted message (the turn is
 * asked again), and the last run's output is on show again. */
static void restore_screen_state(struct hk_session *s)
{
    if (s->resume_turn_open) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "stop_reason", "interrupted");
        hk_session_emit(s, HK_EV_TURN_END, d, 1);
        d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "message", "Interrupted: honk stopped while the model was answering; "
                                              "the unfinished answer is not kept and the turn is asked again.");
        hk_session_emit(s, HK_EV_NOTE, d, 0);
    }
    const cJSON *t = s->resume_last_run;
    if (!t || s->resume_open_run >= 0 || !hk_json_str(t, "command"))
        return;
    struct hk_runner_result res = {
        .exit_code = (int)hk_json_num(t, "exit", -1), .signal = (int)hk_json_num(t, "signal", 0),
        .timed_out = hk_json_true(t, "timed_out"), .duration_ms = (int64_t)hk_json_num(t, "duration_ms", 0),
    };
    s->runner = hk_runner_replayed(s->loop, hk_json_str(t, "command"), 24, 100,
                                   hk_json_str(t, "tail") ? hk_json_str(t, "tail") : "", &res);
}

void hk_session_continue(struct hk_session *s)
{
    restore_screen_state(s);
    if (continue_ended(s))
        return;
    take_unanswered_calls(s);
    if (s->resume_open_run == RUN_LOOP_TESTS && !s->ncalls) {
        s->iteration--; /* the interrupted run is made again */
        hk_session_run_tests(s, 0);
        return;
    }
    if (continue_proposal(s) || continue_command(s))
        return;
    if (s->next_call < s->ncalls) {
        hk_session_run_calls(s);
        return;
    }
    hk_session_free_calls(s);
    const struct hk_message *last = s->conv->nmsgs ? &s->conv->msgs[s->conv->nmsgs - 1] : NULL;
    if (!last || last->role == HK_ROLE_USER)
        hk_session_think(s);
    else
        hk_session_after_turn(s);
}
