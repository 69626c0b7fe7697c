/* The session's loop: starting a task, the model's turns, the test step
 * that decides between another iteration and review, then commit, land and
 * deploy. Tool calls and decisions are in session_calls.c. */
#include "session_internal.h"
#include "protocol.h"
#include "model_window.h"
#include "json.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_ITERATIONS 5
#define DEFAULT_MAX_TURNS 50
#define DEFAULT_TEST_TIMEOUT_MS (10 * 60 * 1000)
#define FAILURE_TAIL_LINES 120
#define FAILURE_TAIL_BYTES (12 * 1024)

static const char *const policy_names[] = {
#define HK_APPROVE_NAME(id, name) name,
    HK_APPROVE_POLICIES(HK_APPROVE_NAME)
#undef HK_APPROVE_NAME
};
#define NPOLICIES (sizeof policy_names / sizeof *policy_names)

int hk_approve_policy_parse(const char *name, enum hk_approve_policy *out)
{
    for (size_t i = 0; i < NPOLICIES; i++) {
        if (!strcmp(name, policy_names[i])) {
            *out = (enum hk_approve_policy)i;
            return 0;
        }
    }
    return -1;
}

const char *hk_approve_policy_name(enum hk_approve_policy p)
{
    return policy_names[p];
}

const char *hk_approve_policy_choices(void)
{
    static char text[64];
    if (text[0])
        return text;
    size_t len = 0;
    for (size_t i = 0; i < NPOLICIES; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", i == 0 ? "" : i + 1 < NPOLICIES ? ", " : " or ",
                                policy_names[i]);
    return text;
}

void hk_session_set_state(struct hk_session *s, enum hk_session_state state)
{
    s->state = state;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "state", hk_session_state_name(state));
    cJSON_AddNumberToObject(d, "iteration", s->iteration);
    if (hk_session_state_terminal(state))
        s->waiting = HK_WAIT_NONE;
    if (state == HK_STATE_AWAITING && hk_session_waiting_for(s))
        cJSON_AddStringToObject(d, "waiting_for", hk_session_waiting_for(s));
    cJSON *waiting = hk_session_waiting(s);
    if (waiting)
        cJSON_AddItemToObject(d, "waiting", waiting);
    hk_session_emit(s, HK_EV_STATE, d, 1);
}

void hk_session_error(struct hk_session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = hk_xvasprintf(fmt, ap);
    va_end(ap);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "message", msg);
    free(msg);
    hk_session_emit(s, HK_EV_ERROR, d, 1);
}

void hk_session_fail(struct hk_session *s, const char *why)
{
    if (why)
        hk_session_error(s, "%s", why);
    s->exit_status = 1;
    hk_session_set_state(s, HK_STATE_FAILED);
}

/* --- the system prompt ------------------------------------------------- */

static void add_instructions(struct hk_buf *prompt, const char *root)
{
    static const char *const files[] = {"AGENTS.md", "CLAUDE.md", ".honk/instructions.md"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = hk_xasprintf("%s/%s", root, files[i]);
        FILE *f = fopen(path, "r");
        free(path);
        if (!f)
            continue;
        hk_buf_printf(prompt, "\n\n# Instructions from the repository's %s\n\n", files[i]);
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && prompt->len < 64 * 1024)
            hk_buf_add(prompt, chunk, n);
        fclose(f);
    }
}

static char *session_system_prompt(const struct hk_session *s)
{
    struct hk_buf p = {0};
    hk_buf_adds(&p,
                "You are honk's coding agent. You work in a git worktree of the engineer's repository, "
                "on a branch of its own. Read the code with read_file, list_files and search; change it "
                "with edit_file, write_file or apply_patch, in small focused edits. The engineer reviews "
                "every hunk; a rejected hunk comes back to you with the reason.\n");
    if (s->test_command)
        hk_buf_printf(&p, "When you stop editing, honk runs the tests (`%s`) and gives you the output "
                          "of a failing run to fix.\n", s->test_command);
    hk_buf_adds(&p, "When the change is complete, reply with a short summary and a commit message in a "
                    "fenced block:\n```commit\nA subject line under 72 characters\n\nWhy the change was made.\n```\n");
    add_instructions(&p, s->task->worktree);
    return hk_buf_steal(&p);
}

