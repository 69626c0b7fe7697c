/* The session's states and waits as data (the HK_SESSION_STATES and
 * HK_SESSION_WAITS tables): their names, their flags, and the `waiting`
 * object a state event carries, from which every front end decides. */
#include "session_internal.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int flags;
} states[] = {
#define HK_STATE_ROW(name, str, flags, doc) {str, flags},
    HK_SESSION_STATES(HK_STATE_ROW)
#undef HK_STATE_ROW
};

static const struct {
    const char *name, *sentence;
} waits[] = {
    {NULL, NULL},
#define HK_WAIT_ROW(name, str, sentence, doc) {str, sentence},
    HK_SESSION_WAITS(HK_WAIT_ROW)
#undef HK_WAIT_ROW
};

#define NSTATES (sizeof states / sizeof states[0])
#define NWAITS (sizeof waits / sizeof waits[0])

const char *hk_session_state_name(enum hk_session_state s)
{
    return (size_t)s < NSTATES ? states[s].name : "unknown";
}

int hk_session_state_parse(const char *name)
{
    for (size_t i = 0; name && i < NSTATES; i++)
        if (!strcmp(name, states[i].name))
            return (int)i;
    return -1;
}

bool hk_session_state_active(enum hk_session_state s)
{
    return (size_t)s < NSTATES && (states[s].flags & HK_STATE_F_ACTIVE);
}

bool hk_session_state_terminal(enum hk_session_state s)
{
    return (size_t)s < NSTATES && (states[s].flags & HK_STATE_F_TERMINAL);
}

const char *hk_wait_kind_name(enum hk_wait_kind k)
{
    return (size_t)k < NWAITS ? waits[k].name : NULL;
}

enum hk_wait_kind hk_wait_kind_parse(const char *name)
{
    for (size_t i = 1; name && i < NWAITS; i++)
        if (!strcmp(name, waits[i].name))
            return (enum hk_wait_kind)i;
    return HK_WAIT_NONE;
}

int hk_state_event_state(const struct hk_event *ev)
{
    return ev->kind == HK_EV_STATE ? hk_session_state_parse(hk_json_str(ev->data, "state")) : -1;
}

enum hk_wait_kind hk_state_event_wait(const struct hk_event *ev)
{
    if (ev->kind != HK_EV_STATE)
        return HK_WAIT_NONE;
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(ev->data, "waiting");
    if (w)
        return hk_wait_kind_parse(hk_json_str(w, "kind"));
    /* A journal written before the waiting object: what the state says. */
    int state = hk_state_event_state(ev);
    return state == HK_STATE_REVIEW ? HK_WAIT_COMMIT : state == HK_STATE_IDLE ? HK_WAIT_MESSAGE : HK_WAIT_NONE;
}

/* A wait left over in a state that no longer waits counts for nothing. */
enum hk_wait_kind hk_session_wait(const struct hk_session *s)
{
    if (hk_session_state_active(s->state) || hk_session_state_terminal(s->state))
        return HK_WAIT_NONE;
    return s->waiting;
}

const char *hk_session_waiting_for(const struct hk_session *s)
{
    return waits[hk_session_wait(s)].sentence;
}

static size_t pending_hunks(const struct hk_proposal *p, size_t *total)
{
    size_t n = 0;
    *total = 0;
    for (size_t f = 0; f < p->nfiles; f++)
        for (size_t h = 0; h < p->files[f].nhunks; h++, (*total)++)
            n += p->files[f].hunks[h].state == HK_HUNK_PENDING;
    return n;
}

/* The tool call that waits for approval. */
const struct pending_call *hk_session_waiting_call(const struct hk_session *s)
{
    if (hk_session_wait(s) != HK_WAIT_COMMAND || s->next_call >= s->ncalls)
        return NULL;
    return &s->calls[s->next_call];
}

/* The deploy stage an interrupted deploy waits on (honk died while it ran). */
const char *hk_session_waiting_stage(const struct hk_session *s)
{
    if (hk_session_wait(s) != HK_WAIT_STAGE)
        return NULL;
    for (size_t i = 0; i < hk_deploy_stage_count(s->deploy); i++)
        if (hk_deploy_stage(s->deploy, i)->state == HK_STAGE_INTERRUPTED)
            return hk_deploy_stage(s->deploy, i)->name;
    return NULL;
}

cJSON *hk_session_waiting(const struct hk_session *s)
{
    if (s->remote)
        return hk_remote_waiting(s);
    enum hk_wait_kind k = hk_session_wait(s);
    if (k == HK_WAIT_NONE)
        return NULL;
    cJSON *w = cJSON_CreateObject();
    cJSON_AddStringToObject(w, "kind", waits[k].name);
    const struct pending_call *c = hk_session_waiting_call(s);
    size_t total = 0, pending;
    char *message;
    switch (k) {
    case HK_WAIT_PROPOSAL:
        if (!s->waiting_proposal)
            break;
        pending = pending_hunks(s->waiting_proposal, &total);
        cJSON_AddStringToObject(w, "id", s->waiting_proposal->id);
        cJSON_AddNumberToObject(w, "hunks", (double)total);
        cJSON_AddNumberToObject(w, "pending", (double)pending);
        break;
    case HK_WAIT_COMMAND:
        if (!c)
            break;
        cJSON_AddStringToObject(w, "id", c->id);
        cJSON_AddStringToObject(w, "command", hk_json_str(c->input, "command") ? hk_json_str(c->input, "command") : "");
        break;
    case HK_WAIT_COMMIT:
        message = hk_session_commit_message(s);
        cJSON_AddStringToObject(w, "message", message);
        free(message);
        break;
    case HK_WAIT_DEPLOY: {
        cJSON *stages = cJSON_AddArrayToObject(w, "stages");
        for (size_t i = 0; i < hk_deploy_stage_count(s->deploy); i++)
            cJSON_AddItemToArray(stages, cJSON_CreateString(hk_deploy_stage(s->deploy, i)->name));
        break;
    }
    case HK_WAIT_STAGE:
        if (hk_session_waiting_stage(s))
            cJSON_AddStringToObject(w, "id", hk_session_waiting_stage(s));
        break;
    case HK_WAIT_MESSAGE:
        if (s->out_of_turns)
            cJSON_AddBoolToObject(w, "out_of_turns", 1);
        break;
    case HK_WAIT_NONE:
        break;
    }
    return w;
}

const char *hk_run_purpose_name(bool command)
{
    return command ? "command" : "tests";
}

bool hk_run_is_command(const cJSON *data)
{
    const char *purpose = hk_json_str(data, "purpose");
    return purpose && !strcmp(purpose, hk_run_purpose_name(true));
}
