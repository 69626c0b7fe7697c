/* What Slack is told about a task from Slack: a status message in its thread
 * (posted when it is queued, then edited at each change of state), 👀 when
 * it is picked up, and a final message when it ends: the branch, the files
 * changed with +/- counts, the tests and their result, and the command that
 * opens it; ✅ or ❌ on the task's message. */
#include "serve_internal.h"
#include "json.h"
#include "serve_notify.h"
#include "serve_slack.h"
#include "session.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int told(const struct hk_serve *s, const struct hk_serve_task *t)
{
    return s->notify && s->slack_bot && t->from && !strcmp(t->from, "slack") && t->channel;
}

/* What a call needs filled in when its turn comes: the status message's ts
 * and the task's thread are known only once the first post is answered. */
enum fill { FILL_NONE, FILL_TS, FILL_THREAD, FILL_TIMESTAMP, FILL_STATUS_POST };

struct call {
    struct hk_serve *s;
    struct hk_serve_task *t;
    enum fill fill;
};

static int prepare(cJSON *body, void *user)
{
    struct call *c = user;
    const char *thread = c->t->thread ? c->t->thread : c->t->slack_ts;
    switch (c->fill) {
    case FILL_TS:
        if (!c->t->slack_ts)
            return -1; /* the status message was never posted */
        cJSON_AddStringToObject(body, "ts", c->t->slack_ts);
        return 0;
    case FILL_TIMESTAMP:
        if (!thread)
            return -1;
        cJSON_AddStringToObject(body, "timestamp", thread);
        return 0;
    case FILL_THREAD:
    case FILL_STATUS_POST:
        if (thread)
            cJSON_AddStringToObject(body, "thread_ts", thread);
        return 0;
    default:
        return 0;
    }
}

/* The status message's ts, journalled so that a restarted serve edits the
 * same message; a slash command's task lives in that message's thread. */
static void status_posted(struct hk_serve *s, struct hk_serve_task *t, const cJSON *answer)
{
    const char *ts = hk_json_str(answer, "ts");
    if (!ts)
        return;
    free(t->slack_ts);
    t->slack_ts = hk_xstrdup(ts);
    if (!t->thread)
        t->thread = hk_xstrdup(ts);
    char *err = NULL;
    if (hk_serve_queue_update(s->queue, t, &err) != 0)
        hk_serve_log("task %s: %s", t->id, err);
    free(err);
}

static void done(const cJSON *answer, void *user)
{
    struct call *c = user;
    if (c->fill == FILL_STATUS_POST)
        status_posted(c->s, c->t, answer);
    free(c);
}

static void call(struct hk_serve *s, struct hk_serve_task *t, const char *method, cJSON *body, enum fill fill)
{
    struct call *c = hk_xmalloc(sizeof *c);
    *c = (struct call){s, t, fill};
    hk_notify_call(s->notify, t->id, method, body, prepare, done, c);
}

static cJSON *message(const struct hk_serve_task *t, const char *text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "channel", t->channel);
    cJSON_AddStringToObject(o, "text", text);
    return o;
}

static void react(struct hk_serve *s, struct hk_serve_task *t, const char *name)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "channel", t->channel);
    cJSON_AddStringToObject(o, "name", name);
    call(s, t, "reactions.add", o, FILL_TIMESTAMP);
}

/* The first status is posted; each later one edits that message, in order. */
static void set_status(struct hk_serve *s, struct hk_serve_task *t, char *text)
{
    if (t->slack_text && !strcmp(t->slack_text, text)) {
        free(text);
        return;
    }
    int first = !t->slack_text && !t->slack_ts;
    free(t->slack_text);
    t->slack_text = text;
    call(s, t, first ? "chat.postMessage" : "chat.update", message(t, text), first ? FILL_STATUS_POST : FILL_TS);
}

void hk_serve_tell_queued(struct hk_serve *s, struct hk_serve_task *t)
{
    if (!told(s, t))
        return;
    long pos = hk_serve_queue_position(s->queue, t);
    set_status(s, t, pos > 0 ? hk_xasprintf(":hourglass: Queued as task %s (%ld before it): %s", t->id, pos, t->task)
                             : hk_xasprintf(":hourglass: Queued as task %s: %s", t->id, t->task));
}