/* --- model turns -------------------------------------------------------- */

static void emit_model_text(struct hk_session *s, const struct hk_model_event *ev)
{
    cJSON *d = cJSON_CreateObject();
    char *text = hk_xstrndup(ev->text, ev->len);
    cJSON_AddStringToObject(d, "text", text);
    free(text);
    hk_session_emit(s, HK_EV_TEXT, d, 0);
}

/* Parsed, an input with a NUL in a string is cut there: the journal keeps
 * the text as sent instead. Takes input. */
static cJSON *journalled_input(const struct hk_tool_call *call, cJSON *input)
{
    char *nul_member = NULL;
    if (input && hk_json_has_nul(call->input_json, &nul_member)) {
        cJSON_Delete(input);
        input = NULL;
    }
    free(nul_member);
    return input ? input : cJSON_CreateString(call->input_json);
}

static void emit_tool_call(struct hk_session *s, const struct hk_model_event *ev)
{
    cJSON *d = cJSON_CreateObject();
    cJSON *input = cJSON_Parse(ev->call->input_json);
    char *summary = hk_tool_summary(ev->call->name, input);
    cJSON_AddStringToObject(d, "id", ev->call->id);
    cJSON_AddStringToObject(d, "name", ev->call->name);
    cJSON_AddItemToObject(d, "input", journalled_input(ev->call, input));
    cJSON_AddStringToObject(d, "summary", summary);
    free(summary);
    hk_session_emit(s, HK_EV_TOOL_CALL, d, 0);
}

static void emit_retry(struct hk_session *s, const struct hk_model_event *ev)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "message", ev->message);
    cJSON_AddNumberToObject(d, "attempt", ev->attempt);
    cJSON_AddNumberToObject(d, "delay_ms", (double)ev->delay_ms);
    hk_session_emit(s, HK_EV_RETRY, d, 0);
}

static void end_request(struct hk_session *s)
{
    hk_model_request_free(s->req);
    s->req = NULL;
}

/* The answer is in the conversation: run its tool calls, or the turn is over. */
static void on_model_done(struct hk_session *s, const struct hk_model_event *ev)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "stop_reason", ev->stop_reason ? ev->stop_reason : "");
    cJSON_AddNumberToObject(d, "input_tokens", (double)ev->input_tokens);
    cJSON_AddNumberToObject(d, "output_tokens", (double)ev->output_tokens);
    cJSON_AddNumberToObject(d, "cache_creation_input_tokens", (double)ev->cache_creation_tokens);
    cJSON_AddNumberToObject(d, "cache_read_input_tokens", (double)ev->cache_read_tokens);
    if (s->model->price.known)
        cJSON_AddNumberToObject(d, "cost_usd", hk_price_cost(&s->model->price, ev->input_tokens, ev->output_tokens,
                                                             ev->cache_read_tokens, ev->cache_creation_tokens));
    hk_usage_add(&s->usage, d);
    s->last_prompt = ev->input_tokens + ev->cache_read_tokens + ev->cache_creation_tokens;
    hk_session_emit(s, HK_EV_TURN_END, d, 1);
    s->compact_retried = 0;
    end_request(s);
    const struct hk_message *last = &s->conv->msgs[s->conv->nmsgs - 1];
    if (last->role == HK_ROLE_ASSISTANT && last->ncalls) {
        hk_session_take_calls(s, last);
        hk_session_run_calls(s);
    } else {
        hk_session_after_turn(s);
    }
}

/* The provider found the prompt too long: compact (stubs, else a summary)
 * and ask once more. */
