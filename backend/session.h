/* A task session: the agent loop of DESIGN.md. It drives the model, runs
 * the tools inside the task's worktree, turns edits into proposals, runs the
 * tests and iterates on failures, then commits, lands and deploys. Every
 * transition is an event, journalled before it takes effect and delivered
 * to the subscriber (the cockpit or the headless printer). */
#ifndef HK_SESSION_H
#define HK_SESSION_H

#include "event.h"
#include "loop.h"
#include "model.h"
#include "repo.h"

#include <stdbool.h>

struct hk_session;
struct hk_runner;
struct hk_proposal;
struct hk_config;

/* Each state once: enum name, event name, flags, what it means. ACTIVE: the
 * session works on its own (a front end shows it busy); TERMINAL: it has
 * ended. A state with neither waits for the engineer. */
#define HK_STATE_F_ACTIVE 1
#define HK_STATE_F_TERMINAL 2
#define HK_SESSION_STATES(X)                                                                        \
    X(STARTING, "starting", HK_STATE_F_ACTIVE, "setting up the task's worktree")                    \
    X(IDLE, "idle", 0, "waiting for a message from the engineer")                                   \
    X(THINKING, "thinking", HK_STATE_F_ACTIVE, "the model is answering")                            \
    X(AWAITING, "awaiting_approval", 0, "a proposal or a command waits")                            \
    X(APPLYING, "applying", HK_STATE_F_ACTIVE, "running the model's tool calls")                    \
    X(TESTING, "testing", HK_STATE_F_ACTIVE, "the tests run")                                       \
    X(REVIEW, "review", 0, "everything decided and the tests green")                                \
    X(COMMITTING, "committing", HK_STATE_F_ACTIVE, "committing on the task branch")                 \
    X(DEPLOYING, "deploying", HK_STATE_F_ACTIVE, "the deploy stages run")                           \
    X(DONE, "done", HK_STATE_F_TERMINAL, "committed (and deployed when asked)")                     \
    X(FAILED, "failed", HK_STATE_F_TERMINAL, "the tests never passed, or a stage failed")           \
    X(CANCELLED, "cancelled", HK_STATE_F_TERMINAL, "stopped by the engineer")

enum hk_session_state {
#define HK_STATE_ENUM(name, str, flags, doc) HK_STATE_##name,
    HK_SESSION_STATES(HK_STATE_ENUM)
#undef HK_STATE_ENUM
};

/* What a waiting session waits for: enum name, the `kind` of the state
 * event's `waiting` object, the sentence for people (`waiting_for`), and the
 * object's other members. Front ends decide from the kind, never from the
 * sentence. */
#define HK_SESSION_WAITS(X)                                                                         \
    X(PROPOSAL, "proposal", "a decision on a proposed change",                                       \
      "id: the proposal; hunks: how many; pending: how many undecided")                             \
    X(COMMAND, "command", "approval to run a command", "id: the tool call; command: its text")     \
    X(COMMIT, "commit", "approval to commit", "message: the commit message honk proposes")         \
    X(DEPLOY, "deploy", "approval to deploy", "stages: the names of the stages")                   \
    X(STAGE, "stage", "a decision on a deploy stage interrupted with an unknown outcome: run it again?", \
      "id: the interrupted stage's name")                                                           \
    X(MESSAGE, "message", "a message from the engineer", "out_of_turns: stopped at honk.maxTurns")

enum hk_wait_kind {
    HK_WAIT_NONE,
#define HK_WAIT_ENUM(name, str, sentence, doc) HK_WAIT_##name,
    HK_SESSION_WAITS(HK_WAIT_ENUM)
#undef HK_WAIT_ENUM
};

/* Who decides (--approve, honk.approve): id and name, in the order the
 * parser, the task event, the messages, --help and the man page use. */
#define HK_APPROVE_POLICIES(X)                                                \
    X(ASK, "ask")     /* every proposal and command waits for a decision */  \
    X(EDITS, "edits") /* edits pass; commands and deploy wait */             \
    X(ALL, "all")     /* nothing waits but deploy, unless deploy_auto */

enum hk_approve_policy {
#define HK_APPROVE_ENUM(id, name) HK_APPROVE_##id,
    HK_APPROVE_POLICIES(HK_APPROVE_ENUM)
#undef HK_APPROVE_ENUM
};

/* A decision's verdict: enum name, its name in commands and `decision`
 * events. */
#define HK_VERDICTS(X)         \
    X(APPROVE, "approve")      \
    X(REJECT, "reject")        \
    X(EDIT, "edit")

