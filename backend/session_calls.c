/* Running the model's tool calls in order: reading tools at once, edits as
 * proposals that may wait for the engineer's decisions, tests and commands
 * in the runner. When every call has its result, the model is asked again. */
#include "session_internal.h"
#include "json.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAIL_LINES 200
#define TAIL_BYTES (16 * 1024)


void hk_session_free_calls(struct hk_session *s)
{
    for (size_t i = 0; i < s->ncalls; i++) {
        free(s->calls[i].id);
        free(s->calls[i].name);
        cJSON_Delete(s->calls[i].input);
        free(s->calls[i].refused);
    }
    free(s->calls);
    s->calls = NULL;
    s->ncalls = s->next_call = 0;
}

/* cJSON ends a string at an escaped NUL, so `nul\u0000.txt` would become
 * `nul` and `a\u0000b` would become `a`: a call whose input holds one is
 * refused whole, for every tool, before anything reads or writes. */
static char *refusal(const struct hk_tool_call *c)
{
    char *member = NULL;
    if (!hk_json_has_nul(c->input_json, &member))
        return NULL;
    char *why = *member ? hk_xasprintf("the \"%s\" of %s", member, c->name)
                        : hk_xasprintf("a member name in the input of %s", c->name);
    char *msg = hk_xasprintf("%s holds a NUL character (\\u0000), which no path, file text or command can "
                             "carry whole; nothing was done", why);
    free(why);
    free(member);
    return msg;
}

void hk_session_take_calls(struct hk_session *s, const struct hk_message *assistant)
{
    hk_session_free_calls(s);
    s->calls = hk_xcalloc(assistant->ncalls, sizeof *s->calls);
    for (size_t i = 0; i < assistant->ncalls; i++) {
        const struct hk_tool_call *c = &assistant->calls[i];
        cJSON *input = cJSON_Parse(c->input_json);
        if (input && !cJSON_IsObject(input)) {
            cJSON_Delete(input);
            input = NULL;
        }
        s->calls[i] = (struct pending_call){hk_xstrdup(c->id), hk_xstrdup(c->name), input, refusal(c)};
    }
    s->ncalls = assistant->ncalls;
}

void hk_session_add_result(struct hk_session *s, const char *call_id, const char *name, const char *content, int ok)
{
    if (!s->replaying)
        hk_conv_add_tool_result(s->conv, call_id, content, !ok);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", call_id);
    cJSON_AddStringToObject(d, "name", name);
    cJSON_AddBoolToObject(d, "ok", ok);
    char *summary = hk_tool_result_summary(name, content, ok);
    cJSON_AddStringToObject(d, "summary", summary);
    free(summary);
    cJSON_AddStringToObject(d, "content", content);
    hk_session_emit(s, HK_EV_TOOL_RESULT, d, 1);
}

static void call_done(struct hk_session *s, const char *content, int ok)
{
    struct pending_call *c = &s->calls[s->next_call];
    hk_session_add_result(s, c->id, c->name, content, ok);
    s->next_call++;
}

struct hk_proposal *hk_session_find_proposal(struct hk_session *s, const char *id)
{
    for (size_t i = 0; i < s->nproposals; i++)
        if (!strcmp(s->proposals[i]->id, id))
            return s->proposals[i];
    return NULL;
}

/* --- proposals ------------------------------------------------------------ */

static size_t hunk_total(const struct hk_proposal *p)
{
    size_t n = 0;
    for (size_t f = 0; f < p->nfiles; f++)
        n += p->files[f].nhunks;
    return n;
}

/* The hunk at a flat index over the whole proposal. */
static int locate(const struct hk_proposal *p, int flat, size_t *file, size_t *hunk)
{
    for (size_t f = 0; f < p->nfiles; f++) {
        if ((size_t)flat < p->files[f].nhunks) {
            *file = f;
            *hunk = (size_t)flat;
            return 0;
        }
        flat -= (int)p->files[f].nhunks;
    }
    return -1;
}

int hk_session_all_decided(const struct hk_proposal *p)
{
    for (size_t f = 0; f < p->nfiles; f++)
        for (size_t h = 0; h < p->files[f].nhunks; h++)
            if (p->files[f].hunks[h].state == HK_HUNK_PENDING)
                return 0;
    return 1;
}

