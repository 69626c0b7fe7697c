/* Rendering events as lines of text. */
#include "printer.h"
#include "json.h"
#include "deploy.h"
#include "session.h"
#include "util.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

/* A member's string, "" when missing: what is printed is never NULL. */
static const char *str(const cJSON *d, const char *name)
{
    const char *s = hk_json_str(d, name);
    return s ? s : "";
}

void hk_printer_json(FILE *out, const struct hk_event *ev)
{
    cJSON *line = cJSON_CreateObject();
    cJSON_AddStringToObject(line, "kind", hk_event_name(ev->kind));
    cJSON_AddNumberToObject(line, "time", (double)ev->time_ms);
    cJSON_AddItemToObject(line, "data", ev->data ? cJSON_Duplicate(ev->data, 1) : cJSON_CreateObject());
    char *text = hk_json_print(line);
    fprintf(out, "%s\n", text);
    fflush(out);
    free(text);
    cJSON_Delete(line);
}

/* Ends the model's text line before anything else is printed. */
static void break_text(struct hk_printer *p)
{
    if (p->in_text)
        fputc('\n', p->out);
    p->in_text = 0;
}

static void print_indented(FILE *out, const char *text)
{
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);
        fprintf(out, "    %.*s\n", len, line);
        line = nl ? nl + 1 : line + len;
    }
}

/* Said only when the engineer is needed or the session ended: decided from
 * the state's flags and what it waits for. */
static bool state_worth_saying(const struct hk_event *ev)
{
    int state = hk_state_event_state(ev);
    enum hk_wait_kind wait = hk_state_event_wait(ev);
    return (state >= 0 && hk_session_state_terminal((enum hk_session_state)state)) || state == HK_STATE_AWAITING ||
           (wait != HK_WAIT_NONE && wait != HK_WAIT_MESSAGE);
}

static void print_state(struct hk_printer *p, const struct hk_event *ev)
{
    const cJSON *d = ev->data;
    int state = hk_state_event_state(ev);
    enum hk_wait_kind wait = hk_state_event_wait(ev);
    if (state >= 0 && hk_session_state_terminal((enum hk_session_state)state))
        fprintf(p->out, "honk: session %s\n", str(d, "state"));
    else if (wait == HK_WAIT_COMMIT)
        fprintf(p->out, "honk: ready for review\n");
    else if (wait != HK_WAIT_NONE || state == HK_STATE_AWAITING) /* a journal from before `waiting`: no kind */
        fprintf(p->out, "honk: waiting for %s\n", str(d, "waiting_for"));
}

static void print_test_end(struct hk_printer *p, const struct hk_event *ev)
{
    const cJSON *d = ev->data;
    const char *what = hk_run_purpose_name(hk_run_is_command(d));
    if (hk_json_true(d, "passed"))
        fprintf(p->out, "honk: %s passed (%.1f s)\n", what, hk_json_num(d, "duration_ms", 0) / 1000);
    else if (hk_json_true(d, "timed_out"))
        fprintf(p->out, "honk: %s timed out (%.1f s)\n", what, hk_json_num(d, "duration_ms", 0) / 1000);
    else
        fprintf(p->out, "honk: %s failed, exit %d (%.1f s)\n", what, (int)hk_json_num(d, "exit", 0), hk_json_num(d, "duration_ms", 0) / 1000);
    if (p->verbose || !hk_json_true(d, "passed"))
        print_indented(p->out, str(d, "tail"));
}

/* "honk: reject p1 hunk 2: reason"; the hunk is a flat index from 0, -1 for all. */
static void print_decision(struct hk_printer *p, const struct hk_event *ev)
{
    const cJSON *d = ev->data;
    int hunk = (int)hk_json_num(d, "hunk", -1);
    fprintf(p->out, "honk: %s %s", str(d, "verdict"), str(d, "proposal"));
    if (hunk >= 0)
        fprintf(p->out, " hunk %d", hunk + 1);
    if (*str(d, "by"))
        fprintf(p->out, " (by %s)", str(d, "by"));
    fprintf(p->out, "%s%s\n", *str(d, "reason") ? ": " : "", str(d, "reason"));
}

