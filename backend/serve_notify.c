/* The Slack Web API client of honk serve (see serve_notify.h). */
#include "serve_notify.h"
#include "curl_api.h"
#include "json.h"
#include "serve_internal.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_TRIES 6
#define FIRST_BACKOFF_MS 500
#define MAX_BACKOFF_MS 30000

struct call {
    char *key;
    char *method;
    char *label;  /* for the log: "Slack's chat.update", "the callback" */
    char *url;    /* a callback's whole URL; NULL: the Web API's method */
    char *header; /* a callback's signature header */
    cJSON *json;  /* until its turn: then prepared and printed into body */
    char *body;
    hk_notify_prepare prepare;
    hk_notify_done done;
    void *user;
    int tries;
    struct call *next; /* the next call of the same key */
};

struct lane { /* one key's calls, the first one in flight or waiting to retry */
    struct hk_notify *n;
    struct call *head;
    CURL *easy;
    struct curl_slist *headers;
    struct hk_buf answer;
    long retry_after_s;
    uint64_t timer;
};

struct hk_notify {
    struct hk_loop *loop;
    char *api_url;
    char *auth;
    struct lane **lanes;
    size_t nlanes;
    char *keep; /* where undelivered calls are kept, or NULL */
};

static void send_head(struct hk_notify *n, struct lane *l);
static void queue_call(struct hk_notify *n, struct call *c);

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    struct lane *l = user;
    if (l->answer.len < 1024 * 1024)
        hk_buf_add(&l->answer, data, size * nmemb);
    return size * nmemb;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
    struct lane *l = user;
    size_t len = size * nmemb;
    if (len > 12 && !strncasecmp(data, "Retry-After:", 12))
        l->retry_after_s = strtol(data + 12, NULL, 10);
    return len;
}

static struct lane *lane_of(struct hk_notify *n, const char *key, int make)
{
    for (size_t i = 0; i < n->nlanes; i++)
        if (n->lanes[i]->head && !strcmp(n->lanes[i]->head->key, key))
            return n->lanes[i];
    if (!make)
        return NULL;
    for (size_t i = 0; i < n->nlanes; i++)
        if (!n->lanes[i]->head)
            return n->lanes[i];
    n->lanes = hk_xrealloc(n->lanes, (n->nlanes + 1) * sizeof *n->lanes);
    struct lane *l = n->lanes[n->nlanes++] = hk_xcalloc(1, sizeof(struct lane));
    l->n = n;
    return l;
}

static void free_call(struct call *c)
{
    free(c->key);
    free(c->method);
    free(c->label);
    free(c->url);
    free(c->header);
    cJSON_Delete(c->json);
    free(c->body);
    free(c);
}

static void end_transfer(struct lane *l)
{
    if (l->easy)
        hk_curl.easy_cleanup(l->easy);
    l->easy = NULL;
    hk_curl.slist_free_all(l->headers);
    l->headers = NULL;
    hk_buf_clear(&l->answer);
}

/* The head call is done (delivered or given up): its callback, then the next. */
static void finish_head(struct hk_notify *n, struct lane *l, const cJSON *answer)
{
    struct call *c = l->head;
    l->head = c->next;
    if (c->done)
        c->done(answer, c->user);
    free_call(c);
    if (l->head)
        send_head(n, l);
}