static const char *doing(const char *state)
{
    static const struct {
        const char *state, *what;
    } words[] = {
        {"starting", "setting up its worktree"}, {"thinking", "the model is working"},
        {"applying", "applying the model's edits"}, {"testing", "the tests run"},
        {"committing", "committing"}, {"deploying", "deploying"},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(words[i].state, state))
            return words[i].what;
    return NULL;
}

void hk_serve_tell_state(struct hk_serve *s, struct hk_serve_task *t, const struct hk_serve_run *run)
{
    if (!told(s, t))
        return;
    if (!strcmp(t->state, "starting") && run)
        react(s, t, "eyes");
    const char *what = doing(t->state);
    struct hk_buf b = {0};
    if (what) {
        hk_buf_printf(&b, ":gear: Task %s: %s", t->id, what);
        if (run && run->iteration > 0)
            hk_buf_printf(&b, " (iteration %ld)", run->iteration);
        if (run && run->test_command)
            hk_buf_printf(&b, "; last tests %s", run->test_passed ? "green" : "red");
    } else if (t->waiting) {
        const char *kind = hk_json_str(t->waiting, "kind");
        hk_buf_printf(&b, ":raised_hand: Task %s waits for a person: %s", t->id,
                      kind && !strcmp(kind, "commit")   ? "approval to commit (ready for review)"
                      : kind && !strcmp(kind, "command") ? "approval to run a command"
                      : kind ? kind : "a decision");
        if (kind && !strcmp(kind, "command") && hk_json_str(t->waiting, "command"))
            hk_buf_printf(&b, " (`%s`)", hk_json_str(t->waiting, "command"));
    } else if (!strcmp(t->state, "queued")) {
        hk_buf_printf(&b, ":hourglass: Task %s is queued again", t->id);
    } else {
        hk_buf_printf(&b, "Task %s: %s", t->id, t->state);
    }
    set_status(s, t, hk_buf_steal(&b));
}

/* "2 files changed, +3 -1 (calc.sh +1 -1, new.c +2)", from the worktree
 * against the task's base; NULL when it cannot be read. */
static char *diffstat(const struct hk_serve *s, const struct hk_serve_task *t)
{
    struct hk_repo *repo = NULL;
    struct hk_task *task = NULL;
    struct hk_diff *diff = NULL;
    char *err = NULL, *out = NULL;
    const char *dir = s->workdir;
    for (size_t i = 0; t->repo && i < s->nrepos; i++)
        if (!strcmp(s->repos[i].name, t->repo))
            dir = s->repos[i].path;
    /* A task that ran elsewhere has no worktree here: its fetched branch. */
    if (hk_repo_open(&repo, dir, &err) == 0 && hk_task_open(repo, t->id, &task, &err) == 1 &&
        (task->worktree ? hk_diff_task(repo, task, HK_DIFF_BASE, &diff, &err)
                        : hk_diff_revs(repo, task->base_commit, task->branch, &diff, &err)) == 0) {
        size_t add = 0, del = 0;
        struct hk_buf files = {0};
        for (size_t i = 0; i < diff->nfiles; i++) {
            const struct hk_diff_file *f = &diff->files[i];
            add += f->added;
            del += f->deleted;
            hk_buf_printf(&files, "%s%s +%zu -%zu", i ? ", " : "", f->new_path ? f->new_path : f->old_path,
                          f->added, f->deleted);
        }
        out = hk_xasprintf("%zu file%s changed, +%zu -%zu%s%s%s", diff->nfiles, diff->nfiles == 1 ? "" : "s", add,
                           del, files.len ? " (" : "", files.len ? files.data : "", files.len ? ")" : "");
        hk_buf_free(&files);
    }
    hk_diff_free(diff);
    hk_task_free(task);
    hk_repo_close(repo);
    free(err);
    return out;
}

