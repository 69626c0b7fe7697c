/* The context window an OpenAI-compatible server reports of itself, asked
 * once on the loop: vLLM's GET /v1/models (data[].max_model_len), then
 * llama.cpp's GET /props (default_generation_settings.n_ctx). Servers that
 * report nothing (OpenAI itself, a 404, no answer) just give no figure. */
#include "model_window.h"

#include "curl_api.h"
#include "json.h"
#include "loop.h"
#include "util.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ANSWER (1L << 20) /* a models list is tens of KB; more is not one */
#define PROBE_TIMEOUT_MS 10000L

struct hk_window_probe {
    struct hk_loop *loop;
    CURL *easy;
    struct curl_slist *headers;
    struct hk_buf answer;
    char *base;  /* the base URL without trailing slashes */
    char *model;
    int step;    /* 0: /models, 1: /props */
    int done;
    hk_window_cb cb;
    void *user;
};

static void ask(struct hk_window_probe *p);

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *user)
{
    struct hk_window_probe *p = user;
    size_t n = size * nmemb;
    if (p->answer.len + n > MAX_ANSWER)
        return 0; /* aborts the transfer */
    hk_buf_add(&p->answer, ptr, n);
    return n;
}

/* vLLM: the entry for our model, or the only one a single-model server lists. */
static long from_models(const cJSON *root, const char *model)
{
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    const cJSON *m, *only = cJSON_GetArraySize(data) == 1 ? cJSON_GetArrayItem(data, 0) : NULL;
    cJSON_ArrayForEach(m, data) {
        const char *id = hk_json_str(m, "id");
        if (id && model && !strcmp(id, model))
            return (long)hk_json_num(m, "max_model_len", 0);
    }
    return only ? (long)hk_json_num(only, "max_model_len", 0) : 0;
}

static long from_props(const cJSON *root)
{
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(root, "default_generation_settings");
    return (long)hk_json_num(g, "n_ctx", 0);
}

static long figure_of(const struct hk_window_probe *p)
{
    cJSON *root = cJSON_ParseWithLength(p->answer.data ? p->answer.data : "", p->answer.len);
    long n = p->step == 0 ? from_models(root, p->model) : from_props(root);
    cJSON_Delete(root);
    return n > 0 ? n : 0;
}

static void on_done(struct hk_loop *loop, CURL *easy, int result, void *data)
{
    (void)loop;
    (void)easy;
    struct hk_window_probe *p = data;
    long status = 0;
    hk_curl.easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
    hk_curl.easy_cleanup(p->easy);
    p->easy = NULL;
    long n = result == CURLE_OK && status == 200 ? figure_of(p) : 0;
    hk_buf_clear(&p->answer);
    if (!n && p->step == 0) {
        p->step = 1;
        ask(p);
        return;
    }
    p->done = 1;
    p->cb(n, p->user);
}

/* llama.cpp serves /props at its root, beside /v1. */
static char *url_of(const struct hk_window_probe *p)
{
    if (p->step == 0)
        return hk_xasprintf("%s/models", p->base);
    size_t len = strlen(p->base);
    if (len >= 3 && !strcmp(p->base + len - 3, "/v1"))
        len -= 3;
    return hk_xasprintf("%.*s/props", (int)len, p->base);
}

static void ask(struct hk_window_probe *p)
{
    char *url = url_of(p);
    CURL *e = p->easy = hk_curl.easy_init();
    hk_curl.easy_setopt(e, CURLOPT_URL, url);
    hk_curl.easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);
    hk_curl.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    hk_curl.easy_setopt(e, CURLOPT_WRITEDATA, p);
    hk_curl.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    hk_curl.easy_setopt(e, CURLOPT_TIMEOUT_MS, PROBE_TIMEOUT_MS);
    hk_curl.easy_setopt(e, CURLOPT_USERAGENT, "honk/" HONK_VERSION);
    free(url);
    hk_loop_add_transfer(p->loop, e, on_done, p);
}

struct hk_window_probe *hk_window_probe_start(struct hk_loop *loop, const struct hk_model_settings *s,
                                              hk_window_cb cb, void *user)
{
    char *err = NULL;
    if (s->provider != HK_PROVIDER_OPENAI || !s->base_url || hk_curl_load(&err) != 0) {
        free(err);
        return NULL;
    }
    struct hk_window_probe *p = hk_xcalloc(1, sizeof *p);
    *p = (struct hk_window_probe){.loop = loop, .cb = cb, .user = user,
                                  .base = hk_xstrdup(s->base_url),
                                  .model = s->model ? hk_xstrdup(s->model) : NULL};
    size_t len = strlen(p->base);
    while (len && p->base[len - 1] == '/')
        p->base[--len] = 0;
    if (s->api_key) {
        char *auth = hk_xasprintf("Authorization: Bearer %s", s->api_key);
        p->headers = hk_curl.slist_append(NULL, auth);
        free(auth);
    }
    ask(p);
    return p;
}

void hk_window_probe_free(struct hk_window_probe *p)
{
    if (!p)
        return;
    if (p->easy) {
        hk_loop_remove_transfer(p->loop, p->easy);
        hk_curl.easy_cleanup(p->easy);
    }
    if (p->headers)
        hk_curl.slist_free_all(p->headers);
    hk_buf_free(&p->answer);
    free(p->base);
    free(p->model);
    free(p);
}