/* One undelivered call, appended to the keep file as it would be sent. */
static void keep_call(struct hk_notify *n, struct call *c)
{
    if (!n->keep)
        return;
    if (!c->body) {
        if (c->prepare && c->prepare(c->json, c->user) != 0)
            return; /* what it needed (the status message's ts) never came */
        c->body = hk_json_print(c->json);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "key", c->key);
    cJSON_AddStringToObject(o, "method", c->method);
    if (c->url)
        cJSON_AddStringToObject(o, "url", c->url);
    if (c->header)
        cJSON_AddStringToObject(o, "header", c->header);
    cJSON_AddStringToObject(o, "body", c->body);
    char *line = hk_json_print(o);
    cJSON_Delete(o);
    int fd = open(n->keep, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    size_t len = strlen(line);
    line[len] = '\n'; /* the NUL goes: the length is known */
    if (fd < 0 || write(fd, line, len + 1) != (ssize_t)(len + 1) || fsync(fd) != 0)
        hk_serve_log("task %s: %s could not be kept for the next serve: %s", c->key, c->label, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(line);
}

void hk_notify_keep(struct hk_notify *n, const char *path)
{
    free(n->keep);
    n->keep = path ? hk_xstrdup(path) : NULL;
}

size_t hk_notify_resend(struct hk_notify *n)
{
    char *text = NULL;
    size_t len = 0, count = 0;
    FILE *f = n->keep ? fopen(n->keep, "r+") : NULL;
    if (!f)
        return 0;
    struct hk_buf b = {0};
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        hk_buf_add(&b, chunk, got);
    /* emptied first: a call that fails again is kept again, once */
    if (ftruncate(fileno(f), 0) != 0)
        hk_serve_log("cannot empty %s: %s", n->keep, strerror(errno));
    fclose(f);
    text = b.data;
    len = b.len;
    for (size_t start = 0, i = 0; i < len; i++) {
        if (text[i] != '\n')
            continue;
        cJSON *o = cJSON_ParseWithLength(text + start, i - start);
        start = i + 1;
        const char *key = hk_json_str(o, "key"), *method = hk_json_str(o, "method"), *body = hk_json_str(o, "body");
        if (key && method && body) {
            struct call *c = hk_xcalloc(1, sizeof *c);
            const char *url = hk_json_str(o, "url");
            *c = (struct call){.key = hk_xstrdup(key), .method = hk_xstrdup(method), .body = hk_xstrdup(body),
                               .url = url ? hk_xstrdup(url) : NULL,
                               .header = hk_json_str(o, "header") ? hk_xstrdup(hk_json_str(o, "header")) : NULL,
                               .label = url ? hk_xstrdup("the callback_url") : hk_xasprintf("Slack's %s", method)};
            queue_call(n, c);
            count++;
        }
        cJSON_Delete(o);
    }
    hk_buf_free(&b);
    return count;
}

static void on_retry(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct lane *l = data;
    l->timer = 0;
    send_head(l->n, l);
}

static void retry_later(struct hk_notify *n, struct lane *l, const char *why)
{
    struct call *c = l->head;
    if (c->tries >= MAX_TRIES) {
        hk_serve_log("task %s: %s was not delivered after %d tries (%s)%s", c->key, c->label, c->tries, why,
                     n->keep ? "; the next honk serve tries it again" : "");
        keep_call(n, c);
        finish_head(n, l, NULL);
        return;
    }
    int64_t ms = FIRST_BACKOFF_MS << (c->tries - 1);
    if (l->retry_after_s > 0)
        ms = l->retry_after_s * 1000;
    if (ms > MAX_BACKOFF_MS)
        ms = MAX_BACKOFF_MS;
    hk_serve_log("task %s: %s: %s; trying again in %.1f s", c->key, c->label, why, (double)ms / 1000.0);
    l->timer = hk_loop_add_timer(n->loop, ms, on_retry, l);
}

static void on_done(struct hk_loop *loop, CURL *easy, int result, void *data)
{
    (void)loop;
    struct lane *l = data;
    struct hk_notify *n = l->n;
    long status = 0;
    hk_curl.easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    cJSON *answer = cJSON_ParseWithLength(l->answer.data ? l->answer.data : "", l->answer.len);
    char *why = NULL;
    if (result != CURLE_OK)
        why = hk_xasprintf("%s", hk_curl.easy_strerror((CURLcode)result));
    else if (status == 429 || status >= 500)
        why = hk_xasprintf("HTTP %ld", status);
    end_transfer(l);
    if (why) {
        retry_later(n, l, why);
        free(why);
        cJSON_Delete(answer);
        return;
    }
    if (l->head->url) { /* a callback: any 2xx is delivered */
        if (status < 200 || status > 299)
            hk_serve_log("task %s: %s answered HTTP %ld; not sent again", l->head->key, l->head->label, status);
        finish_head(n, l, NULL);
    } else {
        if (!hk_json_true(answer, "ok"))
            hk_serve_log("task %s: Slack refused %s: %s", l->head->key, l->head->method,
                         hk_json_str(answer, "error") ? hk_json_str(answer, "error") : "no answer it could read");
        finish_head(n, l, hk_json_true(answer, "ok") ? answer : NULL);
    }
    cJSON_Delete(answer);
}

static void send_head(struct hk_notify *n, struct lane *l)
{
    struct call *c = l->head;
    if (!c->body) {
        if (c->prepare && c->prepare(c->json, c->user) != 0) {
            finish_head(n, l, NULL);
            return;
        }
        c->body = hk_json_print(c->json);
    }
    c->tries++;
    l->retry_after_s = 0;
    char *url = c->url ? hk_xstrdup(c->url) : hk_xasprintf("%s/%s", n->api_url, c->method);
    CURL *e = l->easy = hk_curl.easy_init();
    l->headers = hk_curl.slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    l->headers = hk_curl.slist_append(l->headers, c->url ? c->header : n->auth);
    hk_curl.easy_setopt(e, CURLOPT_URL, url);
    hk_curl.easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
    hk_curl.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(c->body));
    hk_curl.easy_setopt(e, CURLOPT_HTTPHEADER, l->headers);
    hk_curl.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    hk_curl.easy_setopt(e, CURLOPT_WRITEDATA, l);
    hk_curl.easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    hk_curl.easy_setopt(e, CURLOPT_HEADERDATA, l);
    hk_curl.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    hk_curl.easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    hk_curl.easy_setopt(e, CURLOPT_USERAGENT, "honk/" HONK_VERSION);
    free(url);
    hk_loop_add_transfer(n->loop, e, on_done, l);
}

void hk_notify_call(struct hk_notify *n, const char *key, const char *method, cJSON *body,
                    hk_notify_prepare prepare, hk_notify_done done, void *user)
{
    struct call *c = hk_xcalloc(1, sizeof *c);
    *c = (struct call){.key = hk_xstrdup(key), .method = hk_xstrdup(method), .json = body, .prepare = prepare,
                       .done = done, .user = user, .label = hk_xasprintf("Slack's %s", method)};
    queue_call(n, c);
}

void hk_notify_post(struct hk_notify *n, const char *key, const char *url, char *body, const char *header)
{
    struct call *c = hk_xcalloc(1, sizeof *c);
    *c = (struct call){.key = hk_xstrdup(key), .method = hk_xstrdup("callback"), .body = body,
                       .url = hk_xstrdup(url), .header = hk_xstrdup(header), .label = hk_xstrdup("the callback_url")};
    queue_call(n, c);
}

static void queue_call(struct hk_notify *n, struct call *c)
{
    const char *key = c->key;
    struct lane *l = lane_of(n, key, 1);
    if (!l->head) {
        l->head = c;
        send_head(n, l);
        return;
    }
    struct call *last = l->head;
    while (last->next)
        last = last->next;
    last->next = c;
}

size_t hk_notify_pending(const struct hk_notify *n)
{
    size_t count = 0;
    for (size_t i = 0; i < n->nlanes; i++)
        for (struct call *c = n->lanes[i]->head; c; c = c->next)
            count++;
    return count;
}

struct hk_notify *hk_notify_new(struct hk_loop *loop, const char *api_url, const char *token, char **err)
{
    if (hk_curl_load(err) != 0)
        return NULL;
    struct hk_notify *n = hk_xcalloc(1, sizeof *n);
    n->loop = loop;
    n->api_url = hk_xstrdup(api_url);
    size_t len = strlen(n->api_url);
    while (len && n->api_url[len - 1] == '/')
        n->api_url[--len] = 0;
    n->auth = token ? hk_xasprintf("Authorization: Bearer %s", token) : NULL;
    return n;
}

void hk_notify_free(struct hk_notify *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nlanes; i++) {
        struct lane *l = n->lanes[i];
        if (l->easy)
            hk_loop_remove_transfer(n->loop, l->easy);
        end_transfer(l);
        if (l->timer)
            hk_loop_cancel_timer(n->loop, l->timer);
        while (l->head) {
            struct call *c = l->head;
            l->head = c->next;
            keep_call(n, c);
            free_call(c);
        }
        hk_buf_free(&l->answer);
        free(l);
    }
    free(n->lanes);
    free(n->api_url);
    free(n->auth);
    free(n->keep);
    free(n);
}
