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

struct hk_session;
struct hk_runner;
struct hk_proposal;
struct hk_config;

#define HK_SESSION_STATES(X)                                                  \
    X(STARTING, "starting", "setting up the task's worktree")                 \
    X(IDLE, "idle", "waiting for a message from the engineer")                \
    X(THINKING, "thinking", "the model is answering")                         \
    X(AWAITING, "awaiting_approval", "a proposal or a command waits")         \
    X(APPLYING, "applying", "running the model's tool calls")                 \
    X(TESTING, "testing", "the tests run")                                    \
    X(REVIEW, "review", "everything decided and the tests green")             \
    X(COMMITTING, "committing", "committing on the task branch")              \
    X(DEPLOYING, "deploying", "the deploy stages run")                        \
    X(DONE, "done", "committed (and deployed when asked)")                    \
    X(FAILED, "failed", "the tests never passed, or a stage failed")          \
    X(CANCELLED, "cancelled", "stopped by the engineer")

enum hk_session_state {
#define HK_STATE_ENUM(name, str, doc) HK_STATE_##name,
    HK_SESSION_STATES(HK_STATE_ENUM)
#undef HK_STATE_ENUM
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

enum hk_verdict { HK_VERDICT_APPROVE, HK_VERDICT_REJECT, HK_VERDICT_EDIT };

struct hk_session_opts {
    const char *task;              /* what to do (new sessions) */
    const char *base;              /* revision to start from; NULL: HEAD */
    int with_changes;              /* carry uncommitted changes into the base */
    int approve;                   /* an enum hk_approve_policy, or -1: honk.approve */
    int deploy;                    /* run the deploy unattended (--deploy); -1: honk.deploy.auto */
    const struct hk_model_settings *model;
    struct hk_config *config;      /* honk.* settings (borrowed: the front end read it already) */
};

const char *hk_session_state_name(enum hk_session_state s);
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

/* Commands in. A proposal decision names a hunk by its index over the whole
 * proposal (files in order), or -1 for all of it. */
void hk_session_decide(struct hk_session *s, const char *proposal_id, int hunk, enum hk_verdict verdict,
                       const char *reason, const char *edited_text);
/* Approves or declines the command or the pending proposal as a whole. */
void hk_session_answer(struct hk_session *s, int approve, const char *reason);
void hk_session_undo(struct hk_session *s);
void hk_session_send(struct hk_session *s, const char *text);
/* Stops the model's turn or the tool loop at once (one call is enough);
 * the session then waits for a message. */
void hk_session_interrupt(struct hk_session *s);
/* message NULL: the one hk_session_commit_message proposes. */
void hk_session_approve_commit(struct hk_session *s, const char *message);
/* The commit message the model wrote (a ```commit block), or the task's first
 * line; for the engineer to edit. Caller frees. */
char *hk_session_commit_message(const struct hk_session *s);
void hk_session_deploy(struct hk_session *s, int approve);
void hk_session_cancel(struct hk_session *s);

/* State for the front ends. */
enum hk_session_state hk_session_state(const struct hk_session *s);
const char *hk_session_id(const struct hk_session *s);
const char *hk_session_waiting_for(const struct hk_session *s); /* a sentence, or NULL */
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
/* Stopped at honk.maxTurns: hk_session_answer(s, 1, NULL) or a message goes on. */
int hk_session_out_of_turns(const struct hk_session *s);

#endif