/* 1 when the sentence's first line ends in a full stop (one is added after it). */
static int ends_dot(const char *text)
{
    size_t n = strcspn(text, "\n");
    return n && text[n - 1] == '.';
}

void hk_serve_tell_ended(struct hk_serve *s, struct hk_serve_task *t, const struct hk_serve_run *run)
{
    if (!told(s, t))
        return;
    hk_serve_tell_state(s, t, run);
    struct hk_buf b = {0};
    const char *kind = hk_json_str(t->waiting, "kind");
    int ready = !strcmp(t->state, "review") || !strcmp(t->state, "done");
    if (!strcmp(t->state, "done") && run && run->commit)
        hk_buf_printf(&b, "Task %s is done: committed %s on branch `honk/%s`%s%.*s", t->id, run->commit, t->id,
                      run->landed ? "; " : "", run->landed ? (int)strcspn(run->landed, "\n") - ends_dot(run->landed) : 0,
                      run->landed ? run->landed : "");
    else if (ready)
        hk_buf_printf(&b, "Task %s is %s on branch `honk/%s`", t->id,
                      !strcmp(t->state, "done") ? "done" : "ready for review", t->id);
    else if (!strcmp(t->state, "failed"))
        hk_buf_printf(&b, "Task %s failed%s%s", t->id, t->error ? ": " : "", t->error ? t->error : "");
    else if (kind)
        hk_buf_printf(&b, "Task %s stopped and waits for a person (%s)", t->id, kind);
    else
        hk_buf_printf(&b, "Task %s ended: %s", t->id, t->state);
    char *stat = diffstat(s, t);
    if (stat)
        hk_buf_printf(&b, ". %s", stat);
    free(stat);
    if (run && run->test_command)
        hk_buf_printf(&b, ". Tests: `%s` %s", run->test_command,
                      run->test_passed ? "passed" : "failed");
    if (run && run->test_command && !run->test_passed)
        hk_buf_printf(&b, " (exit %d)", run->test_exit);
    /* done from review: a person took it there, and ✅ is on it already */
    int decided = !strcmp(t->state, "done") && run && run->commit;
    if (decided)
        hk_buf_addc(&b, '.');
    else if (run && run->remote && !run->pushed)
        ; /* its sentence says what went wrong, and there is nothing to open */
    else if (run && run->remote)
        hk_buf_printf(&b, ". It ran elsewhere: `honk fetch %s`, then `honk resume %s` reviews it.", s->exec_remote, t->id);
    else
        hk_buf_printf(&b, ". Open it where honk serve runs: `honk attach %s` (or `honk resume %s`).", t->id, t->id);
    call(s, t, "chat.postMessage", message(t, b.data), FILL_THREAD);
    hk_buf_free(&b);
    if (!decided && (ready || !strcmp(t->state, "failed")))
        react(s, t, ready ? "white_check_mark" : "x");
}

void hk_serve_tell_callback(struct hk_serve *s, const struct hk_serve_task *t)
{
    if (!s->notify || !s->token || !t->callback_url)
        return;
    cJSON *o = hk_serve_task_json(t);
    char *body = hk_json_print(o);
    cJSON_Delete(o);
    char *mac = hk_hmac_sha256_hex(s->token, body, strlen(body));
    char *header = hk_xasprintf("X-Honk-Signature: sha256=%s", mac);
    hk_notify_post(s->notify, t->id, t->callback_url, body, header);
    free(header);
    free(mac);
}

void hk_serve_tell_thread(struct hk_serve *s, struct hk_serve_task *t, const char *text)
{
    if (told(s, t))
        call(s, t, "chat.postMessage", message(t, text), FILL_THREAD);
}

void hk_serve_tell_refusal(struct hk_serve *s, const char *channel, const char *user, const char *text)
{
    if (!s->notify || !s->slack_bot)
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "channel", channel);
    cJSON_AddStringToObject(o, "user", user);
    cJSON_AddStringToObject(o, "text", text);
    char *key = hk_xasprintf("refusal %s", user);
    hk_notify_call(s->notify, key, "chat.postEphemeral", o, NULL, NULL, NULL);
    free(key);
}
