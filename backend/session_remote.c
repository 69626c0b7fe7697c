/* A session of another process, mirrored here for `honk attach`: a struct
 * hk_session built from the events its socket sends (or, once it has ended,
 * from its journal), so a front end shows it with the same calls as a
 * session it owns. Its commands go over the socket; their outcome comes back
 * as events, a refusal as an error event. It changes no file: proposals are
 * rebuilt as data from their engine state, the run's screen from the bytes
 * the other process's run wrote. */
#include "session_internal.h"
#include "json.h"
#include "protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hk_remote {
    struct hk_conn *conn;
    bool watch;
    bool ended;         /* no process to give commands to (finished, or the connection is gone) */
    char *name;
    cJSON *waiting;     /* the last state event's waiting object */
    long next_id;
    int run;            /* the output run the mirror runner shows; 0: none yet */
    bool run_fed;       /* the mirror runner has had bytes */
};

static void deliver(struct hk_session *s, enum hk_event_kind kind, const char *message)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "message", message);
    struct hk_event ev = {kind, hk_wall_ms(), d};
    if (s->cb)
        s->cb(&ev, s->user);
    cJSON_Delete(d);
}

/* --- mirroring events ---------------------------------------------------- */

static void mirror_proposal(struct hk_session *s, const cJSON *d)
{
    const cJSON *engine = cJSON_GetObjectItemCaseSensitive(d, "proposal");
    const char *id = hk_json_str(d, "id");
    if (!engine || !id || !s->task)
        return;
    cJSON *copy = cJSON_Duplicate(engine, 1), *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(copy, "files")) {
        cJSON_DeleteItemFromObjectCaseSensitive(f, "loaded");
        if (cJSON_IsObject(f))
            cJSON_AddFalseToObject(f, "loaded"); /* data only: the files are the other process's */
    }
    struct hk_proposal *p = NULL;
    char *err = NULL;
    int rc = hk_patch_from_json(copy, s->task->worktree ? s->task->worktree : ".", &p, &err);
    cJSON_Delete(copy);
    free(err);
    if (rc != 0)
        return;
    for (size_t i = 0; i < s->nproposals; i++) {
        if (!strcmp(s->proposals[i]->id, id)) {
            hk_patch_free(s->proposals[i]);
            s->proposals[i] = p;
            return;
        }
    }
    s->proposals = hk_xrealloc(s->proposals, (s->nproposals + 1) * sizeof *s->proposals);
    s->proposals[s->nproposals++] = p;
}

static void mirror_state(struct hk_session *s, const cJSON *d)
{
    int st = hk_session_state_parse(hk_json_str(d, "state"));
    if (st < 0)
        return;
    s->state = (enum hk_session_state)st;
    s->iteration = (int)hk_json_long(d, "iteration", s->iteration);
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(d, "waiting");
    cJSON_Delete(s->remote->waiting);
    s->remote->waiting = cJSON_IsObject(w) ? cJSON_Duplicate(w, 1) : NULL;
    s->waiting = hk_wait_kind_parse(hk_json_str(w, "kind"));
    s->out_of_turns = hk_json_true(w, "out_of_turns");
    s->waiting_proposal = NULL;
    const char *id = hk_json_str(w, "id");
    for (size_t i = 0; s->waiting == HK_WAIT_PROPOSAL && id && i < s->nproposals; i++)
        if (!strcmp(s->proposals[i]->id, id))
            s->waiting_proposal = s->proposals[i];
}

static void runner_changed(struct hk_runner *r, void *data)
{
    struct hk_session *s = data;
    if (s->on_runner_change)
        s->on_runner_change(r, s->runner_watcher);
}

/* A new run: the front end hears of it (through the event that follows)
 * before the old one goes, so nobody keeps a pointer to a freed one. */
static struct hk_runner *new_run(struct hk_session *s, const char *command, int rows, int cols)
{
    struct hk_runner *old = s->runner;
    s->runner = hk_runner_mirror(s->loop, command ? command : "", rows, cols, runner_changed, s);
    s->remote->run_fed = false;
    return old;
}

static void mirror_test_end(struct hk_session *s, const cJSON *d)
{
    if (!s->runner)
        return;
    if (!s->remote->run_fed && hk_json_str(d, "tail")) {
        /* read back from the journal: the run's last lines, as resume shows them */
        for (const char *line = hk_json_str(d, "tail"); *line;) {
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            hk_runner_mirror_feed(s->runner, line, len, 0, 0);
            if (nl)
                hk_runner_mirror_feed(s->runner, "\r\n", 2, 0, 0);
            line += len + (nl ? 1 : 0);
        }
    }
    struct hk_runner_result res = {
        .exit_code = (int)hk_json_num(d, "exit", -1), .signal = (int)hk_json_num(d, "signal", 0),
        .timed_out = hk_json_true(d, "timed_out"), .duration_ms = (int64_t)hk_json_num(d, "duration_ms", 0),
    };
    hk_runner_mirror_end(s->runner, &res);
}