static const char *reason_of(const cJSON *reasons, const char *pid, size_t flat)
{
    char key[64];
    snprintf(key, sizeof key, "%s:%zu", pid, flat);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(reasons, key);
    if (!cJSON_IsString(r)) { /* a whole-proposal rejection read back from the journal */
        snprintf(key, sizeof key, "%s:-1", pid);
        r = cJSON_GetObjectItemCaseSensitive(reasons, key);
    }
    return cJSON_IsString(r) ? r->valuestring : NULL;
}

/* What the model hears about the engineer's decisions. */
static char *decision_report(const struct hk_proposal *p, const cJSON *reasons, int *any_applied)
{
    struct hk_buf b = {0};
    size_t total = hunk_total(p), approved = 0, flat = 0;
    *any_applied = 0;
    for (size_t f = 0; f < p->nfiles; f++) {
        for (size_t h = 0; h < p->files[f].nhunks; h++, flat++) {
            const struct hk_hunk *hk = &p->files[f].hunks[h];
            if (hk->state == HK_HUNK_APPROVED || hk->state == HK_HUNK_EDITED) {
                approved++;
                *any_applied = 1;
            }
            if (hk->state == HK_HUNK_EDITED)
                hk_buf_printf(&b, "- hunk %zu (%s, near line %d) was edited by the engineer before approval; "
                                  "read the file to see it.\n", flat + 1, p->files[f].path, hk->new_start);
            if (hk->state == HK_HUNK_REJECTED) {
                const char *why = reason_of(reasons, p->id, flat);
                hk_buf_printf(&b, "- hunk %zu (%s, near line %d) was rejected%s%s\n", flat + 1, p->files[f].path,
                              hk->old_start, why && *why ? ": " : "", why && *why ? why : " (no reason given)");
            }
        }
    }
    char *head = approved == total && total == 1 ? hk_xstrdup("Applied: the engineer approved the hunk.\n")
                 : approved == total ? hk_xasprintf("Applied: the engineer approved all %zu hunks.\n", total)
                                   : hk_xasprintf("The engineer approved %zu of %zu hunks; the rejected ones are "
                                                  "not in the files.\n", approved, total);
    char *out = hk_xasprintf("%s%s", head, b.data ? b.data : "");
    free(head);
    hk_buf_free(&b);
    return out;
}

void hk_session_finish_proposal(struct hk_session *s, struct hk_proposal *p)
{
    int applied;
    char *report = decision_report(p, s->reasons, &applied);
    if (applied) {
        s->any_change = 1;
        s->changed_since_test = 1;
    }
    s->waiting = HK_WAIT_NONE;
    s->waiting_proposal = NULL;
    call_done(s, report, 1);
    free(report);
}

/* A proposal made (call_id set) or changed by a decision (call_id NULL). */
static void emit_proposal(struct hk_session *s, struct hk_proposal *p, const char *call_id)
{
    cJSON *d = cJSON_CreateObject();
    char *report = hk_patch_report(p);
    cJSON_AddStringToObject(d, "id", p->id);
    if (call_id)
        cJSON_AddStringToObject(d, "call_id", call_id);
    else
        cJSON_AddBoolToObject(d, "update", 1);
    cJSON_AddStringToObject(d, "summary", report);
    cJSON_AddNumberToObject(d, "files", (double)p->nfiles);
    cJSON_AddNumberToObject(d, "hunks", (double)hunk_total(p));
    cJSON_AddItemToObject(d, "proposal", hk_patch_to_json(p));
    free(report);
    hk_session_emit(s, HK_EV_PROPOSAL, d, 1);
}

static void emit_decision(struct hk_session *s, const char *pid, int hunk, const char *verdict,
                          const char *reason, const char *edited, int automatic)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "proposal", pid);
    cJSON_AddNumberToObject(d, "hunk", hunk);
    cJSON_AddStringToObject(d, "verdict", verdict);
    if (reason && *reason)
        cJSON_AddStringToObject(d, "reason", reason);
    if (edited)
        cJSON_AddStringToObject(d, "edited", edited);
    if (automatic)
        cJSON_AddBoolToObject(d, "automatic", 1);
    else if (s->who)
        cJSON_AddStringToObject(d, "by", s->who);
    hk_session_emit(s, HK_EV_DECISION, d, 1);
}