static int retry_shorter(struct hk_session *s, const struct hk_model_event *ev)
{
    if (ev->too_long < 0 || s->compact_retried)
        return 0;
    long window = ev->too_long > 0 ? ev->too_long : s->context_window;
    if (ev->too_long > 0 && (!s->context_window || ev->too_long < s->context_window)) {
        s->context_window = ev->too_long; /* the server's own figure */
        s->window_learnt = 1;
    }
    s->compact_retried = 1;
    end_request(s);
    s->turns--;
    if (hk_session_compact(s, window, "too_long"))
        hk_session_ask(s);
    else if (!hk_session_summarise(s, window, "too_long"))
        return 0;
    return 1;
}

static void on_model_error(struct hk_session *s, const struct hk_model_event *ev)
{
    if (retry_shorter(s, ev))
        return;
    if (ev->too_long >= 0) {
        hk_session_error(s, "The conversation is too long for the model's context window even after "
                            "compaction (%s); resume the session to try again, with a larger "
                            "honk.contextWindow or a shorter task.", ev->message);
        end_request(s);
        hk_session_fail(s, NULL);
        return;
    }
    hk_session_error(s, "%s", ev->message);
    end_request(s);
    hk_session_fail(s, NULL);
}

/* Interrupted by the engineer (not by cancelling the session): it waits for a message. */
static void on_model_cancelled(struct hk_session *s);

void hk_session_model_cancelled(struct hk_session *s)
{
    on_model_cancelled(s);
}

static void on_model_cancelled(struct hk_session *s)
{
    if (s->state != HK_STATE_CANCELLED) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "message", "Interrupted: the model's unfinished answer is not kept. "
                                              "Send a message to go on.");
        hk_session_emit(s, HK_EV_NOTE, d, 0);
    }
    end_request(s);
    if (s->state == HK_STATE_CANCELLED)
        return;
    s->waiting = HK_WAIT_MESSAGE;
    hk_session_set_state(s, HK_STATE_IDLE);
}

static void on_model_event(const struct hk_model_event *ev, void *user)
{
    struct hk_session *s = user;
    switch (ev->kind) {
    case HK_MODEL_TEXT:
        emit_model_text(s, ev);
        break;
    case HK_MODEL_TOOL_CALL:
        emit_tool_call(s, ev);
        break;
    case HK_MODEL_RETRY:
        emit_retry(s, ev);
        break;
    case HK_MODEL_DONE:
        on_model_done(s, ev);
        break;
    case HK_MODEL_ERROR:
        on_model_error(s, ev);
        break;
    case HK_MODEL_CANCELLED:
        on_model_cancelled(s);
        break;
    }
}

static void emit_note(struct hk_session *s, const char *msg, const char *field, double value)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "message", msg);
    if (field)
        cJSON_AddNumberToObject(d, field, value);
    hk_session_emit(s, HK_EV_NOTE, d, 1);
}

/* honk.maxTurns reached: the session stops where it is and waits for the
 * engineer, who may send a message (or resume with --accept) to go on. */
static void stop_out_of_turns(struct hk_session *s)
{
    char *msg = hk_xasprintf("Stopped after %d model turns without a message from the engineer "
                             "(honk.maxTurns is %ld). Send a message to go on.", s->turns, s->max_turns);
    s->out_of_turns = 1;
    emit_note(s, msg, "max_turns", (double)s->max_turns);
    free(msg);
    s->waiting = HK_WAIT_MESSAGE;
    hk_session_set_state(s, HK_STATE_IDLE);
}

/* The tool calls left unanswered get a result, so the conversation stays
 * whole, and the session waits for a message. */
void hk_session_stop_interrupted(struct hk_session *s)
{
    s->interrupt = 0;
    for (; s->next_call < s->ncalls; s->next_call++)
        hk_session_add_result(s, s->calls[s->next_call].id, s->calls[s->next_call].name,
                           "not run: the engineer interrupted", 0);
    hk_session_free_calls(s);
    emit_note(s, "Interrupted: the model's tool calls stopped. Send a message to go on.", NULL, 0);
    s->waiting = HK_WAIT_MESSAGE;
    hk_session_set_state(s, HK_STATE_IDLE);
}

