/* Where a request goes, and Slack's endpoints: each request's signature is
 * checked before a byte of it is parsed, then who may give tasks, the rate
 * limit, and a retried event run once. Slack is answered at once (it gives
 * up after 3 s); the work starts afterwards, on the loop. */
#include "serve_internal.h"
#include "json.h"
#include "serve_slack.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RATE_WINDOW_MS 60000

/* Slack shows this text to the person who typed the command only. */
static char *ephemeral(const char *text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "response_type", "ephemeral");
    cJSON_AddStringToObject(o, "text", text);
    char *json = hk_json_print(o);
    cJSON_Delete(o);
    return json;
}

static char *in_channel(const char *text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "response_type", "in_channel");
    cJSON_AddStringToObject(o, "text", text);
    char *json = hk_json_print(o);
    cJSON_Delete(o);
    return json;
}

/* At most rate_limit tasks per person per minute (0: no limit). */
static int rate_ok(struct hk_serve *s, const char *who)
{
    if (s->rate_limit <= 0)
        return 1;
    int64_t now = hk_now_ms();
    struct hk_serve_rate *r = NULL;
    for (size_t i = 0; i < s->nrates; i++)
        if (!strcmp(s->rates[i].who, who))
            r = &s->rates[i];
    if (!r) {
        s->rates = hk_xrealloc(s->rates, (s->nrates + 1) * sizeof *s->rates);
        r = &s->rates[s->nrates++];
        *r = (struct hk_serve_rate){hk_xstrdup(who), now, 0};
    }
    if (now - r->window_ms >= RATE_WINDOW_MS) {
        r->window_ms = now;
        r->count = 0;
    }
    if (r->count >= s->rate_limit)
        return 0;
    r->count++;
    return 1;
}

static int verified(struct hk_serve *s, const struct hk_http_request *req, struct hk_http_reply *out)
{
    const char *why;
    if (hk_slack_verify(s->slack_secret, hk_http_header(req, "X-Slack-Request-Timestamp"),
                        hk_http_header(req, "X-Slack-Signature"), req->body, req->len, (int64_t)time(NULL),
                        &why) == 0)
        return 1;
    hk_serve_reply(out, 401, hk_serve_error_json(why), hk_xasprintf("refused: %s", why));
    return 0;
}

static struct hk_serve_task *slack_task(const struct hk_slack_request *r)
{
    struct hk_serve_task *t = hk_xcalloc(1, sizeof *t);
    t->task = hk_xstrdup(r->text);
    t->from = hk_xstrdup("slack");
    t->user = hk_xstrdup(r->user);
    t->channel = hk_xstrdup(r->channel);
    t->thread = r->thread ? hk_xstrdup(r->thread) : NULL;
    t->key = r->event_id ? hk_xstrdup(r->event_id) : NULL;
    return t;
}

/* Who may not, or who has given too many: a sentence for them, or NULL. */
static char *refusal(struct hk_serve *s, const struct hk_slack_request *r)
{
    if (!hk_slack_allowed(s->allow, s->nallow, r->user, r->channel))
        return hk_xasprintf("Sorry, honk takes tasks only from the people and channels its operator listed "
                            "(honk.serve.slack.allow), and %s in %s is not among them. Nothing was started.",
                            r->user, r->channel);
    if (!rate_ok(s, r->user))
        return hk_xasprintf("You have given honk %ld tasks in the last minute, the most it takes from one person "
                            "(honk.serve.rateLimit). This one was not queued: send it again in a minute.",
                            s->rate_limit);
    return NULL;
}

