/* The session's state, shared by session.c (the loop and its states),
 * session_calls.c (tool calls, proposals, decisions) and session_resume.c
 * (rebuilding a session from its journal). Internal to backend/. */
#ifndef HK_SESSION_INTERNAL_H
#define HK_SESSION_INTERNAL_H

#include "config.h"
#include "deploy.h"
#include "journal.h"
#include "patch.h"
#include "runner.h"
#include "session.h"
#include "tools.h"
#include "util.h"

struct pending_call {
    char *id;
    char *name;
    cJSON *input; /* NULL when the model sent invalid JSON */
    char *refused; /* why the call is not run at all, or NULL */
};

struct hk_session {
    struct hk_loop *loop;
    struct hk_repo *repo;
    struct hk_task *task;
    struct hk_config *cfg;        /* borrowed from the front end */
    const struct hk_model_settings *model;
    struct hk_conversation *conv;
    struct hk_journal *journal;
    hk_event_cb cb;
    void *user;
    /* The model's text deltas not journalled yet: they go to disk as one
     * larger text event (session.c, flush_text). */
    struct hk_buf pending_text;
    int64_t pending_text_ms;
    uint64_t text_timer;

    char *task_text;
    enum hk_approve_policy policy;
    int deploy_auto;
    char *test_command;
    long max_iterations;
    long max_turns;       /* model turns without a word from the engineer; 0: no bound */
    int turns;            /* model turns since the engineer last spoke (or allowed more) */
    long context_window;  /* tokens; 0: unknown, compacted only on a too-long refusal */
    int window_explicit;  /* honk.contextWindow set: the server's figure is not asked for */
    int window_learnt;    /* lowered to what a too-long refusal named: that figure stays */
    struct hk_window_probe *window_probe; /* asking the server for its window */
    int compact_retried;  /* this turn was compacted and asked again after a refusal */
    struct hk_usage_total usage; /* tokens and cost so far, resumed ones included */
    long last_prompt;     /* tokens of the last request's prompt */
    int out_of_money;     /* stopped before a request that would pass the cost limit */
    struct hk_conversation *summary_conv; /* the summary request's, while it runs */
    size_t summary_cut;   /* the messages it replaces: [0, cut) */
    long summary_window;
    char summary_reason[16];
    int out_of_turns;     /* stopped at max_turns */
    int interrupt;        /* the engineer interrupted: the loop stops at its next step */
    long test_timeout_ms;

    enum hk_session_state state;
    int iteration;
    int replaying;        /* rebuilding from the journal: no side effects */
    struct hk_model_request *req;

    struct pending_call *calls;
    size_t ncalls, next_call;

    struct hk_proposal **proposals;
    size_t nproposals;
    int proposal_seq;     /* proposals made so far, for their ids */
    enum hk_wait_kind waiting;
    struct hk_proposal *waiting_proposal;

    cJSON *reasons;       /* "p1:3" -> why the engineer rejected that hunk */
    struct hk_runner *runner;
    hk_session_runner_cb on_runner_change;
    void *runner_watcher;
    int run_purpose;      /* what the runner's run is for (session_calls.c) */
    int changed_since_test;
    int any_change;
    int tests_passed;

    /* what the journal said, for hk_session_continue */
    int resume_open_run;
    char *resume_run_command;
    int resume_committed;
    int resume_policy;    /* as the journal's task event says; -1: not said */
    int resume_deploy;
    cJSON *resume_proposal_calls;
    cJSON *resume_stages; /* stage name -> its last deploy_stage event's data */
    int resume_turn_open;  /* honk died while the model answered */
    cJSON *resume_last_run; /* the last test_end's data */
    cJSON *history_only;  /* ids of proposals rebuilt for browsing only */

    /* Others in the session (session_socket.c): the socket, the owner's
     * name, who gives the command being carried out, and who decided what
     * ("p1", "p1:3", "command:c2", "commit" -> a name). */
    struct hk_session_socket *sock;
    char *owner;
    const char *who;
    cJSON *decided_by;
    long journal_events;  /* events the journal holds: the next one's seq */
    struct hk_remote *remote; /* a mirror of another process's session (session_remote.c) */
    struct hk_publisher *pub; /* pushing the session as refs (session_publish.c), or NULL */

    struct hk_deploy *deploy;
    char *commit_message;
    char *commit;
    int exit_status;
};