enum hk_verdict {
#define HK_VERDICT_ENUM(name, str) HK_VERDICT_##name,
    HK_VERDICTS(HK_VERDICT_ENUM)
#undef HK_VERDICT_ENUM
};

struct hk_session_opts {
    const char *task;              /* what to do (new sessions) */
    const char *base;              /* revision to start from; NULL: HEAD */
    const char *id;                /* the new session's id (honk run --id); NULL: a new one */
    int with_changes;              /* carry uncommitted changes into the base */
    int approve;                   /* an enum hk_approve_policy, or -1: honk.approve */
    int deploy;                    /* run the deploy unattended (--deploy); -1: honk.deploy.auto */
    const struct hk_model_settings *model;
    struct hk_config *config;      /* honk.* settings (borrowed: the front end read it already) */
    const char *who;               /* the owner's name for the others attached; NULL: $USER@host */
    const char *push;              /* publish to this remote as it goes (--push); NULL: honk.push */
    long max_iterations;           /* --max-iterations (honk serve passes its limit); 0: honk.maxIterations */
};

const char *hk_session_state_name(enum hk_session_state s);
/* The state of that name, or -1. */
int hk_session_state_parse(const char *name);
bool hk_session_state_active(enum hk_session_state s);
bool hk_session_state_terminal(enum hk_session_state s);
/* "proposal", "command" ...; NULL for HK_WAIT_NONE. */
const char *hk_wait_kind_name(enum hk_wait_kind k);
/* The wait of that name, HK_WAIT_NONE for NULL or an unknown name. */
enum hk_wait_kind hk_wait_kind_parse(const char *name);
/* What a `state` event says: its state (-1 for another event) and what it
 * waits for (HK_WAIT_NONE when nothing, or for another event). */
int hk_state_event_state(const struct hk_event *ev);
enum hk_wait_kind hk_state_event_wait(const struct hk_event *ev);
/* What a test_start or test_end event's run is for: the project's tests or
 * a command the model asked for (its "purpose"). */
const char *hk_run_purpose_name(bool command);
bool hk_run_is_command(const cJSON *data);
int hk_approve_policy_parse(const char *name, enum hk_approve_policy *out);
const char *hk_approve_policy_name(enum hk_approve_policy p);
/* "ask, edits or all", for a sentence that lists the choices. */
const char *hk_approve_policy_choices(void);

/* Starts a new task, or (id set) resumes the session of that id from its
 * journal. NULL with *err when it cannot start. */
struct hk_session *hk_session_start(struct hk_loop *loop, struct hk_repo *repo, const char *resume_id,
                                    const struct hk_session_opts *opts, hk_event_cb cb, void *user,
                                    char **err);
void hk_session_free(struct hk_session *s);
/* A session that publishes (--push, honk.push): pushes its last state,
 * bounded in time, and says in a note whether it got out. hk_session_free
 * does it too, without telling the front end. */
void hk_session_publish_end(struct hk_session *s);

/* Attaches to session id of this repository, run by another process (honk
 * attach): the session returned mirrors it from its socket's events, and
 * its commands go to that process (hk_session_command_json returns 1: sent,
 * the outcome comes as events, a refusal as an error event). A session no
 * process runs is read back from its journal, read-only. NULL with *err. */
struct hk_attach_opts {
    const char *name; /* who this is for the others; NULL: $USER@host */
    bool watch;       /* read-only: commands are refused */
};
struct hk_session *hk_session_attach(struct hk_loop *loop, struct hk_repo *repo, const char *id,
                                     const struct hk_attach_opts *opts, hk_event_cb cb, void *user, char **err);
/* The process that runs the session changed (the cockpit's detach forked):
 * its lock file names this one now, for honk log, attach and resume. */
void hk_session_moved(struct hk_session *s);
/* A mirror of another process's session, and whether it takes no commands
 * (watching, or nobody runs it any more). */
bool hk_session_attached(const struct hk_session *s);
bool hk_session_read_only(const struct hk_session *s);

/* Commands in: one JSON object per command, {"command": NAME, ...}, the
 * same from the cockpit's keys, the headless resume and (later) a socket.
 * Each command once: enum name, its name, its members. A command that names
 * a wait (a proposal, a hunk, a tool call, a stage) is refused when that is
 * not what waits now: two people may answer the same question. Hunks are
 * counted from 0 over the whole proposal, files in order, as in the
 * `decision` event. */