/* Returns 1 when the call now waits for the engineer. */
static int start_proposal(struct hk_session *s, struct pending_call *c)
{
    struct hk_proposal *p = NULL;
    char *err = NULL;
    char id[32];
    snprintf(id, sizeof id, "p%d", ++s->proposal_seq);
    int rc = hk_patch_from_tool(s->task->worktree, id, c->name, c->input, &p, &err);
    if (rc != 0) {
        char *report = p ? hk_patch_report(p) : NULL;
        char *msg = hk_xasprintf("%s%s%s\nNothing was changed.", err ? err : "the edit failed",
                                 report ? "\n" : "", report ? report : "");
        call_done(s, msg, 0);
        free(msg);
        free(report);
        free(err);
        hk_patch_free(p);
        return 0;
    }
    s->proposals = hk_xrealloc(s->proposals, (s->nproposals + 1) * sizeof *s->proposals);
    s->proposals[s->nproposals++] = p;
    emit_proposal(s, p, c->id);
    if (s->policy == HK_APPROVE_ASK) {
        s->waiting = HK_WAIT_PROPOSAL;
        s->waiting_proposal = p;
        hk_session_set_state(s, HK_STATE_AWAITING);
        return 1;
    }
    emit_decision(s, p->id, -1, "approve", NULL, NULL, 1);
    if (hk_patch_approve_all(p, &err) != 0) {
        hk_session_error(s, "%s", err);
        free(err);
    }
    emit_proposal(s, p, NULL);
    hk_session_finish_proposal(s, p);
    return 0;
}

/* --- runs ----------------------------------------------------------------- */

static void on_run_finished(struct hk_runner *r, const struct hk_runner_result *res, void *data)
{
    struct hk_session *s = data;
    char *tail = hk_runner_tail(r, TAIL_LINES, TAIL_BYTES);
    int passed = res->exit_code == 0 && !res->timed_out && !res->cancelled;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "command", hk_runner_command(r));
    cJSON_AddNumberToObject(d, "exit", res->exit_code);
    cJSON_AddNumberToObject(d, "signal", res->signal);
    cJSON_AddBoolToObject(d, "timed_out", res->timed_out);
    cJSON_AddNumberToObject(d, "duration_ms", (double)res->duration_ms);
    cJSON_AddBoolToObject(d, "passed", passed);
    cJSON_AddStringToObject(d, "purpose", hk_run_purpose_name(s->run_purpose == RUN_COMMAND));
    cJSON_AddStringToObject(d, "tail", tail);
    hk_session_emit(s, HK_EV_TEST_END, d, 1);
    if (s->state == HK_STATE_CANCELLED) {
        free(tail);
        return;
    }
    if (s->interrupt && s->run_purpose == RUN_LOOP_TESTS) {
        free(tail);
        hk_session_stop_interrupted(s); /* no new iteration: the engineer stopped it */
        return;
    }
    char *what = res->timed_out ? hk_xstrdup("timed out and was stopped")
                 : res->cancelled ? hk_xstrdup("was interrupted")
                 : res->signal ? hk_xasprintf("was killed by signal %d", res->signal)
                               : hk_xasprintf("exited %d", res->exit_code);
    if (s->run_purpose != RUN_COMMAND) {
        s->tests_passed = passed;
        s->changed_since_test = 0;
    }
    if (s->run_purpose == RUN_LOOP_TESTS) {
        hk_session_tests_done(s, passed, tail, res->exit_code);
    } else {
        char *msg = hk_xasprintf("`%s` %s after %.1f s.\n%s", hk_runner_command(r), what,
                                 res->duration_ms / 1000.0, tail);
        call_done(s, msg, passed);
        free(msg);
        hk_session_run_calls(s);
    }
    free(what);
    free(tail);
}