void hk_session_think(struct hk_session *s)
{
    if (!s->replaying && s->interrupt) {
        hk_session_stop_interrupted(s);
        return;
    }
    if (!s->replaying && s->max_turns > 0 && s->turns >= s->max_turns) {
        stop_out_of_turns(s);
        return;
    }
    s->waiting = HK_WAIT_NONE;
    hk_session_set_state(s, HK_STATE_THINKING);
    if (s->replaying)
        return;
    hk_session_compact(s, s->context_window, "budget");
    if (!hk_session_summarise(s, s->context_window, "budget"))
        hk_session_ask(s);
}

void hk_session_ask(struct hk_session *s)
{
    if (hk_session_over_budget(s))
        return;
    s->out_of_money = 0;
    s->turns++;
    s->req = hk_model_request_start(s->loop, s->conv, s->model, on_model_event, s);
}

/* --- tests, review, commit, deploy ---------------------------------------- */

void hk_session_enter_review(struct hk_session *s)
{
    if (!s->any_change) {
        /* Nothing to commit: the model answered without changing anything. */
        s->waiting = HK_WAIT_MESSAGE;
        hk_session_set_state(s, HK_STATE_IDLE);
        return;
    }
    s->waiting = HK_WAIT_COMMIT;
    hk_session_set_state(s, HK_STATE_REVIEW);
    if (s->policy == HK_APPROVE_ALL && !s->replaying)
        hk_session_approve_commit(s, NULL);
}

void hk_session_after_turn(struct hk_session *s)
{
    if (s->changed_since_test && s->test_command) {
        hk_session_run_tests(s, 0);
        return;
    }
    if (s->any_change && s->test_command && !s->tests_passed) {
        hk_session_run_tests(s, 0);
        return;
    }
    hk_session_enter_review(s);
}

/* The loop's own test run ended: review, another iteration, or failure. */
void hk_session_tests_done(struct hk_session *s, int passed, const char *tail, int exit_code)
{
    if (passed) {
        hk_session_enter_review(s);
        return;
    }
    if (s->iteration >= s->max_iterations) {
        char *why = hk_xasprintf("the tests still fail after %d iterations (honk.maxIterations)", s->iteration);
        hk_session_fail(s, why);
        free(why);
        return;
    }
    char *msg = hk_xasprintf("The tests failed (`%s` exited %d). Fix the code so that they pass.\n\n"
                             "Output (the end):\n%s", s->test_command, exit_code, tail);
    hk_conv_add_user_text(s->conv, msg);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "text", msg);
    cJSON_AddBoolToObject(d, "automatic", 1);
    hk_session_emit(s, HK_EV_USER, d, 1);
    free(msg);
    hk_session_think(s);
}

/* The commit message the model wrote in a ```commit block, or the task. */
static char *commit_message_from(const struct hk_session *s)
{
    for (size_t i = s->conv->nmsgs; i-- > 0;) {
        const struct hk_message *m = &s->conv->msgs[i];
        if (m->role != HK_ROLE_ASSISTANT || !m->text)
            continue;
        const char *start = strstr(m->text, "```commit");
        if (!start)
            continue;
        start = strchr(start, '\n');
        const char *end = start ? strstr(start + 1, "```") : NULL;
        if (!end)
            continue;
        while (end > start && (end[-1] == '\n' || end[-1] == ' '))
            end--;
        if (end > start + 1)
            return hk_xstrndup(start + 1, (size_t)(end - start - 1));
    }
    return hk_xasprintf("%.72s", s->task_text);
}