static void mirror_event(struct hk_session *s, const struct hk_event *ev)
{
    struct hk_runner *old = NULL;
    switch (ev->kind) {
    case HK_EV_TASK:
        free(s->task_text);
        s->task_text = hk_xstrdup(hk_json_str(ev->data, "task") ? hk_json_str(ev->data, "task") : "");
        break;
    case HK_EV_STATE: mirror_state(s, ev->data); break;
    case HK_EV_PROPOSAL: mirror_proposal(s, ev->data); break;
    case HK_EV_TEST_START: old = new_run(s, hk_json_str(ev->data, "command"), 24, 100); break;
    case HK_EV_TEST_END: mirror_test_end(s, ev->data); break;
    default: break;
    }
    if (s->cb)
        s->cb(ev, s->user);
    hk_runner_free(old);
}

static void mirror_output(struct hk_session *s, const cJSON *msg)
{
    int run = (int)hk_json_long(msg, "run", 0);
    int rows = (int)hk_json_long(msg, "rows", 24), cols = (int)hk_json_long(msg, "cols", 100);
    struct hk_runner *old = NULL;
    if (run != s->remote->run) {
        /* The run's test_start made a runner already: it is this run. */
        if (!s->runner || s->remote->run_fed || hk_runner_state(s->runner) != HK_RUNNER_RUNNING)
            old = new_run(s, hk_json_str(msg, "command"), rows, cols);
        s->remote->run = run;
        runner_changed(s->runner, s);
    }
    struct hk_buf bytes = {0};
    const char *text = hk_json_str(msg, "text"), *data = hk_json_str(msg, "data");
    if (text) {
        for (const char *p = text; *p; p++) {
            if (*p == '\n')
                hk_buf_addc(&bytes, '\r');
            hk_buf_addc(&bytes, *p);
        }
    } else if (data && hk_base64_decode(&bytes, data) != 0) {
        hk_buf_clear(&bytes);
    }
    s->remote->run_fed = true;
    hk_runner_mirror_feed(s->runner, bytes.data ? bytes.data : "", bytes.len, rows, cols);
    hk_buf_free(&bytes);
    hk_runner_free(old);
}

/* --- the connection ------------------------------------------------------ */

static void on_line(const char *line, const cJSON *msg, void *user)
{
    (void)line;
    struct hk_session *s = user;
    const char *type = hk_json_str(msg, "type");
    if (!type)
        return;
    if (!strcmp(type, "event")) {
        int kind = hk_event_parse_name(hk_json_str(msg, "kind") ? hk_json_str(msg, "kind") : "");
        if (kind < 0)
            return; /* a kind of a newer honk: nothing to show it with */
        struct hk_event ev = {(enum hk_event_kind)kind, hk_json_long(msg, "time", 0),
                              cJSON_GetObjectItemCaseSensitive(msg, "data")};
        mirror_event(s, &ev);
    } else if (!strcmp(type, "output")) {
        mirror_output(s, msg);
    } else if (!strcmp(type, "reply") && !hk_json_true(msg, "ok")) {
        deliver(s, HK_EV_ERROR, hk_json_str(msg, "error") ? hk_json_str(msg, "error") : "The session refused it.");
    } else if (!strcmp(type, "error")) {
        deliver(s, HK_EV_ERROR, hk_json_str(msg, "error") ? hk_json_str(msg, "error") : "The session said no.");
    } else if (!strcmp(type, "bye")) {
        char *why = hk_xasprintf("Session %s ended the connection: %s.", s->task->id,
                                 hk_json_str(msg, "reason") ? hk_json_str(msg, "reason") : "no reason given");
        s->remote->ended = true;
        deliver(s, hk_session_state_terminal(s->state) ? HK_EV_NOTE : HK_EV_ERROR, why);
        free(why);
    }
}

static void on_close(const char *why, void *user)
{
    struct hk_session *s = user;
    if (s->remote->ended)
        return; /* it said goodbye */
    s->remote->ended = true;
    char *msg = hk_xasprintf("%s%s: what is shown is what it last said; honk attach %s again, or honk resume %s.",
                             why, hk_session_state_terminal(s->state) ? "" : " (its process may have ended)",
                             s->task->id, s->task->id);
    msg[0] = (char)(msg[0] >= 'a' && msg[0] <= 'z' ? msg[0] - 32 : msg[0]);
    deliver(s, HK_EV_ERROR, msg);
    free(msg);
}