#define HK_SESSION_COMMANDS(X)                                                                      \
    X(DECIDE, "decide", "proposal; hunk (absent or -1: all of it); verdict approve|reject|edit; "    \
                        "reason; text (edit: the hunk's new text); state (optional: the hunk's "    \
                        "state the sender saw, pending|approved|rejected|edited: refused when "    \
                        "it changed meanwhile)")                                                \
    X(ANSWER, "answer", "wait: the kind that waits; id (proposal, command: required; stage: "        \
                        "optional); approve: true|false; reason. A commit is only approved, and a " \
                        "message wait answered only out of turns (approve: more turns)")            \
    X(UNDO, "undo", "proposal: the waiting one; undoes its last decision")                         \
    X(SEND, "send", "text: a message to the model")                                                \
    X(INTERRUPT, "interrupt", "stops the model's turn or the tool loop")                           \
    X(COMMIT, "commit", "message (optional: the one hk_session_commit_message proposes)")          \
    X(DEPLOY, "deploy", "stage (optional): runs the deploy, or the interrupted stage again")       \
    X(SKIP_DEPLOY, "skip_deploy", "stage (optional): skips the deploy, or stops it at the "         \
                                  "interrupted stage")                                              \
    X(CANCEL, "cancel", "ends the session")

enum hk_session_command_kind {
#define HK_COMMAND_ENUM(name, str, doc) HK_CMD_##name,
    HK_SESSION_COMMANDS(HK_COMMAND_ENUM)
#undef HK_COMMAND_ENUM
};

/* Carries out one command (JSON text, or a parsed object). 0 when it took
 * effect; -1 with *err, a sentence for a person, when it was refused (bad
 * JSON, an unknown command, a missing member, or nothing of the kind waits):
 * a refused command changes nothing. */
int hk_session_command(struct hk_session *s, const char *json, char **err);
int hk_session_command_json(struct hk_session *s, const cJSON *cmd, char **err);
/* The same, given by who (a client attached to the session's socket): the
 * decisions it makes are said to be theirs, and a command refused because
 * someone decided first says who. */
int hk_session_command_as(struct hk_session *s, const cJSON *cmd, const char *who, char **err);
const char *hk_verdict_name(enum hk_verdict v);
int hk_verdict_parse(const char *name); /* -1 for an unknown name */
/* The command's name, or NULL. */
const char *hk_session_command_name(enum hk_session_command_kind k);
/* The commit message the model wrote (a ```commit block), or the task's first
 * line; for the engineer to edit. Caller frees. */
char *hk_session_commit_message(const struct hk_session *s);

/* State for the front ends. */
enum hk_session_state hk_session_state(const struct hk_session *s);
const char *hk_session_id(const struct hk_session *s);
/* Whose commands the session's front end gives: the owner's name, or an
 * attached cockpit's own. */
const char *hk_session_who(const struct hk_session *s);
const char *hk_session_waiting_for(const struct hk_session *s); /* a sentence, or NULL */
enum hk_wait_kind hk_session_wait(const struct hk_session *s);
/* The `waiting` object of the state event ({kind, id, ...}, see
 * HK_SESSION_WAITS), or NULL when nothing waits. Caller frees. */
cJSON *hk_session_waiting(const struct hk_session *s);
size_t hk_session_proposal_count(const struct hk_session *s);
const struct hk_proposal *hk_session_proposal(const struct hk_session *s, size_t i);
struct hk_runner *hk_session_runner(const struct hk_session *s); /* tests or deploy stage, or NULL */
/* Everything the task changed: its worktree against the base it started
 * from, as the final review and the commit see it. 0, or -1 with *err. */
int hk_session_diff(const struct hk_session *s, struct hk_diff **out, char **err);
/* Called when the runner's screen changes (output, cursor); cheap, may come
 * often: a front end merges redraws. */
typedef void (*hk_session_runner_cb)(struct hk_runner *r, void *user);
void hk_session_watch_runner(struct hk_session *s, hk_session_runner_cb cb, void *user);
int hk_session_exit_status(const struct hk_session *s); /* for honk run */
/* Stopped at honk.maxTurns: a message, or the answer {"command": "answer",
 * "wait": "message", "approve": true} (more turns), goes on. */
int hk_session_out_of_turns(const struct hk_session *s);
/* Stopped before a request that would pass honk.maxCost. */
int hk_session_out_of_money(const struct hk_session *s);
/* Tokens and cost so far, a resumed session's earlier runs included. */
const struct hk_usage_total *hk_session_usage(const struct hk_session *s);

#endif
