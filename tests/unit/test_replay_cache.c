/* Tests of honk-replay's accounting: prompt caching as Anthropic and OpenAI
 * bill it, and the context window's refusal, over real HTTP. */
#include "check.h"
#include "support.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static size_t on_data(char *p, size_t size, size_t n, void *cls)
{
    hk_buf_add(cls, p, size * n);
    return size * n;
}

/* POSTs body; returns the reply's body (caller frees) and sets *status. */
static char *post(const char *url, const char *path, bool anthropic, const char *body, long *status)
{
    struct hk_buf r = {0};
    char *full = hk_xasprintf("%s%s", url, path);
    struct curl_slist *list = NULL;
    if (anthropic) {
        list = curl_slist_append(list, "x-api-key: sk-ant-secret");
        list = curl_slist_append(list, "anthropic-version: 2023-06-01");
    } else {
        list = curl_slist_append(list, "Authorization: Bearer sk-secret");
    }
    list = curl_slist_append(list, "content-type: application/json");
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, full);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    CURLcode rc = curl_easy_perform(h);
    *status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    CHECK(rc == CURLE_OK, "curl: %s", curl_easy_strerror(rc));
    curl_easy_cleanup(h);
    curl_slist_free_all(list);
    free(full);
    hk_buf_adds(&r, "");
    return hk_buf_steal(&r);
}

static long num(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
}

/* A text block of n bytes of 'x', marked as a breakpoint when mark. */
static cJSON *text_block(size_t n, bool mark)
{
    char *s = hk_xcalloc(1, n + 1);
    memset(s, 'x', n);
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "type", "text");
    cJSON_AddStringToObject(b, "text", s);
    if (mark)
        cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "cache_control"), "type", "ephemeral");
    free(s);
    return b;
}

/* An Anthropic body: a system block of sys bytes (marked when mark_sys),
 * then nmsgs user/assistant messages of 400 bytes, the last one marked
 * when mark_last. */
static char *ant_body(size_t sys, bool mark_sys, int nmsgs, bool mark_last)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", "claude-test");
    cJSON_AddNumberToObject(root, "max_tokens", 100);
    cJSON *system = cJSON_AddArrayToObject(root, "system");
    cJSON_AddItemToArray(system, text_block(sys, mark_sys));
    cJSON *msgs = cJSON_AddArrayToObject(root, "messages");
    for (int i = 0; i < nmsgs; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", i % 2 ? "assistant" : "user");
        cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "content"), text_block(400, mark_last && i == nmsgs - 1));
        cJSON_AddItemToArray(msgs, m);
    }
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

struct bill {
    long status, input, creation, read;
};

static struct bill ant_post(const struct replay *c, const char *body)
{
    struct bill b = {0};
    char *reply = post(c->url, "/v1/messages", true, body, &b.status);
    cJSON *o = cJSON_Parse(reply);
    b.input = num(o, "usage", "input_tokens");
    b.creation = num(o, "usage", "cache_creation_input_tokens");
    b.read = num(o, "usage", "cache_read_input_tokens");
    cJSON_Delete(o);
    free(reply);
    return b;
}

static bool start(struct replay *c, const char *scenario)
{
    bool ok = replay_start(c, scenario) == 0;
    CHECK(ok, "honk-replay did not start on %s", scenario);
    return ok;
}

TEST(anthropic_first_request_writes_the_next_reads)
{
    struct replay c;
    if (!start(&c, "{\"turns\": [], \"cache_min_tokens\": 100}"))
        goto out;
    char *body = ant_body(4000, true, 1, false);
    struct bill a = ant_post(&c, body), b = ant_post(&c, body);
    CHECK(a.status == 200 && b.status == 200, "status %ld %ld", a.status, b.status);
    CHECK(a.creation >= 1000 && a.read == 0, "first: creation %ld read %ld", a.creation, a.read);
    CHECK(b.creation == 0 && b.read == a.creation, "second: creation %ld read %ld (first wrote %ld)",
          b.creation, b.read, a.creation);
    CHECK(a.input > 0 && a.input < 200 && b.input == a.input, "input %ld then %ld", a.input, b.input);
    char *rec = replay_record(&c);
    CHECK(strstr(rec, "\"cache_read_input_tokens\":0") && count_substr(rec, "\"usage\":{") == 2,
          "record: %.300s", rec);
    free(rec);
    free(body);
out:
    replay_stop(&c);
}

