/* The events a session emits. Every front end (the cockpit, the headless
 * printer) and the journal see the same stream; an event is a kind plus a
 * JSON payload, so it can be written, read back and sent elsewhere as is. */
#ifndef HK_EVENT_H
#define HK_EVENT_H

#include <cJSON.h>
#include <stdint.h>

/* Each kind once: enum name, journal name, payload fields. */
#define HK_EVENT_KINDS(X)                                                                     \
    X(TASK, "task", "id, task, branch, worktree, base, provider, model")                      \
    X(STATE, "state", "state, iteration")                                                     \
    X(USER, "user", "text: a follow-up from the engineer")                                    \
    X(TEXT, "text", "text: a piece of the model's reply")                                     \
    X(TURN_END, "turn_end", "stop_reason, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens") \
    X(RETRY, "retry", "message, attempt, delay_ms")                                           \
    X(TOOL_CALL, "tool_call", "id, name, input, summary")                                     \
    X(TOOL_RESULT, "tool_result", "id, name, ok, summary, content")                           \
    X(PROPOSAL, "proposal", "id, call_id, summary, files, hunks, proposal (engine state)")    \
    X(DECISION, "decision", "proposal, hunk (-1: all), verdict approve|reject|edit, reason")  \
    X(COMMAND, "command", "id, command: awaits approval")                                     \
    X(TEST_START, "test_start", "command, iteration")                                         \
    X(TEST_END, "test_end", "command, exit, signal, timed_out, duration_ms, passed, tail")    \
    X(COMMIT, "commit", "commit, branch, message")                                            \
    X(LAND, "land", "landed, message")                                                        \
    X(DEPLOY_STAGE, "deploy_stage", "stage, state, exit, duration_ms")                        \
    X(ERROR, "error", "message: a sentence for a person")                                     \
    X(NOTE, "note", "message: something a person should know, not an error")                  \
    X(COMPACT, "compact", "reason budget|too_long, window, tokens_before, tokens_after, stubs [{id, text}]") \
    X(SUMMARY, "summary", "task, decisions, commit, deploy, state; honk run --json's last line: id, model, tokens, cost_usd") \
    X(PRESENCE, "presence", "who, action listening|joined|left|dropped|decided, watch, clients, what")

enum hk_event_kind {
#define HK_EVENT_ENUM(name, str, doc) HK_EV_##name,
    HK_EVENT_KINDS(HK_EVENT_ENUM)
#undef HK_EVENT_ENUM
    HK_EV_COUNT
};

struct hk_event {
    enum hk_event_kind kind;
    int64_t time_ms;   /* wall clock, ms since the epoch */
    const cJSON *data; /* owned by the emitter; valid during the callback */
};

typedef void (*hk_event_cb)(const struct hk_event *ev, void *user);

const char *hk_event_name(enum hk_event_kind kind);
/* -1 for an unknown name. */
int hk_event_parse_name(const char *name);

#endif