void hk_session_after_commit(struct hk_session *s)
{
    if (!s->deploy) {
        s->exit_status = 0;
        hk_session_set_state(s, HK_STATE_DONE);
    } else if (s->deploy_auto) {
        hk_session_start_deploy(s);
    } else {
        s->waiting = HK_WAIT_DEPLOY;
        hk_session_set_state(s, HK_STATE_AWAITING);
    }
}

static void land(struct hk_session *s)
{
    char *msg = NULL, *err = NULL;
    enum hk_land_result r = hk_task_land(s->repo, s->task, &msg, &err);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddBoolToObject(d, "landed", r == HK_LAND_DONE);
    cJSON_AddStringToObject(d, "message", r == HK_LAND_ERROR ? (err ? err : "landing failed") : (msg ? msg : ""));
    hk_session_emit(s, HK_EV_LAND, d, 1);
    free(msg);
    free(err);
}

char *hk_session_commit_message(const struct hk_session *s)
{
    if (s->remote)
        return hk_remote_commit_message(s);
    return commit_message_from(s);
}

void hk_session_approve_commit(struct hk_session *s, const char *message)
{
    if (s->state != HK_STATE_REVIEW)
        return;
    free(s->commit_message);
    s->commit_message = message ? hk_xstrdup(message) : commit_message_from(s);
    s->waiting = HK_WAIT_NONE;
    hk_session_set_state(s, HK_STATE_COMMITTING);
    char *hex = NULL, *note = NULL, *err = NULL;
    if (hk_task_commit(s->repo, s->task, s->commit_message, s->task->id, &hex, &note, &err) != 0) {
        hk_session_fail(s, err);
        free(err);
        return;
    }
    free(s->commit);
    s->commit = hex;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "commit", hex);
    cJSON_AddStringToObject(d, "branch", s->task->branch);
    cJSON_AddStringToObject(d, "message", s->commit_message);
    if (note)
        cJSON_AddStringToObject(d, "note", note);
    hk_session_emit(s, HK_EV_COMMIT, d, 1);
    free(note);
    land(s);
    hk_session_after_commit(s);
}

/* --- starting ------------------------------------------------------------ */

static int read_settings(struct hk_session *s, const struct hk_session_opts *opts, char **err)
{
    char *policy = hk_config_string(s->cfg, "honk.approve");
    enum hk_approve_policy p = HK_APPROVE_ASK;
    if (opts->approve >= 0) {
        p = (enum hk_approve_policy)opts->approve;
    } else if (policy && hk_approve_policy_parse(policy, &p) != 0) {
        *err = hk_xasprintf("honk.approve is \"%s\"; it must be %s", policy, hk_approve_policy_choices());
        free(policy);
        return -1;
    }
    free(policy);
    s->policy = p;
    int deploy_auto = 0;
    s->max_iterations = DEFAULT_MAX_ITERATIONS;
    s->max_turns = DEFAULT_MAX_TURNS;
    s->test_timeout_ms = DEFAULT_TEST_TIMEOUT_MS;
    if (hk_config_bool(s->cfg, "honk.deploy.auto", &deploy_auto, err) ||
        hk_config_int(s->cfg, "honk.maxIterations", &s->max_iterations, err) ||
        hk_config_int(s->cfg, "honk.maxTurns", &s->max_turns, err) ||
        hk_config_seconds(s->cfg, "honk.testTimeout", &s->test_timeout_ms, err))
        return -1;
    if (opts->max_iterations > 0)
        s->max_iterations = opts->max_iterations;
    s->context_window = hk_session_window_default(s->model ? s->model->model : NULL);
    char *window = hk_config_string(s->cfg, "honk.contextWindow");
    s->window_explicit = window != NULL;
    free(window);
    if (hk_config_int(s->cfg, "honk.contextWindow", &s->context_window, err))
        return -1;
    s->deploy_auto = opts->deploy >= 0 ? opts->deploy : deploy_auto;
    s->test_command = hk_config_string(s->cfg, "honk.test");
    s->deploy = hk_deploy_from_config(s->cfg, err);
    return *err ? -1 : 0;
}