TEST(anthropic_moved_breakpoint_reads_the_last_prefix)
{
    struct replay c;
    if (!start(&c, "{\"turns\": [], \"cache_min_tokens\": 100}"))
        goto out;
    char *one = ant_body(4000, true, 1, true), *three = ant_body(4000, true, 3, true);
    struct bill a = ant_post(&c, one), b = ant_post(&c, three);
    CHECK(a.read == 0 && a.creation > 1000, "first: read %ld creation %ld", a.read, a.creation);
    /* the first request's whole prompt is within 20 blocks of the new breakpoint */
    CHECK(b.read == a.creation && b.creation > 150 && b.creation < 300,
          "second: read %ld creation %ld (first wrote %ld)", b.read, b.creation, a.creation);
    free(one);
    free(three);
out:
    replay_stop(&c);
}

TEST(anthropic_unmarked_short_changed_or_expired_is_not_read)
{
    struct replay c;
    if (!start(&c, "{\"turns\": []}"))
        goto out;
    char *plain = ant_body(8000, false, 1, false), *small = ant_body(2000, true, 1, false);
    struct bill a = ant_post(&c, plain), b = ant_post(&c, plain);
    CHECK(a.creation == 0 && b.read == 0 && b.input == a.input && a.input > 2000,
          "unmarked: creation %ld read %ld input %ld", a.creation, b.read, b.input);
    a = ant_post(&c, small); /* 500 tokens: under the default minimum of 1024 */
    b = ant_post(&c, small);
    CHECK(a.creation == 0 && b.read == 0, "short: creation %ld read %ld", a.creation, b.read);
    char *big = ant_body(8000, true, 1, false), *other = ant_body(8004, true, 1, false);
    a = ant_post(&c, big);
    b = ant_post(&c, other);
    CHECK(a.creation > 1024 && b.read == 0 && b.creation > 1024, "changed: read %ld", b.read);
    free(plain);
    free(small);
    free(big);
    free(other);
out:
    replay_stop(&c);
    if (!start(&c, "{\"turns\": [], \"cache_ttl_s\": 0}"))
        goto out2;
    char *body = ant_body(8000, true, 1, false);
    struct bill x = ant_post(&c, body), y = ant_post(&c, body);
    CHECK(x.creation > 1024 && y.read == 0 && y.creation == x.creation, "expired: read %ld", y.read);
    free(body);
out2:
    replay_stop(&c);
}

TEST(anthropic_five_breakpoints_are_refused)
{
    struct replay c;
    if (!start(&c, "{\"turns\": [{\"text\": \"one\"}]}"))
        goto out;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", "claude-test");
    cJSON_AddNumberToObject(root, "max_tokens", 100);
    cJSON *system = cJSON_AddArrayToObject(root, "system");
    for (int i = 0; i < 5; i++)
        cJSON_AddItemToArray(system, text_block(10, true));
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", "hi");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "messages"), m);
    char *body = cJSON_PrintUnformatted(root);
    long status;
    char *reply = post(c.url, "/v1/messages", true, body, &status);
    CHECK(status == 400 && strstr(reply, "invalid_request_error") &&
              strstr(reply, "A maximum of 4 blocks with cache_control may be provided. Found 5."),
          "%ld %s", status, reply);
    char *rec = replay_record(&c);
    CHECK(strstr(rec, "\"turn\":-1,\"status\":400"), "record: %.200s", rec);
    free(rec);
    free(reply);
    free(body);
    cJSON_Delete(root);
out:
    replay_stop(&c);
}