static void session_start_run(struct hk_session *s, const char *command, int purpose)
{
    s->run_purpose = purpose;
    if (purpose == RUN_LOOP_TESTS)
        s->iteration++;
    hk_session_set_state(s, purpose == RUN_COMMAND ? HK_STATE_APPLYING : HK_STATE_TESTING);
    /* The old run goes before anyone hears of the new one, so nobody keeps
     * a pointer to it. */
    hk_runner_free(s->runner);
    s->runner = NULL;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "command", command);
    cJSON_AddNumberToObject(d, "iteration", s->iteration);
    cJSON_AddStringToObject(d, "purpose", hk_run_purpose_name(purpose == RUN_COMMAND));
    hk_session_emit(s, HK_EV_TEST_START, d, 1);
    if (s->replaying)
        return;
    char *err = NULL;
    struct hk_runner_opts opts = {
        .command = command, .cwd = s->task->worktree, .rows = 24, .cols = 100,
        .timeout_ms = s->test_timeout_ms, .on_change = hk_session_runner_changed,
        .on_finished = on_run_finished, .on_output = hk_session_socket_output, .data = s,
    };
    s->runner = hk_runner_start(s->loop, &opts, &err);
    if (s->runner) {
        hk_session_runner_changed(s->runner, s);
        return;
    }
    /* A command that cannot even start is a failed run, not a dead session. */
    char *msg = hk_xasprintf("cannot run `%s`: %s", command, err);
    free(err);
    if (purpose == RUN_LOOP_TESTS) {
        hk_session_fail(s, msg);
    } else {
        call_done(s, msg, 0);
        hk_session_run_calls(s);
    }
    free(msg);
}

void hk_session_run_tests(struct hk_session *s, int for_model)
{
    session_start_run(s, s->test_command, for_model ? RUN_MODEL_TESTS : RUN_LOOP_TESTS);
}

void hk_session_answer_command(struct hk_session *s, int approve, const char *reason)
{
    if (s->waiting != HK_WAIT_COMMAND)
        return;
    struct pending_call *c = &s->calls[s->next_call];
    emit_decision(s, c->id, -1, approve ? "approve" : "reject", reason, NULL, 0);
    s->waiting = HK_WAIT_NONE;
    if (approve) {
        const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(c->input, "command");
        session_start_run(s, cmd->valuestring, RUN_COMMAND);
        return;
    }
    char *msg = hk_xasprintf("The engineer declined to run this command%s%s", reason && *reason ? ": " : ".",
                             reason && *reason ? reason : "");
    call_done(s, msg, 0);
    free(msg);
    hk_session_run_calls(s);
}

/* Returns 1 when the call waits (for the engineer or for a run). */
static int run_call(struct hk_session *s, struct pending_call *c)
{
    if (c->refused) {
        call_done(s, c->refused, 0);
        return 0;
    }
    if (!c->input) {
        call_done(s, "the tool input is not a valid JSON object; nothing was done", 0);
        return 0;
    }
    switch (hk_tool_kind(c->name)) {
    case HK_TOOL_READ: {
        char *out = NULL;
        int ok = hk_tool_read(s->task->worktree, c->name, c->input, &out) == 0;
        call_done(s, out, ok);
        free(out);
        return 0;
    }
    case HK_TOOL_EDIT:
        return start_proposal(s, c);
    case HK_TOOL_TESTS:
        if (!s->test_command) {
            call_done(s, "no test command is configured (the engineer sets it with git config honk.test)", 0);
            return 0;
        }
        hk_session_run_tests(s, 1);
        return 1;
    case HK_TOOL_COMMAND: {
        const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(c->input, "command");
        if (!cJSON_IsString(cmd) || !*cmd->valuestring) {
            call_done(s, "run_command needs a \"command\"", 0);
            return 0;
        }
        if (s->policy == HK_APPROVE_ALL) {
            session_start_run(s, cmd->valuestring, RUN_COMMAND);
            return 1;
        }
        s->waiting = HK_WAIT_COMMAND;
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "id", c->id);
        cJSON_AddStringToObject(d, "command", cmd->valuestring);
        hk_session_emit(s, HK_EV_COMMAND, d, 1);
        hk_session_set_state(s, HK_STATE_AWAITING);
        return 1;
    }
    case HK_TOOL_UNKNOWN:
        break;
    }
    char *msg = hk_xasprintf("there is no tool named %s", c->name);
    call_done(s, msg, 0);
    free(msg);
    return 0;
}

