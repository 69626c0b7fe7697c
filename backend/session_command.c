/* Commands in, as data: one parser and one dispatcher for every command a
 * front end gives (HK_SESSION_COMMANDS in session.h). Each command is
 * checked against what the session waits for before anything happens, and
 * a command that does not apply is refused with a sentence: a decision names
 * the wait it answers, so an answer to a question that was answered
 * meanwhile is not applied to whatever waits now. */
#include "session_internal.h"
#include "json.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const command_names[] = {
#define HK_COMMAND_NAME(name, str, doc) str,
    HK_SESSION_COMMANDS(HK_COMMAND_NAME)
#undef HK_COMMAND_NAME
};

#define NCOMMANDS (sizeof command_names / sizeof command_names[0])

const char *hk_session_command_name(enum hk_session_command_kind k)
{
    return (size_t)k < NCOMMANDS ? command_names[k] : NULL;
}

static int refuse(char **err, char *sentence)
{
    *err = sentence;
    return -1;
}

/* "honk is thinking", "honk waits for approval to commit". */
static char *doing(const struct hk_session *s)
{
    const char *what = hk_session_waiting_for(s);
    if (what)
        return hk_xasprintf("honk waits for %s", what);
    return hk_xasprintf("honk is %s", hk_session_state_name(s->state));
}

static const char *member(const cJSON *cmd, const char *name)
{
    return hk_json_str(cmd, name);
}

/* Who decided what a refused command names, or NULL: keys as recorded by
 * record_decider. */