char *hk_presence_sentence(const cJSON *d)
{
    const char *who = str(d, "who"), *action = str(d, "action");
    bool watch = hk_json_true(d, "watch");
    if (!strcmp(action, "joined"))
        return hk_xasprintf("%s joined%s", who, watch ? ", watching" : "");
    if (!strcmp(action, "left"))
        return hk_xasprintf("%s left", who);
    if (!strcmp(action, "dropped"))
        return hk_xasprintf("%s was dropped: it fell too far behind the session's events", who);
    if (!strcmp(action, "decided") && *str(d, "what"))
        return hk_xasprintf("%s %s", who, str(d, "what"));
    return NULL;
}

static void print_presence(struct hk_printer *p, const struct hk_event *ev)
{
    char *sentence = hk_presence_sentence(ev->data);
    if (sentence)
        fprintf(p->out, "honk: %s\n", sentence);
    free(sentence);
}

static void print_text(struct hk_printer *p, const struct hk_event *ev)
{
    const char *t = str(ev->data, "text");
    fputs(t, p->out);
    size_t n = strlen(t);
    if (n)
        p->in_text = t[n - 1] != '\n';
    fflush(p->out);
}

static void print_task(struct hk_printer *p, const struct hk_event *ev)
{
    const cJSON *d = ev->data;
    fprintf(p->out, "honk: task %s on branch %s (%s %s)\n      %s\n", str(d, "id"), str(d, "branch"),
            str(d, "provider"), str(d, "model"), str(d, "task"));
}

static void print_user(struct hk_printer *p, const struct hk_event *ev)
{
    if (hk_json_true(ev->data, "automatic"))
        fprintf(p->out, "honk: the tests failed; the output goes back to the model\n");
    else
        fprintf(p->out, "> %s\n", str(ev->data, "text"));
}

/* Retries, landing, notes: their message says it all. */
static void print_message(struct hk_printer *p, const struct hk_event *ev)
{
    fprintf(p->out, "honk: %s\n", str(ev->data, "message"));
}

static void print_tool_call(struct hk_printer *p, const struct hk_event *ev)
{
    fprintf(p->out, "  -> %s\n", str(ev->data, "summary"));
}

static void print_tool_result(struct hk_printer *p, const struct hk_event *ev)
{
    if (!hk_json_true(ev->data, "ok"))
        fprintf(p->out, "     error: %s\n", str(ev->data, "summary"));
    else if (p->verbose)
        print_indented(p->out, str(ev->data, "content"));
}

static void print_proposal(struct hk_printer *p, const struct hk_event *ev)
{
    const cJSON *d = ev->data;
    if (hk_json_true(d, "update"))
        return;
    fprintf(p->out, "honk: proposal %s, %d hunk%s:\n", str(d, "id"), (int)hk_json_num(d, "hunks", 0),
            hk_json_num(d, "hunks", 0) == 1 ? "" : "s");
    print_indented(p->out, str(d, "summary"));
}

static void print_command(struct hk_printer *p, const struct hk_event *ev)
{
    fprintf(p->out, "honk: the model asks to run: %s\n", str(ev->data, "command"));
}

static void print_test_start(struct hk_printer *p, const struct hk_event *ev)
{
    fprintf(p->out, "honk: running %s\n", str(ev->data, "command"));
}

static void print_commit(struct hk_printer *p, const struct hk_event *ev)
{
    fprintf(p->out, "honk: committed %.12s on %s\n", str(ev->data, "commit"), str(ev->data, "branch"));
}

