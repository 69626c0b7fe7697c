/* Slack's side of honk serve: a request's signature checked before anything
 * of it is read, then slash commands (form-encoded) and Events API bodies
 * (JSON) parsed into what a task needs. Pure functions of their input, so
 * that tests/fuzz/fuzz_slack.c can drive them. */
#ifndef HK_SERVE_SLACK_H
#define HK_SERVE_SLACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How far a request's timestamp may be from our clock, as Slack advises. */
#define HK_SLACK_MAX_SKEW_S 300

/* Checks X-Slack-Signature: "v0=" and the hex HMAC-SHA256, keyed with the
 * signing secret, of "v0:" TIMESTAMP ":" BODY, compared in constant time;
 * and the timestamp within HK_SLACK_MAX_SKEW_S of now_s. 0 when it holds;
 * -1 with *why, a static sentence, when not (a missing secret or header
 * included). Needs libcrypto loaded (hk_crypto_load). */
int hk_slack_verify(const char *secret, const char *timestamp, const char *signature,
                    const char *body, size_t len, int64_t now_s, const char **why);
/* The signature Slack would send for that body ("v0=" and 64 hex digits),
 * for tests and the fuzz harness. Caller frees. */
char *hk_slack_sign(const char *secret, const char *timestamp, const char *body, size_t len);

/* Hex HMAC-SHA256 of data keyed with key (also what signs a callback). */
char *hk_hmac_sha256_hex(const char *key, const char *data, size_t len);

enum hk_slack_kind {
    HK_SLACK_TASK,      /* a slash command or an app_mention with a task */
    HK_SLACK_EMPTY,     /* a slash command or mention with no words after it */
    HK_SLACK_CHALLENGE, /* Events API url_verification */
    HK_SLACK_IGNORED,   /* another event (a bot's own message, an edit ...) */
    HK_SLACK_REPLY,     /* a person's message in a thread: a follow-up when the thread is a task's */
};

struct hk_slack_request {
    enum hk_slack_kind kind;
    char *text;      /* the task, mentions of the bot taken out */
    char *user;      /* U... */
    char *channel;   /* C... (or D... for a direct message) */
    char *team;
    char *thread;    /* the thread the task lives in (the mention's ts or thread_ts) */
    char *event_id;  /* Events API: Ev..., to run a retried event once */
    char *ts;        /* the message's own ts (a mention's or a reply's) */
    bool in_thread;  /* the message was posted in a thread (it has a thread_ts) */
    char *challenge; /* url_verification */
};

/* A slash command's form body (text, user_id, channel_id, team_id ...);
 * 0, or -1 with *err (a static sentence) when it is not one. */
int hk_slack_parse_command(const char *body, size_t len, struct hk_slack_request *out, const char **err);
/* An Events API body: url_verification or an event_callback. */
int hk_slack_parse_event(const char *body, size_t len, struct hk_slack_request *out, const char **err);
void hk_slack_request_free(struct hk_slack_request *r);

/* Whether the user or the channel is on the list of U... and C... ids. */
bool hk_slack_allowed(char *const *allow, size_t n, const char *user, const char *channel);

/* The value of name in an application/x-www-form-urlencoded body, decoded
 * (+ and %XX) as valid UTF-8 without NUL; NULL when absent. Caller frees. */
char *hk_form_value(const char *body, size_t len, const char *name);

#endif