static const char *decider(const struct hk_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *decider(const struct hk_session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *key = hk_xvasprintf(fmt, ap);
    va_end(ap);
    const char *who = hk_json_str(s->decided_by, key);
    free(key);
    return who;
}

static size_t hunk_count(const struct hk_proposal *p)
{
    size_t n = 0;
    for (size_t f = 0; f < p->nfiles; f++)
        n += p->files[f].nhunks;
    return n;
}

/* The proposal a decision may name: the waiting one, or in review any. */
static int decidable(struct hk_session *s, const char *id, struct hk_proposal **out, char **err)
{
    if (!id)
        return refuse(err, hk_xstrdup("Not decided: the command names no \"proposal\"."));
    struct hk_proposal *p = hk_session_find_proposal(s, id);
    if (!p)
        return refuse(err, hk_xasprintf("Not decided: there is no proposal %s.", id));
    if (p != s->waiting_proposal && s->state != HK_STATE_REVIEW) {
        char *now = doing(s);
        const char *who = decider(s, "%s", id);
        char *why = who ? hk_xasprintf("Not decided: proposal %s was already decided by %s (%s).", id, who, now)
                        : hk_xasprintf("Not decided: proposal %s is not waiting for a decision any more (%s).", id, now);
        free(now);
        return refuse(err, why);
    }
    *out = p;
    return 0;
}

static const char *const verdicts[] = {
#define HK_VERDICT_NAME(name, str) str,
    HK_VERDICTS(HK_VERDICT_NAME)
#undef HK_VERDICT_NAME
};

#define NVERDICTS (sizeof verdicts / sizeof verdicts[0])

const char *hk_verdict_name(enum hk_verdict v)
{
    return (size_t)v < NVERDICTS ? verdicts[v] : "unknown";
}

int hk_verdict_parse(const char *name)
{
    for (size_t i = 0; name && i < NVERDICTS; i++)
        if (!strcmp(name, verdicts[i]))
            return (int)i;
    return -1;
}

/* A decision that says which state it saw the hunk in is refused when the
 * hunk was decided meanwhile (by someone else, or by a key pressed twice). */
static int hunk_changed(const struct hk_session *s, const struct hk_proposal *p, int flat, const char *seen,
                        char **err)
{
    int asked = flat;
    if (!seen)
        return 0;
    int want = hk_hunk_state_parse(seen);
    if (want < 0)
        return refuse(err, hk_xstrdup("Not decided: \"state\" must be pending, approved, rejected or edited."));
    for (size_t f = 0; f < p->nfiles; f++) {
        if ((size_t)flat >= p->files[f].nhunks) {
            flat -= (int)p->files[f].nhunks;
            continue;
        }
        enum hk_hunk_state now = p->files[f].hunks[flat].state;
        if ((int)now == want)
            return 0;
        const char *who = decider(s, "%s:%d", p->id, asked);
        if (who)
            return refuse(err, hk_xasprintf("Not decided: hunk %d of %s was already decided by %s (%s).", asked + 1,
                                            p->id, who, hk_hunk_state_name(now)));
        return refuse(err, hk_xasprintf("Not decided: hunk %d of %s is %s now, not %s: it was decided meanwhile.",
                                        flat + 1, p->id, hk_hunk_state_name(now), seen));
    }
    return 0;
}

static int cmd_decide(struct hk_session *s, const cJSON *cmd, char **err)
{
    struct hk_proposal *p;
    if (decidable(s, member(cmd, "proposal"), &p, err) != 0)
        return -1;
    int v = hk_verdict_parse(member(cmd, "verdict"));
    if (v < 0)
        return refuse(err, hk_xstrdup("Not decided: \"verdict\" must be approve, reject or edit."));
    enum hk_verdict verdict = (enum hk_verdict)v;
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(cmd, "hunk");
    double hunk = h ? (cJSON_IsNumber(h) ? h->valuedouble : -2) : -1;
    size_t total = hunk_count(p);
    if (hunk != (int)hunk || hunk < -1)
        return refuse(err, hk_xstrdup("Not decided: \"hunk\" is a hunk's number from 0, or -1 for all of them."));
    if (hunk >= (double)total)
        return refuse(err, hk_xasprintf("Not decided: proposal %s has no hunk %d (it has %zu).", p->id,
                                        (int)hunk + 1, total));
    if (hunk >= 0 && hunk_changed(s, p, (int)hunk, member(cmd, "state"), err) != 0)
        return -1;
    const char *text = member(cmd, "text");
    if (verdict == HK_VERDICT_EDIT && (hunk < 0 || !text))
        return refuse(err, hk_xstrdup("Not decided: an edit names one \"hunk\" and carries its new \"text\"."));
    hk_session_decide(s, p->id, (int)hunk, verdict, member(cmd, "reason"), text);
    return 0;
}

/* The id an answer names must be the one that waits. */
static int same_wait(struct hk_session *s, enum hk_wait_kind kind, const char *id, char **err)
{
    const char *now = NULL, *what = hk_wait_kind_name(kind);
    if (kind == HK_WAIT_PROPOSAL)
        now = s->waiting_proposal ? s->waiting_proposal->id : NULL;
    else if (kind == HK_WAIT_COMMAND)
        now = hk_session_waiting_call(s) ? hk_session_waiting_call(s)->id : NULL;
    else if (kind == HK_WAIT_STAGE && id) /* optional: the stage is known by its name */
        now = hk_session_waiting_stage(s);
    else
        return 0;
    if (!id)
        return refuse(err, hk_xasprintf("Not answered: the answer names no \"id\" of the %s it answers.", what));
    const char *who = decider(s, "%s:%s", what, id);
    if ((!now || strcmp(id, now)) && who)
        return refuse(err, hk_xasprintf("Not answered: %s %s was already decided by %s.", what, id, who));
    if (!now || strcmp(id, now))
        return refuse(err, hk_xasprintf("Not answered: %s %s is not waiting any more (%s %s is).", what, id,
                                        what, now ? now : "none"));
    return 0;
}

static int cmd_answer(struct hk_session *s, const cJSON *cmd, char **err)
{
    const char *name = member(cmd, "wait");
    enum hk_wait_kind kind = hk_wait_kind_parse(name), now = hk_session_wait(s);
    const cJSON *approve = cJSON_GetObjectItemCaseSensitive(cmd, "approve");
    if (now == HK_WAIT_NONE)
        return refuse(err, hk_xasprintf("Not answered: nothing waits for an answer (honk is %s).",
                                        hk_session_state_name(s->state)));
    if (kind == HK_WAIT_NONE)
        return refuse(err, hk_xasprintf("Not answered: \"wait\" must be proposal, command, commit, deploy, stage "
                                        "or message%s%s%s.", name ? ", not \"" : "", name ? name : "",
                                        name ? "\"" : ""));
    if (!cJSON_IsBool(approve))
        return refuse(err, hk_xstrdup("Not answered: \"approve\" must be true or false."));
    if (kind != now) {
        char *doing_now = doing(s);
        const char *id = member(cmd, "id");
        /* Without an id, only a wait that has none can be named (the commit, the deploy). */
        const char *who = id ? decider(s, "%s:%s", name, id)
                          : kind != HK_WAIT_PROPOSAL && kind != HK_WAIT_COMMAND ? decider(s, "%s", name) : NULL;
        char *why = who ? hk_xasprintf("Not answered: the %s%s%s was already decided by %s (%s).", name, id ? " " : "",
                                       id ? id : "", who, doing_now)
                        : hk_xasprintf("Not answered: nothing of the kind %s waits (%s).", name, doing_now);
        free(doing_now);
        return refuse(err, why);
    }
    if (same_wait(s, kind, member(cmd, "id"), err) != 0)
        return -1;
    int yes = cJSON_IsTrue(approve);
    if (kind == HK_WAIT_COMMIT && !yes)
        return refuse(err, hk_xstrdup("Not answered: a commit is not declined; send a message to change the work, "
                                      "or cancel the session."));
    if (kind == HK_WAIT_MESSAGE && !(s->out_of_turns && yes))
        return refuse(err, hk_xstrdup(s->out_of_turns ? "Not answered: send a message, or accept more turns."
                                                      : "Not answered: honk waits for a message; send one."));
    hk_session_answer(s, yes, member(cmd, "reason"));
    return 0;
}

static int cmd_undo(struct hk_session *s, const cJSON *cmd, char **err)
{
    const char *id = member(cmd, "proposal");
    if (!id)
        return refuse(err, hk_xstrdup("Not undone: the command names no \"proposal\"."));
    if (!s->waiting_proposal || strcmp(s->waiting_proposal->id, id)) {
        char *now = doing(s);
        char *why = hk_xasprintf("Not undone: proposal %s is not waiting for a decision (%s).", id, now);
        free(now);
        return refuse(err, why);
    }
    hk_session_undo(s);
    return 0;
}

/* A message goes in only between turns: one then would break the turn
 * order of the conversation. */
static int cmd_send(struct hk_session *s, const cJSON *cmd, char **err)
{
    const char *text = member(cmd, "text");
    if (!text || !*text)
        return refuse(err, hk_xstrdup("Not sent: the message is empty."));
    enum hk_session_state st = s->state;
    enum hk_wait_kind w = hk_session_wait(s);
    if ((st == HK_STATE_IDLE || st == HK_STATE_REVIEW || hk_session_state_terminal(st)) &&
        w != HK_WAIT_PROPOSAL && w != HK_WAIT_COMMAND && w != HK_WAIT_STAGE) {
        hk_session_send(s, text);
        return 0;
    }
    const char *waiting = hk_session_waiting_for(s);
    bool asks = waiting && *waiting && waiting[strlen(waiting) - 1] == '?';
    return refuse(err, hk_xasprintf("Not sent: honk is %s%s%s%s", hk_session_state_name(st),
                                    waiting ? ", waiting for " : "", waiting ? waiting : "", asks ? "" : "."));
}

static int cmd_interrupt(struct hk_session *s, const cJSON *cmd, char **err)
{
    (void)cmd;
    if (!s->req && s->state != HK_STATE_APPLYING && s->state != HK_STATE_TESTING && s->state != HK_STATE_THINKING)
        return refuse(err, hk_xasprintf("Nothing to interrupt: honk is %s.", hk_session_state_name(s->state)));
    hk_session_interrupt(s);
    return 0;
}

static int cmd_commit(struct hk_session *s, const cJSON *cmd, char **err)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(cmd, "message");
    if (s->state != HK_STATE_REVIEW && decider(s, "commit"))
        return refuse(err, hk_xasprintf("Not committed: the commit was already decided by %s (honk is %s).",
                                        decider(s, "commit"), hk_session_state_name(s->state)));
    if (s->state != HK_STATE_REVIEW)
        return refuse(err, hk_xstrdup("Nothing to commit yet: the session is not in review."));
    if (m && !cJSON_IsString(m))
        return refuse(err, hk_xstrdup("Not committed: \"message\" must be text."));
    const char *msg = m ? m->valuestring : NULL;
    if (msg && !msg[strspn(msg, " \t\r\n")])
        return refuse(err, hk_xstrdup("The commit message is empty; nothing was committed."));
    hk_session_approve_commit(s, msg);
    return 0;
}