void hk_session_run_calls(struct hk_session *s)
{
    if (!s->replaying && s->interrupt) {
        hk_session_stop_interrupted(s);
        return;
    }
    if (s->state != HK_STATE_APPLYING)
        hk_session_set_state(s, HK_STATE_APPLYING);
    while (s->next_call < s->ncalls)
        if (run_call(s, &s->calls[s->next_call]))
            return;
    hk_session_free_calls(s);
    hk_session_think(s);
}

/* --- decisions ------------------------------------------------------------ */

static int apply_verdict(struct hk_proposal *p, int hunk, enum hk_verdict verdict, const char *edited, char **err)
{
    if (hunk < 0)
        return verdict == HK_VERDICT_REJECT ? hk_patch_reject_all(p, err) : hk_patch_approve_all(p, err);
    size_t f, h;
    if (locate(p, hunk, &f, &h) != 0) {
        *err = hk_xasprintf("proposal %s has no hunk %d", p->id, hunk + 1);
        return -1;
    }
    if (verdict == HK_VERDICT_EDIT)
        return hk_patch_edit_hunk(p, f, h, edited ? edited : "", err);
    return verdict == HK_VERDICT_REJECT ? hk_patch_reject(p, f, h, err) : hk_patch_approve(p, f, h, err);
}

static void session_remember_reasons(struct hk_session *s, const struct hk_proposal *p, int hunk, const char *reason)
{
    if (!reason || !*reason)
        return;
    if (!s->reasons)
        s->reasons = cJSON_CreateObject();
    size_t first = hunk < 0 ? 0 : (size_t)hunk, last = hunk < 0 ? hunk_total(p) : (size_t)hunk + 1;
    for (size_t i = first; i < last; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s:%zu", p->id, i);
        cJSON_DeleteItemFromObjectCaseSensitive(s->reasons, key);
        cJSON_AddStringToObject(s->reasons, key, reason);
    }
}

void hk_session_decide(struct hk_session *s, const char *proposal_id, int hunk, enum hk_verdict verdict,
                    const char *reason, const char *edited_text)
{
    struct hk_proposal *p = hk_session_find_proposal(s, proposal_id);
    if (!p || (p != s->waiting_proposal && s->state != HK_STATE_REVIEW)) {
        hk_session_error(s, "proposal %s is not waiting for a decision", proposal_id);
        return;
    }
    if (cJSON_GetObjectItemCaseSensitive(s->history_only, proposal_id)) {
        hk_session_error(s, "proposal %s can take no more decisions: later proposals changed its files", proposal_id);
        return;
    }
    emit_decision(s, p->id, hunk, hk_verdict_name(verdict), reason, verdict == HK_VERDICT_EDIT ? edited_text : NULL, 0);
    if (s->replaying)
        return;
    char *err = NULL;
    if (apply_verdict(p, hunk, verdict, edited_text, &err) != 0) {
        hk_session_error(s, "%s", err);
        free(err);
        return;
    }
    if (verdict == HK_VERDICT_REJECT)
        session_remember_reasons(s, p, hunk, reason);
    emit_proposal(s, p, NULL);
    if (p == s->waiting_proposal && hk_session_all_decided(p)) {
        hk_session_finish_proposal(s, p);
        hk_session_run_calls(s);
    } else if (s->state == HK_STATE_REVIEW) {
        s->changed_since_test = 1;
    }
}

void hk_session_undo(struct hk_session *s)
{
    struct hk_proposal *p = s->waiting_proposal;
    char *err = NULL;
    if (!p)
        return;
    if (hk_patch_undo(p, &err) != 0) {
        hk_session_error(s, "%s", err);
        free(err);
        return;
    }
    emit_decision(s, p->id, -1, "undo", NULL, NULL, 0);
    emit_proposal(s, p, NULL);
}