/* session.c */
void hk_session_emit(struct hk_session *s, enum hk_event_kind kind, cJSON *data, int sync);
void hk_session_set_state(struct hk_session *s, enum hk_session_state state);
void hk_session_error(struct hk_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hk_session_think(struct hk_session *s);
void hk_session_after_turn(struct hk_session *s);
void hk_session_fail(struct hk_session *s, const char *why);
void hk_session_runner_changed(struct hk_runner *r, void *data);
void hk_session_start_deploy(struct hk_session *s);
void hk_session_tests_done(struct hk_session *s, int passed, const char *tail, int exit_code);
void hk_session_resume_deploy(struct hk_session *s);
void hk_session_stop_interrupted(struct hk_session *s);

/* session_publish.c */
int hk_session_publish_open(struct hk_session *s, const struct hk_session_opts *opts, char **err);
/* A state changed: the session is pushed on the loop's next pass. */
void hk_session_publish_soon(struct hk_session *s);
/* A fetched session's task: its commit replaces the published ones, and
 * without a worktree it gets one here if it waits for review (else -1). */
int hk_session_fetched_task(struct hk_session *s, char **err);

/* session_calls.c */
void hk_session_take_calls(struct hk_session *s, const struct hk_message *assistant);
void hk_session_run_calls(struct hk_session *s);
void hk_session_free_calls(struct hk_session *s);
/* A tool call's result, for the model's next turn. */
void hk_session_add_result(struct hk_session *s, const char *call_id, const char *name, const char *content, int ok);
void hk_session_answer_command(struct hk_session *s, int approve, const char *reason);
void hk_session_run_tests(struct hk_session *s, int for_model);
struct hk_proposal *hk_session_find_proposal(struct hk_session *s, const char *id);
int hk_session_all_decided(const struct hk_proposal *p);
void hk_session_finish_proposal(struct hk_session *s, struct hk_proposal *p);
/* What a run in the runner is for (session_calls.c). */
enum { RUN_LOOP_TESTS, RUN_MODEL_TESTS, RUN_COMMAND };
void hk_session_enter_review(struct hk_session *s);
void hk_session_after_commit(struct hk_session *s);

/* The commands, carried out. Only hk_session_command (session_command.c)
 * calls them, once it has checked that they apply (what waits, in which
 * state) and said why when they do not. */
void hk_session_decide(struct hk_session *s, const char *proposal_id, int hunk, enum hk_verdict verdict,
                       const char *reason, const char *edited_text);
void hk_session_answer(struct hk_session *s, int approve, const char *reason);
void hk_session_undo(struct hk_session *s);
void hk_session_send(struct hk_session *s, const char *text);
/* Stops the model's turn or the tool loop at once (one call is enough);
 * the session then waits for a message. */
void hk_session_interrupt(struct hk_session *s);
void hk_session_approve_commit(struct hk_session *s, const char *message); /* NULL: the proposed one */
void hk_session_deploy(struct hk_session *s, int approve);
void hk_session_cancel(struct hk_session *s);

/* session_wait.c: the tool call or the deploy stage that waits, or NULL. */
const struct pending_call *hk_session_waiting_call(const struct hk_session *s);
const char *hk_session_waiting_stage(const struct hk_session *s);

/* session_compact.c: the context budget. compact stubs old tool results
 * when the next request would pass 80% of window (at once for reason
 * "too_long"), emitting a compact event; returns how many it stubbed. */
long hk_session_window_default(const char *model);
int hk_session_compact(struct hk_session *s, long window, const char *reason);
void hk_session_compact_replay(struct hk_conversation *conv, const cJSON *d);
/* When stubs were not enough (or at once for "too_long"): older turns are
 * summarised by the model in one extra request (s->req); its end splices
 * the summary in, emits a compact event and calls hk_session_ask. Returns
 * 1 when that request started. */
int hk_session_summarise(struct hk_session *s, long window, const char *reason);
/* session.c: the request itself, after the cost check; and what an
 * interrupted request leaves (the session waits for a message). */
void hk_session_ask(struct hk_session *s);
/* session_cost.c: stops the session (waiting for a message) before a request
 * that would take its cost past honk.maxCost; returns 1 when it did. */
int hk_session_over_budget(struct hk_session *s);
void hk_session_model_cancelled(struct hk_session *s);

/* session.c: journals the streamed text held back so far. */
void hk_session_flush_text(struct hk_session *s);

/* session_socket.c: the session's socket. open claims the session (its
 * lock) and listens; -1 with *err when another process holds it. */
int hk_session_socket_open(struct hk_session *s, char **err);
void hk_session_socket_listening(struct hk_session *s);
void hk_session_socket_close(struct hk_session *s);
/* An event to every joined client; seq: its index in the journal, or -1. */
void hk_session_socket_event(struct hk_session *s, const struct hk_event *ev, long seq);
/* A runner's on_output: its bytes to every client (data: the session). */
void hk_session_socket_output(struct hk_runner *r, const char *bytes, size_t len, void *data);
/* A presence event: action joined, left, dropped, decided, listening. */
int hk_session_socket_clients(const struct hk_session *s);
void hk_session_presence(struct hk_session *s, const char *who, const char *action, bool watch, const char *what);

/* session_remote.c: a mirrored session's own versions of the accessors. */
int hk_remote_command(struct hk_session *s, const cJSON *cmd, char **err);
void hk_remote_free(struct hk_session *s);
char *hk_remote_commit_message(const struct hk_session *s);
cJSON *hk_remote_waiting(const struct hk_session *s);
const char *hk_remote_waiting_for(const struct hk_session *s);

/* session_resume.c */
int hk_session_replay_journal(struct hk_session *s, const char *path, char **err);
void hk_session_continue(struct hk_session *s);

#endif