static void slack_command(struct hk_serve *s, const struct hk_http_request *req, struct hk_http_reply *out)
{
    if (!verified(s, req, out))
        return;
    struct hk_slack_request r;
    const char *bad;
    if (hk_slack_parse_command(req->body, req->len, &r, &bad) != 0) {
        hk_serve_reply(out, 400, hk_serve_error_json(bad), hk_xasprintf("refused: %s", bad));
        return;
    }
    char *no = r.kind == HK_SLACK_EMPTY ? NULL : refusal(s, &r), *err = NULL;
    if (r.kind == HK_SLACK_EMPTY) {
        hk_serve_reply(out, 200, ephemeral("Give honk a task after the command, such as: "
                                           "/honk fix the crash when the playlist is empty"),
                       hk_xstrdup("a command without a task"));
    } else if (no) {
        hk_serve_reply(out, 200, ephemeral(no), hk_xasprintf("refused %s in %s", r.user, r.channel));
    } else {
        struct hk_serve_task *t = slack_task(&r);
        if (hk_serve_accept(s, t, &err) != 0) {
            hk_serve_reply(out, 200, ephemeral("honk could not queue this task; its operator will find why in "
                                               "honk serve's log. Nothing was started."),
                           err);
            err = NULL;
        } else {
            long pos = hk_serve_queue_position(s->queue, t);
            char *text = pos > 0 ? hk_xasprintf("Queued as task %s (%ld before it): %s", t->id, pos, t->task)
                                 : hk_xasprintf("Task %s: %s (%s)", t->id, t->task, t->state);
            /* With the bot, its status message says it in the channel already. */
            hk_serve_reply(out, 200, s->slack_bot ? ephemeral(text) : in_channel(text), hk_xasprintf("task %s", t->id));
            free(text);
        }
    }
    free(no);
    free(err);
    hk_slack_request_free(&r);
}

struct hk_serve_task *hk_serve_task_of_thread(const struct hk_serve *s, const char *channel, const char *thread)
{
    for (size_t i = 0; thread && channel && i < hk_serve_queue_count(s->queue); i++) {
        struct hk_serve_task *t = hk_serve_queue_at(s->queue, i);
        if (t->from && !strcmp(t->from, "slack") && t->channel && !strcmp(t->channel, channel) &&
            ((t->thread && !strcmp(t->thread, thread)) || (t->slack_ts && !strcmp(t->slack_ts, thread))))
            return t;
    }
    return NULL;
}

/* Whether this message (a reply, or the mention Slack also sends of it)
 * was passed on already; remembers it when not. */
static int replied_before(struct hk_serve *s, const struct hk_slack_request *r)
{
    char *key = hk_xasprintf("%s %s", r->channel, r->ts ? r->ts : "");
    size_t n = sizeof s->replied / sizeof *s->replied;
    for (size_t i = 0; i < s->nreplied; i++)
        if (!strcmp(s->replied[i], key)) {
            free(key);
            return 1;
        }
    if (s->nreplied == n) {
        free(s->replied[0]);
        memmove(s->replied, s->replied + 1, (n - 1) * sizeof *s->replied);
        s->nreplied--;
    }
    s->replied[s->nreplied++] = key;
    return 0;
}

/* A person's reply in a task's thread: a follow-up to its session, from
 * those who may give tasks only; other threads are none of honk's business. */
static void slack_reply(struct hk_serve *s, struct hk_serve_task *t, const struct hk_slack_request *r,
                        struct hk_http_reply *out)
{
    char *err = NULL;
    if (!hk_slack_allowed(s->allow, s->nallow, r->user, r->channel)) {
        char *no = hk_xasprintf("Sorry, honk takes messages only from the people and channels its operator "
                                "listed (honk.serve.slack.allow), and %s in %s is not among them. Task %s was "
                                "not told.", r->user, r->channel, t->id);
        hk_serve_reply(out, 200, hk_xstrdup("{}"), hk_xasprintf("refused a reply from %s in %s", r->user, r->channel));
        hk_serve_tell_refusal(s, r->channel, r->user, no);
        free(no);
    } else if (replied_before(s, r)) {
        hk_serve_reply(out, 200, hk_xstrdup("{}"), hk_xasprintf("task %s: that reply was passed on already", t->id));
    } else if (hk_serve_followup(s, t, r->text, r->user, &err) == 0) {
        hk_serve_reply(out, 200, hk_xstrdup("{}"), hk_xasprintf("task %s: a follow-up from %s", t->id, r->user));
    } else {
        hk_serve_reply(out, 200, hk_xstrdup("{}"), hk_xasprintf("task %s: a reply not passed on", t->id));
        hk_serve_tell_thread(s, t, err);
    }
    free(err);
}