static void emit_task(struct hk_session *s)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", s->task->id);
    cJSON_AddStringToObject(d, "task", s->task_text);
    cJSON_AddStringToObject(d, "branch", s->task->branch);
    cJSON_AddStringToObject(d, "worktree", s->task->worktree);
    cJSON_AddStringToObject(d, "base", s->task->base_commit);
    if (s->task->base_branch)
        cJSON_AddStringToObject(d, "base_branch", s->task->base_branch);
    cJSON_AddStringToObject(d, "provider", hk_provider_name(s->model->provider));
    cJSON_AddStringToObject(d, "model", s->model->model);
    cJSON_AddStringToObject(d, "test", s->test_command ? s->test_command : "");
    cJSON_AddStringToObject(d, "approve", hk_approve_policy_name(s->policy));
    cJSON_AddBoolToObject(d, "deploy", s->deploy_auto);
    cJSON *stages = cJSON_AddArrayToObject(d, "deploy_stages");
    for (size_t i = 0; i < hk_deploy_stage_count(s->deploy); i++)
        cJSON_AddItemToArray(stages, cJSON_CreateString(hk_deploy_stage(s->deploy, i)->name));
    hk_session_emit(s, HK_EV_TASK, d, 1);
}

static void note_dirty_checkout(struct hk_session *s, const struct hk_session_opts *opts)
{
    char *summary = NULL, *err = NULL;
    if (opts->with_changes || hk_repo_dirty(s->repo, &summary, &err) != 1) {
        free(summary);
        free(err);
        return;
    }
    cJSON *d = cJSON_CreateObject();
    char *msg = hk_xasprintf("Your checkout has uncommitted changes (%s); the task starts from %s without "
                             "them. To carry them in, start it with --with-changes.", summary,
                             opts->base ? opts->base : "HEAD");
    cJSON_AddStringToObject(d, "message", msg);
    hk_session_emit(s, HK_EV_NOTE, d, 0);
    free(msg);
    free(summary);
}

static int open_task(struct hk_session *s, const char *resume_id, const struct hk_session_opts *opts, char **err)
{
    if (!resume_id) {
        struct hk_task_options topts = {.base = opts->base, .with_changes = opts->with_changes, .id = opts->id};
        return hk_task_create(s->repo, &topts, &s->task, err);
    }
    int found = hk_task_open(s->repo, resume_id, &s->task, err);
    if (found == 0)
        *err = hk_xasprintf("there is no session %s (honk log lists them)", resume_id);
    else if (found == 1 && hk_session_fetched_task(s, err) != 0)
        return -1;
    else if (found == 1 && !s->task->worktree)
        *err = hk_xasprintf("session %s has no worktree any more", resume_id);
    return found == 1 && s->task->worktree ? 0 : -1;
}

/* The server's own figure beats the model name's default; an explicit
 * honk.contextWindow is never asked about, and a too-long refusal's lower
 * figure stays. */
static void on_server_window(long window, void *data)
{
    struct hk_session *s = data;
    if (window > 0 && !(s->window_learnt && s->context_window < window))
        s->context_window = window;
}