static int cmd_deploy(struct hk_session *s, const cJSON *cmd, char **err, int run)
{
    enum hk_wait_kind w = hk_session_wait(s);
    const char *stage = member(cmd, "stage");
    if (w != HK_WAIT_DEPLOY && w != HK_WAIT_STAGE) {
        char *now = doing(s);
        const char *who = decider(s, "deploy");
        char *why = who ? hk_xasprintf("No deploy is waiting for approval: it was already decided by %s (%s).", who, now)
                        : hk_xasprintf("No deploy is waiting for approval (%s).", now);
        free(now);
        return refuse(err, why);
    }
    const char *waiting_stage = hk_session_waiting_stage(s);
    if (stage && (!waiting_stage || strcmp(stage, waiting_stage)))
        return refuse(err, hk_xasprintf("Not answered: the deploy stage %s does not wait (%s).", stage,
                                        waiting_stage ? waiting_stage : "the whole deploy does"));
    hk_session_deploy(s, run);
    return 0;
}

static int cmd_cancel(struct hk_session *s, const cJSON *cmd, char **err)
{
    (void)cmd;
    if (hk_session_state_terminal(s->state))
        return refuse(err, hk_xasprintf("Nothing to cancel: the session is %s.", hk_session_state_name(s->state)));
    hk_session_cancel(s);
    return 0;
}