static void print_deploy_stage(struct hk_printer *p, const struct hk_event *ev)
{
    const cJSON *d = ev->data;
    int state = hk_stage_state_parse(str(d, "state"));
    if (state == HK_STAGE_PENDING)
        return;
    if (state == HK_STAGE_RUNNING)
        fprintf(p->out, "honk: deploy stage %s: running %s\n", str(d, "stage"), str(d, "command"));
    else /* "interrupted" comes with a message that says what it means */
        fprintf(p->out, "honk: deploy stage %s: %s\n", str(d, "stage"),
                *str(d, "message") ? str(d, "message") : str(d, "state"));
}

void hk_printer_usage(struct hk_printer *p)
{
    break_text(p);
    char *s = hk_usage_sentence(&p->usage, *p->model ? p->model : NULL);
    fprintf(p->out, "honk: %s\n", s);
    free(s);
}

char *hk_compact_sentence(const cJSON *d)
{
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "stubs"));
    const char *why = !strcmp(str(d, "reason"), "too_long") ? "the model server found it too long"
                                                            : "it neared the context window";
    int summarised = (int)hk_json_num(d, "replaced", 0);
    char *what = summarised ? hk_xasprintf("the %d oldest messages summarised by the model", summarised)
                            : hk_xasprintf("%d old tool result%s elided", n, n == 1 ? "" : "s");
    char *s = hk_xasprintf("Compacted the conversation (%s): %s, about %.0f tokens now, %.0f before, "
                           "of a %.0f-token window.", why, what, hk_json_num(d, "tokens_after", 0),
                           hk_json_num(d, "tokens_before", 0), hk_json_num(d, "window", 0));
    free(what);
    return s;
}

static void print_compact(struct hk_printer *p, const struct hk_event *ev)
{
    char *s = hk_compact_sentence(ev->data);
    fprintf(p->out, "honk: %s\n", s);
    free(s);
}

static void print_error(struct hk_printer *p, const struct hk_event *ev)
{
    fprintf(p->out, "honk: error: %s\n", str(ev->data, "message"));
}

typedef void event_printer(struct hk_printer *p, const struct hk_event *ev);

/* One printer per kind; a kind without one prints nothing. */
static event_printer *const printers[HK_EV_COUNT] = {
    [HK_EV_TASK] = print_task,
    [HK_EV_STATE] = print_state,
    [HK_EV_USER] = print_user,
    [HK_EV_RETRY] = print_message,
    [HK_EV_TOOL_CALL] = print_tool_call,
    [HK_EV_TOOL_RESULT] = print_tool_result,
    [HK_EV_PROPOSAL] = print_proposal,
    [HK_EV_DECISION] = print_decision,
    [HK_EV_COMMAND] = print_command,
    [HK_EV_TEST_START] = print_test_start,
    [HK_EV_TEST_END] = print_test_end,
    [HK_EV_COMMIT] = print_commit,
    [HK_EV_LAND] = print_message,
    [HK_EV_DEPLOY_STAGE] = print_deploy_stage,
    [HK_EV_ERROR] = print_error,
    [HK_EV_NOTE] = print_message,
    [HK_EV_COMPACT] = print_compact,
    [HK_EV_PRESENCE] = print_presence,
};

void hk_printer_event(struct hk_printer *p, const struct hk_event *ev)
{
    if (ev->kind == HK_EV_TEXT) {
        print_text(p, ev);
        return;
    }
    if (ev->kind == HK_EV_STATE && !state_worth_saying(ev))
        return;
    if (ev->kind == HK_EV_TURN_END || ev->kind == HK_EV_COMPACT) /* a summary's request */
        hk_usage_add(&p->usage, ev->data);
    if (ev->kind == HK_EV_TASK)
        snprintf(p->model, sizeof p->model, "%s", str(ev->data, "model"));
    if (ev->kind == HK_EV_TURN_END || ev->kind == HK_EV_SUMMARY)
        return;
    break_text(p);
    if ((int)ev->kind >= 0 && ev->kind < HK_EV_COUNT && printers[ev->kind])
        printers[ev->kind](p, ev);
    fflush(p->out);
}
