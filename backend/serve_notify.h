/* Telling Slack how a task goes, through its Web API (chat.postMessage,
 * chat.update, reactions.add) on the loop's curl multi handle: one status
 * message per task kept current, 👀 when it is picked up, a final message in
 * its thread. Calls for one task go out in order, one at a time; a 429
 * (Retry-After), a 5xx or a transport error is tried again with backoff,
 * never holding up serve or a session; what could not be delivered is
 * logged. */
#ifndef HK_SERVE_NOTIFY_H
#define HK_SERVE_NOTIFY_H

#include "loop.h"

#include <cjson/cJSON.h>

struct hk_notify;

/* The Web API's base URL (honk.serve.slack.apiUrl) and the bot token (NULL:
 * callbacks only). NULL
 * with *err when libcurl cannot be loaded. */
struct hk_notify *hk_notify_new(struct hk_loop *loop, const char *api_url, const char *token, char **err);
void hk_notify_free(struct hk_notify *n);

/* Called with Slack's answer ({"ok": true, ...}) once the call is
 * delivered, or NULL when it was given up; borrowed for the call. */
typedef void (*hk_notify_done)(const cJSON *answer, void *user);

/* Called when the call's turn comes, before it is sent, to fill in what an
 * earlier call of the same key answered (the ts of a message); -1 skips
 * the call (done is then called with NULL). */
typedef int (*hk_notify_prepare)(cJSON *body, void *user);

/* Queues a call of method (chat.postMessage ...) with body (taken over)
 * behind the earlier calls of the same key (a task's id). prepare and done
 * may be NULL. */
void hk_notify_call(struct hk_notify *n, const char *key, const char *method, cJSON *body,
                    hk_notify_prepare prepare, hk_notify_done done, void *user);
/* Queues a POST of body (taken over) to a callback URL with one more
 * header (its signature), in the same order and with the same retries; any
 * 2xx is delivered. */
void hk_notify_post(struct hk_notify *n, const char *key, const char *url, char *body, const char *header);
/* Keeps what could not be delivered in path (JSON Lines, 0600; never the
 * bot token, which is added when a call is sent): a call given up after its
 * tries, and at hk_notify_free every call still queued. */
void hk_notify_keep(struct hk_notify *n, const char *path);
/* Queues again the calls kept in that file by an earlier serve and empties
 * it: how many. */
size_t hk_notify_resend(struct hk_notify *n);
/* Calls queued or in flight, for tests and for a stop that waits. */
size_t hk_notify_pending(const struct hk_notify *n);

#endif