static int dispatch(struct hk_session *s, const cJSON *cmd, char **err)
{
    if (!cJSON_IsObject(cmd))
        return refuse(err, hk_xstrdup("A command is a JSON object, such as {\"command\": \"send\", \"text\": \"...\"}."));
    const char *name = member(cmd, "command");
    size_t k = 0;
    while (name && k < NCOMMANDS && strcmp(name, command_names[k]))
        k++;
    if (!name || k == NCOMMANDS)
        return refuse(err, hk_xasprintf("There is no command \"%s\"; the commands are decide, answer, undo, send, "
                                        "interrupt, commit, deploy, skip_deploy and cancel.", name ? name : ""));
    switch ((enum hk_session_command_kind)k) {
    case HK_CMD_DECIDE: return cmd_decide(s, cmd, err);
    case HK_CMD_ANSWER: return cmd_answer(s, cmd, err);
    case HK_CMD_UNDO: return cmd_undo(s, cmd, err);
    case HK_CMD_SEND: return cmd_send(s, cmd, err);
    case HK_CMD_INTERRUPT: return cmd_interrupt(s, cmd, err);
    case HK_CMD_COMMIT: return cmd_commit(s, cmd, err);
    case HK_CMD_DEPLOY: return cmd_deploy(s, cmd, err, 1);
    case HK_CMD_SKIP_DEPLOY: return cmd_deploy(s, cmd, err, 0);
    case HK_CMD_CANCEL: return cmd_cancel(s, cmd, err);
    }
    return refuse(err, hk_xstrdup("unknown command"));
}