static void journal_event(const struct hk_event *ev, void *user)
{
    mirror_event(user, ev);
}

struct hk_session *hk_session_attach(struct hk_loop *loop, struct hk_repo *repo, const char *id,
                                     const struct hk_attach_opts *opts, hk_event_cb cb, void *user, char **err)
{
    struct hk_session *s = hk_xcalloc(1, sizeof *s);
    s->loop = loop;
    s->repo = repo;
    s->cb = cb;
    s->user = user;
    s->remote = hk_xcalloc(1, sizeof *s->remote);
    s->remote->watch = opts->watch;
    s->remote->name = opts->name ? hk_xstrdup(opts->name) : hk_protocol_default_name();
    s->owner = hk_xstrdup(s->remote->name);
    *err = NULL;
    int found = hk_task_open(repo, id, &s->task, err);
    if (found <= 0) {
        if (!found)
            *err = hk_xasprintf("there is no session %s (honk log lists them)", id);
        hk_session_free(s);
        return NULL;
    }
    struct hk_live live;
    if (hk_session_live(hk_repo_gitdir(repo), id, &live)) {
        s->remote->conn = hk_conn_open(loop, live.socket, on_line, on_close, s, err);
        hk_live_free(&live);
        if (!s->remote->conn) {
            hk_session_free(s);
            return NULL;
        }
        cJSON *join = hk_protocol_msg("join");
        cJSON_AddStringToObject(join, "name", s->remote->name);
        cJSON_AddBoolToObject(join, "watch", opts->watch);
        hk_conn_send(s->remote->conn, join);
        cJSON_Delete(join);
        return s;
    }
    /* Not running: its journal, read-only. */
    s->remote->ended = true;
    char *path = hk_journal_path(hk_repo_gitdir(repo), id);
    int n = hk_journal_read(path, journal_event, s, err);
    free(path);
    if (n <= 0) {
        if (!*err)
            *err = hk_xasprintf("session %s has no events in its journal", id);
        hk_session_free(s);
        return NULL;
    }
    char *msg = hk_xasprintf("Session %s is not running (it is %s): this is its journal, read-only.%s", id,
                             hk_session_state_name(s->state),
                             hk_session_state_terminal(s->state) ? "" : " honk resume ID goes on with it.");
    char *at = strstr(msg, "ID goes");
    if (at) {
        char *fixed = hk_xasprintf("%.*s%s%s", (int)(at - msg), msg, id, at + 2);
        free(msg);
        msg = fixed;
    }
    deliver(s, HK_EV_NOTE, msg);
    free(msg);
    return s;
}

bool hk_session_attached(const struct hk_session *s)
{
    return s->remote != NULL;
}

bool hk_session_read_only(const struct hk_session *s)
{
    return s->remote && (s->remote->watch || s->remote->ended);
}

int hk_remote_command(struct hk_session *s, const cJSON *cmd, char **err)
{
    if (s->remote->watch) {
        *err = hk_xstrdup("Not done: this cockpit only watches (honk attach --watch); attach without --watch to "
                          "decide.");
        return -1;
    }
    if (s->remote->ended) {
        *err = hk_xasprintf("Not done: session %s is not running here any more; honk resume %s goes on with it.",
                            s->task->id, s->task->id);
        return -1;
    }
    cJSON *msg = hk_protocol_msg("command");
    cJSON_AddNumberToObject(msg, "id", (double)++s->remote->next_id);
    cJSON_AddItemToObject(msg, "command", cJSON_Duplicate(cmd, 1));
    hk_conn_send(s->remote->conn, msg);
    cJSON_Delete(msg);
    return 1;
}

cJSON *hk_remote_waiting(const struct hk_session *s)
{
    return s->remote->waiting && hk_session_wait(s) != HK_WAIT_NONE ? cJSON_Duplicate(s->remote->waiting, 1) : NULL;
}

char *hk_remote_commit_message(const struct hk_session *s)
{
    const char *proposed = hk_json_str(s->remote->waiting, "message");
    if (proposed)
        return hk_xstrdup(proposed);
    const char *task = s->task_text ? s->task_text : "";
    return hk_xstrndup(task, strcspn(task, "\n"));
}

void hk_remote_free(struct hk_session *s)
{
    if (!s->remote)
        return;
    hk_conn_free(s->remote->conn);
    cJSON_Delete(s->remote->waiting);
    free(s->remote->name);
    free(s->remote);
    s->remote = NULL;
}
