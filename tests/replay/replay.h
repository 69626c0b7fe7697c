/* Shared types of honk-replay, the scripted model server: the scenario, the
 * protocol-neutral stream generator and the per-protocol writers. */
#ifndef REPLAY_H
#define REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "util.h"

/* One scripted tool call; auto_id numbers calls without an "id" so the
 * writers can make one up (toolu_replay_N / call_replay_N). */
struct tool_call {
    char *id;
    long auto_id;
    char *name;
    char *input_json;
    long split;
};

/* One scripted reply; -1 (or NULL) marks a field left at its default. */
struct turn {
    char **text;
    size_t ntext;
    struct tool_call *tools;
    size_t ntools;
    char *repeat_text;
    long repeat_count;
    char *stop_reason;
    long input_tokens, output_tokens;
    int status;
    long retry_after;
    char *message;
    long drop_after_bytes;
    long stall_ms;
    long chunk_delay_ms;
    bool malformed;
    long error_after_deltas;
    char *error_type;
    char *error_message;
};

/* How the prompt cache counts: the shortest prefix it keeps, and how long
 * an entry lives after its last use. */
struct cache_opts {
    long min_tokens;
    long ttl_ms;
};

struct scenario {
    struct turn *turns;
    size_t nturns;
    struct cache_opts cache;
    long context_window; /* 0: none */
};

/* What a reply's usage reports about its prompt. Anthropic: input is what
 * was neither read from nor written to the cache; OpenAI: input is the whole
 * prompt, cached the part of it read from the cache. */
struct usage {
    long input;
    long cache_creation;
    long cache_read;
    long cached;
};

struct replay_cache;
struct replay_cache *replay_cache_new(void);
void replay_cache_free(struct replay_cache *c);
/* Counts an Anthropic request (total: its size in tokens) and remembers its
 * prefixes; returns 0, or an HTTP status with *why set (caller frees). */
int replay_cache_anthropic(struct replay_cache *c, const struct cache_opts *o, const cJSON *body,
                           long total, int64_t now_ms, struct usage *u, char **why);
/* Counts an OpenAI request by its body's bytes and remembers it. */
void replay_cache_openai(struct replay_cache *c, const struct cache_opts *o, const char *body,
                         size_t len, int64_t now_ms, struct usage *u);

/* Loads path; on failure returns false and sets *err to one sentence
 * naming the file and the problem (caller frees). */
bool replay_scenario_load(struct scenario *sc, const char *path, char **err);
void replay_scenario_free(struct scenario *sc);
/* The reply used once the scenario has run out of turns. */
const struct turn *replay_default_turn(void);

enum stream_phase { PH_START, PH_TEXT, PH_REPEAT, PH_TOOLS, PH_FINISH, PH_DONE };

/* The state of one response being generated; writers append to out. */
struct stream {
    const struct proto *proto;
    const struct turn *turn;
    char *model;
    long n;
    long created;
    bool include_usage;
    long input_tokens;
    struct usage usage;
    char *prefix; /* per-protocol precomputed text, e.g. the OpenAI chunk head */
    enum stream_phase phase;
    size_t i, frag;
    long deltas;
    long steps;
    bool text_open, malformed_sent;
    int block;
    struct hk_buf out;
    size_t out_off;
    uint64_t sent;
};

/* A wire protocol: request checks, stream events, whole replies, errors. */
struct proto {
    const char *name;
    /* Returns NULL if the request is acceptable, else a message and *status. */
    const char *(*check)(const char *(*header)(void *cls, const char *name), void *cls,
                         const cJSON *body, int *status);
    void (*init)(struct stream *s);
    void (*start)(struct stream *s);
    void (*text_begin)(struct stream *s);
    void (*text_delta)(struct stream *s, const char *text, size_t len);
    void (*text_end)(struct stream *s);
    void (*tool_begin)(struct stream *s, const struct tool_call *tc, size_t k);
    void (*tool_delta)(struct stream *s, size_t k, const char *frag, size_t len);
    void (*tool_end)(struct stream *s, size_t k);
    void (*malformed)(struct stream *s);
    void (*error)(struct stream *s, const char *type, const char *message);
    void (*finish)(struct stream *s);
    /* The whole turn as one JSON message (stream is not true). */
    void (*whole)(struct stream *s, const char *text, size_t text_len);
    /* An HTTP error body for status with message (caller frees). */
    char *(*error_body)(int status, const char *message);
    /* The 400 body for a prompt of tokens over a window of max (caller frees). */
    char *(*too_long)(long tokens, long max);
};

extern const struct proto replay_anthropic;
extern const struct proto replay_openai;

/* Stream lifecycle and the MHD content reader that drives it. */
struct stream *replay_stream_new(const struct proto *p, const struct turn *t, const char *model,
                                 long n, const struct usage *u, bool include_usage);
void replay_stream_whole(struct stream *s);
ssize_t replay_stream_read(void *cls, uint64_t pos, char *buf, size_t max);
void replay_stream_free(void *cls);
/* With f, every text delta is logged to it as it is rendered: monotonic ns and
 * its text (the bench's start time of a delta); NULL stops it. */
void replay_stream_log_deltas(FILE *f);
/* The stop reason in Anthropic terms (end_turn, tool_use, max_tokens, ...). */
const char *replay_stop_reason(const struct stream *s);
long replay_output_tokens(const struct stream *s);
/* The JSON text of the fragment k of tool call tc's input. */
void replay_tool_fragment(const struct tool_call *tc, size_t k, size_t *off, size_t *len);
size_t replay_tool_nfrags(const struct tool_call *tc);

/* Appends s as a JSON string literal (quoted, escaped). */
void replay_json_str(struct hk_buf *b, const char *s, size_t len);
void replay_json_strz(struct hk_buf *b, const char *s);
/* A tool call's id as a JSON string: its own, or prefix + its number. */
void replay_tool_id(struct hk_buf *b, const struct tool_call *tc, const char *prefix);
void replay_buf_long(struct hk_buf *b, long v);
/* Anthropic's error type for an HTTP status. */
const char *replay_anthropic_error_type(int status);

/* Sleeps ms in short slices; returns false if the server is shutting down. */
bool replay_sleep_ms(long ms);
bool replay_quitting(void);

struct server_opts {
    int port;
    const char *record_path;
    const struct scenario *sc;
};

/* Starts the daemon; returns NULL with *err set on failure. */
struct replay_server *replay_server_start(const struct server_opts *o, char **err);
int replay_server_port(const struct replay_server *srv);
void replay_server_stop(struct replay_server *srv);

#endif