/* An OpenAI body with nmsgs messages of 600 bytes each. */
static char *oai_body(int nmsgs)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", "gpt-test");
    cJSON *msgs = cJSON_AddArrayToObject(root, "messages");
    char text[601];
    memset(text, 'y', 600);
    text[600] = '\0';
    for (int i = 0; i < nmsgs; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", i % 2 ? "assistant" : "user");
        cJSON_AddStringToObject(m, "content", text);
        cJSON_AddItemToArray(msgs, m);
    }
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

static long oai_cached(const struct replay *c, const char *body, long *prompt)
{
    long status;
    char *reply = post(c->url, "/v1/chat/completions", false, body, &status);
    cJSON *o = cJSON_Parse(reply);
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "usage");
    *prompt = num(u, "prompt_tokens", NULL);
    long cached = num(u, "prompt_tokens_details", "cached_tokens");
    CHECK(status == 200, "%ld %s", status, reply);
    cJSON_Delete(o);
    free(reply);
    return cached;
}

TEST(openai_byte_identical_prefix_is_cached_in_steps_of_128)
{
    struct replay c;
    if (!start(&c, "{\"turns\": []}"))
        goto out;
    char *ten = oai_body(10), *twelve = oai_body(12), *short_one = oai_body(4);
    long p1, p2, p3;
    long first = oai_cached(&c, ten, &p1);
    long second = oai_cached(&c, twelve, &p2);
    CHECK(first == 0 && p1 > 1024, "first: cached %ld of %ld", first, p1);
    /* ten's body less its closing "]}" is a byte prefix of twelve's */
    long common = (long)(strlen(ten) - 2) / 4;
    CHECK(second == 1024 + (common - 1024) / 128 * 128 && second <= p2,
          "second: cached %ld of %ld (common prefix %ld tokens)", second, p2, common);
    long third = oai_cached(&c, short_one, &p3); /* under 1024 tokens: never cached */
    CHECK(third == 0, "short: cached %ld of %ld", third, p3);
    free(ten);
    free(twelve);
    free(short_one);
out:
    replay_stop(&c);
}

TEST(context_window_refuses_with_the_protocols_error)
{
    struct replay c;
    if (!start(&c, "{\"turns\": [{\"text\": \"fits\"}], \"context_window\": 1000}"))
        goto out;
    char *big = ant_body(5000, false, 1, false), *small = ant_body(100, false, 1, false);
    long status;
    char *reply = post(c.url, "/v1/messages", true, big, &status);
    char *want = hk_xasprintf("prompt is too long: %zu tokens > 1000 maximum", strlen(big) / 4);
    CHECK(status == 400 && strstr(reply, "\"invalid_request_error\"") && strstr(reply, want),
          "%ld %s", status, reply);
    free(reply);
    free(want);
    char *obig = oai_body(10);
    reply = post(c.url, "/v1/chat/completions", false, obig, &status);
    CHECK(status == 400 && strstr(reply, "\"code\":\"context_length_exceeded\"") &&
              strstr(reply, "maximum context length is 1000 tokens"),
          "%ld %s", status, reply);
    free(reply);
    reply = post(c.url, "/v1/messages", true, small, &status); /* the refusals used no turn */
    CHECK(status == 200 && strstr(reply, "fits"), "%ld %s", status, reply);
    free(reply);
    free(big);
    free(small);
    free(obig);
out:
    replay_stop(&c);
}

TEST(streamed_usage_carries_the_cache_fields)
{
    struct replay c;
    if (!start(&c, "{\"turns\": [], \"cache_min_tokens\": 100}"))
        goto out;
    char *body = ant_body(4000, true, 1, false);
    cJSON *o = cJSON_Parse(body);
    cJSON_AddBoolToObject(o, "stream", 1);
    char *streamed = cJSON_PrintUnformatted(o);
    long status;
    free(post(c.url, "/v1/messages", true, streamed, &status));
    char *reply = post(c.url, "/v1/messages", true, streamed, &status);
    CHECK(status == 200 && strstr(reply, "event: message_start") &&
              strstr(reply, "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":1"),
          "%.600s", reply);
    free(reply);
    free(streamed);
    cJSON_Delete(o);
    free(body);
out:
    replay_stop(&c);
}