/* Events are answered with 200 and nothing else: a refusal in the channel
 * needs the Web API (the bot token), so it is only logged here. */
static void slack_event(struct hk_serve *s, const struct hk_http_request *req, struct hk_http_reply *out)
{
    if (!verified(s, req, out))
        return;
    struct hk_slack_request r;
    const char *bad;
    char *err = NULL;
    if (hk_slack_parse_event(req->body, req->len, &r, &bad) != 0) {
        hk_serve_reply(out, 400, hk_serve_error_json(bad), hk_xasprintf("refused: %s", bad));
        return;
    }
    const char *retry = hk_http_header(req, "X-Slack-Retry-Num");
    struct hk_serve_task *seen = hk_serve_queue_find_key(s->queue, r.event_id), *thread_task;
    if (r.kind == HK_SLACK_CHALLENGE) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "challenge", r.challenge);
        hk_serve_reply(out, 200, hk_json_print(o), hk_xstrdup("url_verification answered"));
        cJSON_Delete(o);
    } else if (seen) {
        hk_serve_reply(out, 200, hk_xstrdup("{}"),
                       hk_xasprintf("event %s%s%s is task %s already; not run again", r.event_id,
                                    retry ? ", retry " : "", retry ? retry : "", seen->id));
    } else if ((r.kind == HK_SLACK_REPLY || (r.kind == HK_SLACK_TASK && r.in_thread)) &&
               (thread_task = hk_serve_task_of_thread(s, r.channel, r.thread))) {
        slack_reply(s, thread_task, &r, out);
    } else if (r.kind != HK_SLACK_TASK) {
        const char *what = r.kind == HK_SLACK_EMPTY ? "a mention without a task" : "an event honk does not act on";
        hk_serve_reply(out, 200, hk_xstrdup("{}"), hk_xstrdup(what));
    } else {
        char *no = refusal(s, &r);
        if (no) {
            hk_serve_reply(out, 200, hk_xstrdup("{}"), hk_xasprintf("refused %s in %s", r.user, r.channel));
            hk_serve_tell_refusal(s, r.channel, r.user, no);
            free(no);
        } else {
            struct hk_serve_task *t = slack_task(&r);
            if (hk_serve_accept(s, t, &err) == 0) {
                hk_serve_reply(out, 200, hk_xstrdup("{}"), hk_xasprintf("task %s", t->id));
            } else { /* not acknowledged: Slack sends it again */
                hk_serve_reply(out, 500, hk_serve_error_json("the task could not be journalled"), err);
                err = NULL;
            }
        }
    }
    free(err);
    hk_slack_request_free(&r);
}

void hk_serve_handle(const struct hk_http_request *req, struct hk_http_reply *out, void *user)
{
    struct hk_serve *s = user;
    size_t n = strcspn(req->url, "?");
    int post = !strcmp(req->method, "POST");
    if (n == strlen("/slack/commands") && !strncmp(req->url, "/slack/commands", n) && post)
        slack_command(s, req, out);
    else if (n == strlen("/slack/events") && !strncmp(req->url, "/slack/events", n) && post)
        slack_event(s, req, out);
    else if (!strncmp(req->url, "/v1/", 4))
        hk_serve_api(s, req, out);
    else if (!strncmp(req->url, "/slack/", 7))
        hk_serve_reply(out, 405, hk_serve_error_json("Slack's endpoints take POST."), NULL);
    else
        hk_serve_reply(out, 404, hk_serve_error_json("No such endpoint: honk serve has /slack/commands, "
                                                     "/slack/events and /v1/tasks."),
                       NULL);
}
