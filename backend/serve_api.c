/* The JSON API for scripts and other bridges: POST /v1/tasks, GET /v1/tasks,
 * GET /v1/tasks/<id>, POST /v1/tasks/<id>/cancel, each behind
 * "Authorization: Bearer $HONK_SERVE_TOKEN" compared in constant time. */
#include "serve_internal.h"
#include "json.h"
#include "serve_libs.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int authorized(struct hk_serve *s, const struct hk_http_request *req, struct hk_http_reply *out)
{
    if (!s->token) {
        hk_serve_reply(out, 403, hk_serve_error_json("The JSON API is off: HONK_SERVE_TOKEN was not set when "
                                                     "honk serve started."),
                       hk_xstrdup("refused: no HONK_SERVE_TOKEN"));
        return 0;
    }
    const char *auth = hk_http_header(req, "Authorization");
    size_t n = strlen(s->token);
    /* The token's length is no secret; its bytes are compared in constant time. */
    if (auth && !strncmp(auth, "Bearer ", 7) && strlen(auth + 7) == n && CRYPTO_memcmp(auth + 7, s->token, n) == 0)
        return 1;
    hk_serve_reply(out, 401, hk_serve_error_json("This needs Authorization: Bearer and the token honk serve was "
                                                 "started with (HONK_SERVE_TOKEN)."),
                   hk_xstrdup(auth ? "refused: wrong token" : "refused: no token"));
    return 0;
}

static char *task_answer(struct hk_serve *s, const struct hk_serve_task *t)
{
    cJSON *o = hk_serve_task_json(t);
    long pos = hk_serve_queue_position(s->queue, t);
    if (pos >= 0)
        cJSON_AddNumberToObject(o, "position", (double)pos);
    char *text = hk_json_print(o);
    cJSON_Delete(o);
    return text;
}

static char *opt_string(const cJSON *body, const char *name, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    if (!v || cJSON_IsNull(v))
        return NULL;
    if (!cJSON_IsString(v) || !*v->valuestring) {
        *bad = 1;
        return NULL;
    }
    return hk_xstrdup(v->valuestring);
}

static void post_task(struct hk_serve *s, const struct hk_http_request *req, struct hk_http_reply *out)
{
    cJSON *body = cJSON_ParseWithLength(req->body, req->len);
    const char *task = hk_json_str(body, "task");
    int bad = 0;
    if (!cJSON_IsObject(body) || !task || !*task) {
        hk_serve_reply(out, 400, hk_serve_error_json("The body is a JSON object with a non-empty string \"task\" "
                                                     "(and optionally repo, base, callback_url)."),
                       hk_xstrdup("refused: no task"));
        cJSON_Delete(body);
        return;
    }
    struct hk_serve_task *t = hk_xcalloc(1, sizeof *t);
    t->task = hk_xstrdup(task);
    t->repo = opt_string(body, "repo", &bad);
    t->base = opt_string(body, "base", &bad);
    t->callback_url = opt_string(body, "callback_url", &bad);
    t->from = hk_xstrdup("api");
    cJSON_Delete(body);
    char *err = NULL;
    if (bad) {
        hk_serve_reply(out, 400, hk_serve_error_json("repo, base and callback_url are non-empty strings when given."),
                       hk_xstrdup("refused: a bad member"));
        hk_serve_task_free(t);
    } else if (!hk_serve_repo_known(s, t->repo)) {
        char *why = hk_xasprintf("No repository is named \"%s\" (honk.serve.repo.<name>.path names them).", t->repo);
        hk_serve_reply(out, 400, hk_serve_error_json(why), hk_xstrdup("refused: unknown repo"));
        free(why);
        hk_serve_task_free(t);
    } else if (t->callback_url && strncmp(t->callback_url, "http://", 7) && strncmp(t->callback_url, "https://", 8)) {
        hk_serve_reply(out, 400, hk_serve_error_json("callback_url is an http:// or https:// URL."),
                       hk_xstrdup("refused: bad callback_url"));
        hk_serve_task_free(t);
    } else if (hk_serve_accept(s, t, &err) != 0) {
        hk_serve_reply(out, 500, hk_serve_error_json(err), hk_xasprintf("not queued: %s", err));
    } else {
        hk_serve_reply(out, 202, task_answer(s, t), hk_xasprintf("task %s", t->id));
    }
    free(err);
}

static void list_tasks(struct hk_serve *s, struct hk_http_reply *out)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "tasks");
    for (size_t i = 0; i < hk_serve_queue_count(s->queue); i++)
        cJSON_AddItemToArray(arr, hk_serve_task_json(hk_serve_queue_at(s->queue, i)));
    hk_serve_reply(out, 200, hk_json_print(o), NULL);
    cJSON_Delete(o);
}

/* /v1/tasks/<id> and /v1/tasks/<id>/cancel: the id, and what follows it. */
static struct hk_serve_task *task_of(struct hk_serve *s, const char *path, const char **rest)
{
    const char *id = path + strlen("/v1/tasks/");
    size_t n = strcspn(id, "/");
    *rest = id + n;
    if (n != 8)
        return NULL;
    char want[9];
    memcpy(want, id, 8);
    want[8] = 0;
    return hk_serve_queue_find(s->queue, want);
}

void hk_serve_api(struct hk_serve *s, const struct hk_http_request *req, struct hk_http_reply *out)
{
    if (!authorized(s, req, out))
        return;
    char *path = hk_xstrndup(req->url, strcspn(req->url, "?"));
    int get = !strcmp(req->method, "GET"), post = !strcmp(req->method, "POST");
    const char *rest = "";
    struct hk_serve_task *t = NULL;
    if (!strcmp(path, "/v1/tasks")) {
        if (post)
            post_task(s, req, out);
        else if (get)
            list_tasks(s, out);
        else
            hk_serve_reply(out, 405, hk_serve_error_json("/v1/tasks takes GET and POST."), NULL);
    } else if (!strncmp(path, "/v1/tasks/", 10) && (t = task_of(s, path, &rest)) && !*rest && get) {
        hk_serve_reply(out, 200, task_answer(s, t), NULL);
    } else if (t && !strcmp(rest, "/cancel") && post) {
        char *err = NULL;
        if (hk_serve_cancel(s, t, &err) == 0)
            hk_serve_reply(out, 202, task_answer(s, t), hk_xasprintf("task %s: cancel", t->id));
        else
            hk_serve_reply(out, 409, hk_serve_error_json(err), hk_xasprintf("task %s: not cancelled", t->id));
        free(err);
    } else if (!strncmp(path, "/v1/tasks/", 10) && !t) {
        hk_serve_reply(out, 404, hk_serve_error_json("No such task (GET /v1/tasks lists them)."), NULL);
    } else {
        hk_serve_reply(out, 404, hk_serve_error_json("No such endpoint: the API has /v1/tasks, /v1/tasks/<id> "
                                                     "and /v1/tasks/<id>/cancel."),
                       NULL);
    }
    free(path);
}