struct hk_session *hk_session_start(struct hk_loop *loop, struct hk_repo *repo, const char *resume_id,
                                    const struct hk_session_opts *opts, hk_event_cb cb, void *user,
                                    char **err)
{
    struct hk_session *s = hk_xcalloc(1, sizeof *s);
    s->loop = loop;
    s->repo = repo;
    s->model = opts->model;
    s->cb = cb;
    s->user = user;
    *err = NULL;
    s->cfg = opts->config;
    s->owner = opts->who ? hk_xstrdup(opts->who) : hk_protocol_default_name();
    /* The claim comes first: a session another honk runs is not resumed twice. */
    if (read_settings(s, opts, err) != 0 || open_task(s, resume_id, opts, err) != 0 ||
        hk_session_socket_open(s, err) != 0)
        goto fail;
    s->journal = hk_journal_open(hk_repo_gitdir(repo), s->task->id, err);
    if (!s->journal || hk_session_publish_open(s, opts, err) != 0)
        goto fail;
    if (!s->window_explicit && s->model)
        s->window_probe = hk_window_probe_start(loop, s->model, on_server_window, s);
    if (resume_id) {
        char *path = hk_journal_path(hk_repo_gitdir(repo), resume_id);
        int rc = hk_session_replay_journal(s, path, err);
        free(path);
        if (rc != 0)
            goto fail;
        s->conv->system = session_system_prompt(s);
        hk_tools_define(s->conv);
        /* The run's own policy holds unless the resume names another. */
        if (opts->approve < 0 && s->resume_policy >= 0)
            s->policy = (enum hk_approve_policy)s->resume_policy;
        if (opts->deploy < 0 && s->resume_deploy >= 0)
            s->deploy_auto = s->resume_deploy;
        hk_session_socket_listening(s);
        hk_session_continue(s);
        return s;
    }
    s->task_text = hk_xstrdup(opts->task);
    char *system = session_system_prompt(s);
    s->conv = hk_conv_new(system);
    free(system);
    hk_tools_define(s->conv);
    hk_session_socket_listening(s);
    emit_task(s);
    note_dirty_checkout(s, opts);
    hk_session_send(s, opts->task);
    return s;
fail:
    hk_session_free(s);
    return NULL;
}

/* --- commands in ---------------------------------------------------------- */

void hk_session_send(struct hk_session *s, const char *text)
{
    if (s->state == HK_STATE_THINKING || s->state == HK_STATE_TESTING || s->state == HK_STATE_DEPLOYING ||
        s->state == HK_STATE_COMMITTING || s->waiting == HK_WAIT_PROPOSAL || s->waiting == HK_WAIT_COMMAND ||
        s->waiting == HK_WAIT_STAGE)
        return; /* the front end says why; a message then would break the turn order */
    hk_conv_add_user_text(s->conv, text);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "text", text);
    hk_session_emit(s, HK_EV_USER, d, 1);
    s->turns = 0;
    s->out_of_turns = 0;
    hk_session_think(s);
}

/* One call stops the agent loop: the model's request ends now; a run of
 * the tests or of a command is stopped and nothing after it starts. */
void hk_session_interrupt(struct hk_session *s)
{
    if (s->req) {
        hk_model_request_cancel(s->req);
        return;
    }
    if (s->state != HK_STATE_APPLYING && s->state != HK_STATE_TESTING && s->state != HK_STATE_THINKING)
        return;
    s->interrupt = 1;
    if (s->runner && hk_runner_state(s->runner) == HK_RUNNER_RUNNING)
        hk_runner_cancel(s->runner); /* its end goes to hk_session_stop_interrupted */
    else
        hk_session_stop_interrupted(s);
}

int hk_session_out_of_turns(const struct hk_session *s)
{
    return s->out_of_turns;
}

int hk_session_out_of_money(const struct hk_session *s)
{
    return s->out_of_money;
}

const struct hk_usage_total *hk_session_usage(const struct hk_session *s)
{
    return &s->usage;
}

void hk_session_cancel(struct hk_session *s)
{
    if (s->state == HK_STATE_DONE || s->state == HK_STATE_FAILED || s->state == HK_STATE_CANCELLED)
        return;
    s->state = HK_STATE_CANCELLED;
    if (s->req)
        hk_model_request_cancel(s->req);
    hk_deploy_cancel(s->deploy);
    if (s->runner && hk_runner_state(s->runner) == HK_RUNNER_RUNNING)
        hk_runner_cancel(s->runner);
    s->exit_status = 130;
    s->waiting = HK_WAIT_NONE;
    hk_session_set_state(s, HK_STATE_CANCELLED);
}