static void set_decider(struct hk_session *s, const char *key)
{
    if (!s->decided_by)
        s->decided_by = cJSON_CreateObject();
    cJSON_DeleteItemFromObjectCaseSensitive(s->decided_by, key);
    cJSON_AddStringToObject(s->decided_by, key, s->who);
}

/* What took effect, as a sentence for the others ("approved hunk 2 of
 * p1"), and who did it, for a later refusal. */
static char *record_decider(struct hk_session *s, const cJSON *cmd)
{
    const char *name = member(cmd, "command"), *id = member(cmd, "id"), *kind = member(cmd, "wait");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(cmd, "hunk");
    int hunk = cJSON_IsNumber(h) ? h->valueint : -1;
    int yes = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cmd, "approve"));
    char key[256];
    if (!strcmp(name, "decide")) {
        const char *pid = member(cmd, "proposal"), *v = member(cmd, "verdict");
        const char *did = !strcmp(v, "approve") ? "approved" : !strcmp(v, "reject") ? "rejected" : "edited";
        set_decider(s, pid);
        if (hunk < 0)
            return hk_xasprintf("%s %s", did, pid);
        snprintf(key, sizeof key, "%s:%d", pid, hunk);
        set_decider(s, key);
        return hk_xasprintf("%s hunk %d of %s", did, hunk + 1, pid);
    }
    if (!strcmp(name, "answer")) {
        snprintf(key, sizeof key, "%s%s%s", kind, id ? ":" : "", id ? id : "");
        set_decider(s, key);
        set_decider(s, kind);
        if (!strcmp(kind, "proposal") && id)
            set_decider(s, id);
        return hk_xasprintf("answered the %s%s%s: %s", kind, id ? " " : "", id ? id : "", yes ? "yes" : "no");
    }
    if (!strcmp(name, "commit") || !strcmp(name, "deploy") || !strcmp(name, "skip_deploy")) {
        set_decider(s, name[0] == 'c' ? "commit" : "deploy");
        return hk_xstrdup(!strcmp(name, "commit") ? "committed" : !strcmp(name, "deploy") ? "approved the deploy"
                                                                                          : "skipped the deploy");
    }
    static const char *const others[][2] = {
        {"undo", "undid a decision"}, {"send", "sent a message"}, {"interrupt", "interrupted"},
        {"cancel", "cancelled the session"},
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (!strcmp(name, others[i][0]))
            return hk_xstrdup(others[i][1]);
    return hk_xstrdup(name);
}

int hk_session_command_as(struct hk_session *s, const cJSON *cmd, const char *who, char **err)
{
    *err = NULL;
    if (s->remote)
        return hk_remote_command(s, cmd, err);
    const char *saved = s->who;
    s->who = who ? who : s->owner;
    int rc = dispatch(s, cmd, err);
    if (rc == 0) {
        char *what = record_decider(s, cmd);
        /* The others are told who did it; the owner alone needs no echo. */
        if (who || hk_session_socket_clients(s))
            hk_session_presence(s, s->who, "decided", false, what);
        free(what);
    }
    s->who = saved;
    return rc;
}

int hk_session_command_json(struct hk_session *s, const cJSON *cmd, char **err)
{
    return hk_session_command_as(s, cmd, NULL, err);
}

int hk_session_command(struct hk_session *s, const char *json, char **err)
{
    *err = NULL;
    char *where = NULL;
    if (json && hk_json_has_nul(json, &where)) {
        int rc = refuse(err, hk_xasprintf("The command's \"%s\" holds a NUL character (\\u0000); nothing was done.",
                                          where));
        free(where);
        return rc;
    }
    cJSON *cmd = json ? cJSON_Parse(json) : NULL;
    if (!cmd)
        return refuse(err, hk_xstrdup("The command is not valid JSON; nothing was done."));
    int rc = hk_session_command_json(s, cmd, err);
    cJSON_Delete(cmd);
    return rc;
}