static void allow_more_turns(struct hk_session *s)
{
    char *msg = hk_xasprintf("The engineer allowed %ld more model turns.", s->max_turns);
    s->turns = 0;
    s->out_of_turns = 0;
    emit_note(s, msg, "more_turns", (double)s->max_turns);
    free(msg);
    hk_session_think(s);
}

void hk_session_answer(struct hk_session *s, int approve, const char *reason)
{
    if (s->waiting == HK_WAIT_PROPOSAL && s->waiting_proposal)
        hk_session_decide(s, s->waiting_proposal->id, -1, approve ? HK_VERDICT_APPROVE : HK_VERDICT_REJECT, reason, NULL);
    else if (s->waiting == HK_WAIT_COMMAND)
        hk_session_answer_command(s, approve, reason);
    else if (s->waiting == HK_WAIT_COMMIT && approve)
        hk_session_approve_commit(s, NULL);
    else if (s->waiting == HK_WAIT_DEPLOY || s->waiting == HK_WAIT_STAGE)
        hk_session_deploy(s, approve);
    else if (s->waiting == HK_WAIT_MESSAGE && s->out_of_turns && approve)
        allow_more_turns(s);
}

/* --- state out ------------------------------------------------------------ */

enum hk_session_state hk_session_state(const struct hk_session *s) { return s->state; }
const char *hk_session_id(const struct hk_session *s) { return s->task->id; }

int hk_session_diff(const struct hk_session *s, struct hk_diff **out, char **err)
{
    return hk_diff_task(s->repo, s->task, HK_DIFF_BASE, out, err);
}
size_t hk_session_proposal_count(const struct hk_session *s) { return s->nproposals; }
const char *hk_session_who(const struct hk_session *s) { return s->owner; }
const struct hk_proposal *hk_session_proposal(const struct hk_session *s, size_t i) { return s->proposals[i]; }
int hk_session_exit_status(const struct hk_session *s) { return s->exit_status; }

void hk_session_watch_runner(struct hk_session *s, hk_session_runner_cb cb, void *user)
{
    s->on_runner_change = cb;
    s->runner_watcher = user;
}

void hk_session_runner_changed(struct hk_runner *r, void *data)
{
    struct hk_session *s = data;
    if (s->on_runner_change)
        s->on_runner_change(r, s->runner_watcher);
}

struct hk_runner *hk_session_runner(const struct hk_session *s)
{
    if (s->state == HK_STATE_DEPLOYING)
        return hk_deploy_runner(s->deploy);
    return s->runner;
}

void hk_session_free(struct hk_session *s)
{
    if (!s)
        return;
    hk_event_cb cb = s->cb;
    s->cb = NULL; /* the front end may be gone: the note goes to the journal only */
    hk_session_publish_end(s);
    s->cb = cb;
    hk_remote_free(s);
    hk_session_socket_close(s);
    hk_session_flush_text(s);
    hk_buf_free(&s->pending_text);
    hk_model_request_free(s->req);
    hk_window_probe_free(s->window_probe);
    hk_runner_free(s->runner);
    hk_deploy_free(s->deploy);
    hk_session_free_calls(s);
    for (size_t i = 0; i < s->nproposals; i++)
        hk_patch_free(s->proposals[i]);
    free(s->proposals);
    hk_conv_free(s->conv);
    hk_conv_free(s->summary_conv);
    hk_journal_close(s->journal);
    hk_task_free(s->task);
    free(s->task_text);
    free(s->test_command);
    free(s->commit_message);
    free(s->commit);
    free(s->resume_run_command);
    cJSON_Delete(s->resume_proposal_calls);
    cJSON_Delete(s->resume_stages);
    cJSON_Delete(s->resume_last_run);
    cJSON_Delete(s->history_only);
    cJSON_Delete(s->reasons);
    cJSON_Delete(s->decided_by);
    free(s->owner);
    free(s);
}
