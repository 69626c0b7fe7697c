/* Tests of honk-replay: starts the built server on a scenario, talks to it
 * over real HTTP with libcurl and checks what a client of each protocol gets. */
#include "check.h"
#include "support.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

struct resp {
    CURLcode rc;
    long status;
    struct hk_buf body;
    struct hk_buf headers;
    long connects;
};

/* honk-replay through tests/support.h, each outcome checked. */
static bool start(struct replay *c, const char *scenario)
{
    bool ok = replay_start(c, scenario) == 0;
    CHECK(ok && !strncmp(c->url, "http://127.0.0.1:", 17), "no URL line from %s: \"%s\"", replay_binary(),
          c->url);
    return ok;
}

static void stop(struct replay *c)
{
    CHECK(replay_stop(c) == 0, "honk-replay did not exit cleanly");
}

static size_t on_data(char *p, size_t size, size_t n, void *cls)
{
    hk_buf_add(cls, p, size * n);
    return size * n;
}

/* POSTs body to url+path with the given header lines (NULL-terminated). */
static void post_on(CURL *h, struct resp *r, const char *url, const char *path,
                    const char **headers, const char *body)
{
    memset(r, 0, sizeof *r);
    char *full = hk_xasprintf("%s%s", url, path);
    struct curl_slist *list = NULL;
    for (const char **hd = headers; hd && *hd; hd++)
        list = curl_slist_append(list, *hd);
    list = curl_slist_append(list, "content-type: application/json");
    curl_easy_setopt(h, CURLOPT_URL, full);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->headers);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    r->rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &r->connects);
    if (!r->body.data)
        hk_buf_adds(&r->body, "");
    if (!r->headers.data)
        hk_buf_adds(&r->headers, "");
    curl_slist_free_all(list);
    free(full);
}

static void post(struct resp *r, const char *url, const char *path, const char **headers,
                 const char *body)
{
    CURL *h = curl_easy_init();
    post_on(h, r, url, path, headers, body);
    curl_easy_cleanup(h);
}

static void resp_free(struct resp *r)
{
    hk_buf_free(&r->body);
    hk_buf_free(&r->headers);
}

static const char *ant_headers[] = {"x-api-key: sk-ant-secret", "anthropic-version: 2023-06-01",
                                    NULL};
static const char *oai_headers[] = {"Authorization: Bearer sk-secret", NULL};
static const char ant_body[] =
    "{\"model\":\"claude-test\",\"max_tokens\":100,\"stream\":true,"
    "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
static const char oai_body[] =
    "{\"model\":\"gpt-test\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
    "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

/* An SSE body split into events: the names (space-separated) and each data. */
struct sse {
    struct hk_buf names;
    char **data;
    int n, cap;
};

static void sse_parse(struct sse *s, const char *body)
{
    memset(s, 0, sizeof *s);
    const char *p = body;
    while (*p) {
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 64;
            s->data = hk_xrealloc(s->data, (size_t)s->cap * sizeof *s->data);
        }
        const char *end = strstr(p, "\n\n");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *ev = hk_xstrndup(p, len);
        char *data = strstr(ev, "data: ");
        if (!strncmp(ev, "event: ", 7)) {
            if (s->names.len)
                hk_buf_addc(&s->names, ' ');
            hk_buf_add(&s->names, ev + 7, strcspn(ev + 7, "\n"));
        }
        s->data[s->n++] = hk_xstrdup(data ? data + 6 : "");
        free(ev);
        p += len;
        while (*p == '\n')
            p++;
    }
    if (!s->names.data)
        hk_buf_adds(&s->names, "");
}

static void sse_free(struct sse *s)
{
    for (int i = 0; i < s->n; i++)
        free(s->data[i]);
    free(s->data);
    hk_buf_free(&s->names);
}

static const char *jstr(const cJSON *o, const char *path)
{
    /* path like "delta.text": walks objects by dotted keys */
    char *copy = hk_xstrdup(path), *save = NULL;
    const cJSON *v = o;
    for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
        v = cJSON_GetObjectItemCaseSensitive(v, k);
    free(copy);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double jnum(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* Concatenates the Anthropic text deltas (or partial_json when json). */
static char *ant_assemble(const struct sse *s, bool json, int *bad)
{
    struct hk_buf b = {0};
    hk_buf_adds(&b, "");
    for (int i = 0; i < s->n; i++) {
        cJSON *o = cJSON_Parse(s->data[i]);
        if (!o) {
            ++*bad;
            continue;
        }
        const char *t = jstr(o, json ? "delta.partial_json" : "delta.text");
        if (t)
            hk_buf_adds(&b, t);
        cJSON_Delete(o);
    }
    return hk_buf_steal(&b);
}

static bool has_header(const struct resp *r, const char *line)
{
    for (const char *p = r->headers.data; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "")
        if (!strncasecmp(p, line, strlen(line)))
            return true;
    return false;
}

TEST(anthropic_text_stream)
{
    struct replay c;
    if (!start(&c, "{\"turns\":[{\"text\":[\"Hel\",\"lo \\\"wörld\\\"\\n\"]}]}")) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/v1/messages", ant_headers, ant_body);
    CHECK(r.rc == CURLE_OK && r.status == 200, "rc %d status %ld", r.rc, r.status);
    CHECK(has_header(&r, "content-type: text/event-stream"), "headers: %s", r.headers.data);
    struct sse s;
    sse_parse(&s, r.body.data);
    CHECK_STR(s.names.data, "message_start ping content_block_start content_block_delta "
                            "content_block_delta content_block_stop message_delta message_stop");
    int bad = 0;
    char *text = ant_assemble(&s, false, &bad);
    CHECK_STR(text, "Hello \"wörld\"\n");
    CHECK(bad == 0, "%d events were not JSON", bad);
    cJSON *start_ev = cJSON_Parse(s.data[0]), *delta = cJSON_Parse(s.data[s.n - 2]);
    CHECK_STR(jstr(start_ev, "message.model"), "claude-test");
    CHECK_STR(jstr(start_ev, "message.role"), "assistant");
    CHECK_STR(jstr(delta, "delta.stop_reason"), "end_turn");
    CHECK(jnum(delta, "usage", "output_tokens") == 2, "output_tokens");
    cJSON_Delete(start_ev);
    cJSON_Delete(delta);
    free(text);
    sse_free(&s);
    resp_free(&r);
    stop(&c);
}

TEST(openai_text_stream)
{
    struct replay c;
    if (!start(&c, "{\"turns\":[{\"text\":[\"Hel\",\"lo\"]}]}")) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/v1/chat/completions", oai_headers, oai_body);
    CHECK(r.rc == CURLE_OK && r.status == 200, "rc %d status %ld", r.rc, r.status);
    struct sse s;
    sse_parse(&s, r.body.data);
    CHECK(s.n == 6, "%d chunks: %s", s.n, r.body.data);
    struct hk_buf text = {0};
    hk_buf_adds(&text, "");
    for (int i = 0; i < s.n - 1; i++) {
        cJSON *o = cJSON_Parse(s.data[i]);
        const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "choices"), 0);
        const char *t = jstr(ch, "delta.content");
        if (t)
            hk_buf_adds(&text, t);
        if (i == 0)
            CHECK_STR(jstr(ch, "delta.role"), "assistant");
        if (i == 3)
            CHECK_STR(jstr(ch, "finish_reason"), "stop");
        if (i == 4)
            CHECK(jnum(o, "usage", "completion_tokens") == 2 &&
                      cJSON_GetArraySize(cJSON_GetObjectItem(o, "choices")) == 0,
                  "usage chunk: %s", s.data[i]);
        CHECK_STR(jstr(o, "object"), "chat.completion.chunk");
        CHECK_STR(jstr(o, "model"), "gpt-test");
        cJSON_Delete(o);
    }
    CHECK_STR(text.data, "Hello");
    CHECK_STR(s.data[s.n - 1], "[DONE]");
    hk_buf_free(&text);
    sse_free(&s);
    resp_free(&r);
    stop(&c);
}

static const char tool_scenario[] =
    "{\"turns\":[{\"text\":[\"Reading.\"],\"tool_calls\":[{\"id\":\"toolu_1\",\"name\":\"read_file\","
    "\"input\":{\"path\":\"src/ü.c\",\"lines\":[1,2,3],\"why\":\"see \\\"x\\\"\"},\"split\":7},"
    "{\"name\":\"list\",\"input\":{}}]}]}";

TEST(anthropic_tool_fragments)
{
    struct replay c;
    if (!start(&c, tool_scenario)) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/v1/messages", ant_headers, ant_body);
    struct sse s;
    sse_parse(&s, r.body.data);
    CHECK(strstr(s.names.data, "content_block_stop content_block_start content_block_delta "
                               "content_block_delta content_block_delta content_block_delta "
                               "content_block_delta content_block_delta content_block_delta "
                               "content_block_stop content_block_start") != NULL,
          "events: %s", s.names.data);
    struct hk_buf json = {0};
    for (int i = 0; i < s.n; i++) {
        cJSON *o = cJSON_Parse(s.data[i]);
        const char *pj = jstr(o, "delta.partial_json");
        if (pj && jnum(o, "index", NULL) == 1)
            hk_buf_adds(&json, pj);
        if (jstr(o, "content_block.id") && jnum(o, "index", NULL) == 1) {
            CHECK_STR(jstr(o, "content_block.id"), "toolu_1");
            CHECK_STR(jstr(o, "content_block.name"), "read_file");
        }
        if (jstr(o, "content_block.id") && jnum(o, "index", NULL) == 2)
            CHECK_STR(jstr(o, "content_block.id"), "toolu_replay_1");
        if (jstr(o, "delta.stop_reason"))
            CHECK_STR(jstr(o, "delta.stop_reason"), "tool_use");
        cJSON_Delete(o);
    }
    cJSON *got = cJSON_Parse(json.data ? json.data : "");
    cJSON *want = cJSON_Parse("{\"path\":\"src/ü.c\",\"lines\":[1,2,3],\"why\":\"see \\\"x\\\"\"}");
    CHECK(got && cJSON_Compare(got, want, 1), "reassembled input: %s", json.data);
    cJSON_Delete(got);
    cJSON_Delete(want);
    hk_buf_free(&json);
    sse_free(&s);
    resp_free(&r);
    stop(&c);
}

TEST(openai_tool_fragments)
{
    struct replay c;
    if (!start(&c, tool_scenario)) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/chat/completions", oai_headers, oai_body);
    struct sse s;
    sse_parse(&s, r.body.data);
    struct hk_buf args[2] = {{0}, {0}};
    int firsts = 0;
    const char *finish = NULL;
    cJSON *last_finish = NULL;
    for (int i = 0; i < s.n - 1; i++) {
        cJSON *o = cJSON_Parse(s.data[i]);
        const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "choices"), 0);
        const cJSON *tc = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(ch, "delta"),
                                                                 "tool_calls"), 0);
        int idx = (int)jnum(tc, "index", NULL);
        if (tc && idx >= 0 && idx < 2) {
            if (jstr(tc, "id")) {
                firsts++;
                CHECK_STR(jstr(tc, "id"), idx ? "call_replay_1" : "toolu_1");
                CHECK_STR(jstr(tc, "type"), "function");
                CHECK_STR(jstr(tc, "function.name"), idx ? "list" : "read_file");
                CHECK_STR(jstr(tc, "function.arguments"), "");
            } else {
                CHECK(jstr(tc, "function.name") == NULL, "name repeated in a later fragment");
            }
            if (jstr(tc, "function.arguments"))
                hk_buf_adds(&args[idx], jstr(tc, "function.arguments"));
        }
        if (jstr(ch, "finish_reason")) {
            cJSON_Delete(last_finish);
            last_finish = cJSON_Duplicate(ch, 1);
            finish = jstr(last_finish, "finish_reason");
        }
        cJSON_Delete(o);
    }
    CHECK(firsts == 2, "%d first fragments", firsts);
    CHECK_STR(finish, "tool_calls");
    cJSON *got = cJSON_Parse(args[0].data ? args[0].data : "");
    cJSON *want = cJSON_Parse("{\"path\":\"src/ü.c\",\"lines\":[1,2,3],\"why\":\"see \\\"x\\\"\"}");
    CHECK(got && cJSON_Compare(got, want, 1), "reassembled arguments: %s", args[0].data);
    CHECK_STR(args[1].data, "{}");
    cJSON_Delete(got);
    cJSON_Delete(want);
    cJSON_Delete(last_finish);
    hk_buf_free(&args[0]);
    hk_buf_free(&args[1]);
    sse_free(&s);
    resp_free(&r);
    stop(&c);
}

TEST(rate_limit_with_retry_after)
{
    struct replay c;
    if (!start(&c, "{\"turns\":[{\"status\":429,\"retry_after\":2,\"message\":\"slow down\"},"
                   "{\"status\":529},{\"status\":503}]}")) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/v1/messages", ant_headers, ant_body);
    CHECK(r.status == 429, "status %ld", r.status);
    CHECK(has_header(&r, "retry-after: 2"), "headers: %s", r.headers.data);
    cJSON *o = cJSON_Parse(r.body.data);
    CHECK_STR(jstr(o, "type"), "error");
    CHECK_STR(jstr(o, "error.type"), "rate_limit_error");
    CHECK_STR(jstr(o, "error.message"), "slow down");
    cJSON_Delete(o);
    resp_free(&r);
    post(&r, c.url, "/v1/messages", ant_headers, ant_body);
    o = cJSON_Parse(r.body.data);
    CHECK(r.status == 529, "status %ld", r.status);
    CHECK_STR(jstr(o, "error.type"), "overloaded_error");
    cJSON_Delete(o);
    resp_free(&r);
    post(&r, c.url, "/v1/chat/completions", oai_headers, oai_body);
    o = cJSON_Parse(r.body.data);
    CHECK(r.status == 503 && !has_header(&r, "retry-after"), "status %ld", r.status);
    CHECK_STR(jstr(o, "error.type"), "server_error");
    cJSON_Delete(o);
    resp_free(&r);
    stop(&c);
}

TEST(drop_after_bytes_cuts_the_stream)
{
    struct replay c;
    if (!start(&c, "{\"turns\":[{\"repeat\":{\"text\":\"word \",\"count\":500},"
                   "\"drop_after_bytes\":700}]}")) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/v1/messages", ant_headers, ant_body);
    CHECK(r.rc != CURLE_OK, "the transfer succeeded");
    CHECK(r.status == 200, "status %ld", r.status);
    CHECK(r.body.len > 0 && r.body.len <= 700, "%zu bytes received", r.body.len);
    CHECK(strstr(r.body.data, "message_start") != NULL, "body: %s", r.body.data);
    CHECK(strstr(r.body.data, "message_stop") == NULL, "the stream was not cut");
    resp_free(&r);
    stop(&c);
}

TEST(malformed_event_then_normal_stream)
{
    struct replay c;
    if (!start(&c, "{\"turns\":[{\"text\":[\"Hi\",\" there\"],\"malformed\":true}]}")) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/v1/messages", ant_headers, ant_body);
    struct sse s;
    sse_parse(&s, r.body.data);
    int bad = 0;
    char *text = ant_assemble(&s, false, &bad);
    CHECK(bad == 1, "%d unparseable events", bad);
    CHECK_STR(text, "Hi there");
    CHECK(strstr(s.names.data, "message_stop") != NULL, "events: %s", s.names.data);
    free(text);
    sse_free(&s);
    resp_free(&r);
    stop(&c);
}

TEST(error_after_deltas)
{
    struct replay c;
    if (!start(&c, "{\"turns\":[{\"text\":[\"a\",\"b\",\"c\"],\"error_after_deltas\":2},"
                   "{\"text\":[\"a\",\"b\"],\"error_after_deltas\":1,"
                   "\"error\":{\"type\":\"api_error\",\"message\":\"boom\"}}]}")) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/v1/messages", ant_headers, ant_body);
    struct sse s;
    sse_parse(&s, r.body.data);
    CHECK_STR(s.names.data, "message_start ping content_block_start content_block_delta "
                            "content_block_delta error");
    cJSON *o = cJSON_Parse(s.data[s.n - 1]);
    CHECK_STR(jstr(o, "error.type"), "overloaded_error");
    cJSON_Delete(o);
    sse_free(&s);
    resp_free(&r);
    post(&r, c.url, "/v1/chat/completions", oai_headers, oai_body);
    sse_parse(&s, r.body.data);
    o = cJSON_Parse(s.data[s.n - 1]);
    CHECK_STR(jstr(o, "error.message"), "boom");
    CHECK(strstr(r.body.data, "[DONE]") == NULL, "stream went on: %s", r.body.data);
    cJSON_Delete(o);
    sse_free(&s);
    resp_free(&r);
    stop(&c);
}

TEST(default_reply_when_turns_run_out)
{
    struct replay c;
    if (!start(&c, "{\"turns\":[]}")) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/v1/messages", ant_headers, ant_body);
    struct sse s;
    sse_parse(&s, r.body.data);
    int bad = 0;
    char *text = ant_assemble(&s, false, &bad);
    CHECK(strstr(text, "no turns left") != NULL, "text: %s", text);
    CHECK(strstr(r.body.data, "\"end_turn\"") != NULL, "body: %s", r.body.data);
    free(text);
    sse_free(&s);
    resp_free(&r);
    post(&r, c.url, "/v1/chat/completions", oai_headers, oai_body);
    CHECK(strstr(r.body.data, "no turns left") && strstr(r.body.data, "\"stop\"") &&
              strstr(r.body.data, "[DONE]"), "body: %s", r.body.data);
    resp_free(&r);
    stop(&c);
}

TEST(requests_are_checked)
{
    struct replay c;
    if (!start(&c, "{\"turns\":[{\"text\":[\"kept for the good request\"]}]}")) {
        stop(&c);
        return;
    }
    struct resp r;
    const char *no_key[] = {"anthropic-version: 2023-06-01", NULL};
    post(&r, c.url, "/v1/messages", no_key, ant_body);
    cJSON *o = cJSON_Parse(r.body.data);
    CHECK(r.status == 401, "status %ld", r.status);
    CHECK_STR(jstr(o, "error.type"), "authentication_error");
    cJSON_Delete(o);
    resp_free(&r);
    post(&r, c.url, "/v1/messages", ant_headers, "{\"model\":\"m\",\"messages\":[]}");
    CHECK(r.status == 400 && strstr(r.body.data, "max_tokens"), "%ld %s", r.status, r.body.data);
    resp_free(&r);
    post(&r, c.url, "/v1/messages", ant_headers, "{not json");
    CHECK(r.status == 400 && strstr(r.body.data, "invalid_request_error"), "%ld", r.status);
    resp_free(&r);
    post(&r, c.url, "/v1/chat/completions", NULL, oai_body);
    o = cJSON_Parse(r.body.data);
    CHECK(r.status == 401 && jstr(o, "error.message"), "%ld %s", r.status, r.body.data);
    cJSON_Delete(o);
    resp_free(&r);
    post(&r, c.url, "/v2/nothing", oai_headers, oai_body);
    CHECK(r.status == 404 && strstr(r.body.data, "error"), "%ld", r.status);
    resp_free(&r);
    post(&r, c.url, "/v1/chat/completions", oai_headers, oai_body);
    CHECK(strstr(r.body.data, "kept for the good request") != NULL, "body: %s", r.body.data);
    resp_free(&r);
    stop(&c);
}

static cJSON *record_line(const char *path, int n)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    cJSON *o = NULL;
    for (int i = 0; f && getline(&line, &cap, f) > 0; i++)
        if (i == n)
            o = cJSON_Parse(line);
    free(line);
    if (f)
        fclose(f);
    return o;
}

TEST(record_file)
{
    struct replay c;
    if (!start(&c, "{\"turns\":[{\"text\":[\"one\"]},{\"text\":[\"two\"]}]}")) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/v1/messages", ant_headers, ant_body);
    resp_free(&r);
    post(&r, c.url, "/v1/chat/completions", NULL, oai_body); /* refused: no turn used */
    resp_free(&r);
    post(&r, c.url, "/v1/chat/completions", oai_headers, oai_body);
    resp_free(&r);
    cJSON *a = record_line(c.record, 0), *b = record_line(c.record, 1);
    cJSON *o = record_line(c.record, 2);
    CHECK(jnum(a, "n", NULL) == 1 && jnum(a, "turn", NULL) == 0, "first line");
    CHECK_STR(jstr(a, "protocol"), "anthropic");
    CHECK_STR(jstr(a, "path"), "/v1/messages");
    CHECK_STR(jstr(a, "method"), "POST");
    CHECK_STR(jstr(a, "headers.x-api-key"), "[redacted]");
    CHECK_STR(jstr(a, "headers.anthropic-version"), "2023-06-01");
    CHECK_STR(jstr(a, "body.model"), "claude-test");
    CHECK(jnum(b, "turn", NULL) == -1 && !cJSON_GetObjectItem(cJSON_GetObjectItem(b, "headers"),
                                                             "authorization"), "refused line");
    CHECK(jnum(o, "n", NULL) == 3 && jnum(o, "turn", NULL) == 1, "third line");
    CHECK_STR(jstr(o, "headers.authorization"), "[redacted]");
    CHECK_STR(jstr(o, "protocol"), "openai");
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(o);
    stop(&c);
}

TEST(two_megabyte_body_with_expect_continue)
{
    struct replay c;
    if (!start(&c, "{\"turns\":[{\"text\":[\"big\"]}]}")) {
        stop(&c);
        return;
    }
    struct hk_buf body = {0};
    hk_buf_adds(&body, "{\"model\":\"m\",\"max_tokens\":5,\"stream\":true,\"messages\":"
                       "[{\"role\":\"user\",\"content\":\"");
    for (int i = 0; i < 2 * 1024 * 1024 / 16; i++)
        hk_buf_adds(&body, "0123456789abcdef");
    hk_buf_adds(&body, "\"}]}");
    CURL *h = curl_easy_init();
    /* No 100 Continue would leave curl waiting past the whole-transfer timeout. */
    curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, 600000L);
    struct resp r;
    post_on(h, &r, c.url, "/v1/messages", ant_headers, body.data);
    CHECK(r.rc == CURLE_OK && r.status == 200, "rc %d status %ld", r.rc, r.status);
    char want[64];
    snprintf(want, sizeof want, "\"input_tokens\":%zu", body.len / 4);
    CHECK(strstr(r.body.data, want) != NULL, "want %s in %.300s", want, r.body.data);
    resp_free(&r);
    /* the same connection serves the next request (keep-alive) */
    post_on(h, &r, c.url, "/v1/messages", ant_headers, ant_body);
    CHECK(r.rc == CURLE_OK && r.connects == 0, "rc %d, %ld new connections", r.rc, r.connects);
    resp_free(&r);
    curl_easy_cleanup(h);
    cJSON *rec = record_line(c.record, 0);
    CHECK_STR(jstr(rec, "headers.expect"), "100-continue");
    cJSON_Delete(rec);
    hk_buf_free(&body);
    stop(&c);
}

TEST(repeat_stall_and_delay)
{
    struct replay c;
    if (!start(&c, "{\"turns\":[{\"repeat\":{\"text\":\"word \",\"count\":20000}},"
                   "{\"text\":[\"a\",\"b\",\"c\"],\"stall_ms\":200,\"chunk_delay_ms\":50}]}")) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/v1/messages", ant_headers, ant_body);
    struct sse s;
    sse_parse(&s, r.body.data);
    int bad = 0;
    char *text = ant_assemble(&s, false, &bad);
    CHECK(strlen(text) == 5 * 20000 && bad == 0, "%zu bytes of text", strlen(text));
    CHECK(strstr(r.body.data, "\"output_tokens\":20000}") != NULL, "usage");
    free(text);
    sse_free(&s);
    resp_free(&r);
    int64_t t0 = hk_now_ms();
    post(&r, c.url, "/v1/chat/completions", oai_headers, oai_body);
    int64_t took = hk_now_ms() - t0;
    CHECK(took >= 300, "stall and delays took only %lld ms", (long long)took);
    CHECK(strstr(r.body.data, "[DONE]") != NULL, "body: %s", r.body.data);
    resp_free(&r);
    stop(&c);
}

TEST(non_streamed_reply)
{
    struct replay c;
    if (!start(&c, tool_scenario)) {
        stop(&c);
        return;
    }
    struct resp r;
    post(&r, c.url, "/v1/chat/completions", oai_headers,
         "{\"model\":\"gpt-test\",\"messages\":[]}");
    cJSON *o = cJSON_Parse(r.body.data);
    const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "choices"), 0);
    CHECK_STR(jstr(ch, "message.content"), "Reading.");
    CHECK_STR(jstr(ch, "finish_reason"), "tool_calls");
    const cJSON *tc = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(ch, "message"),
                                                             "tool_calls"), 0);
    CHECK_STR(jstr(tc, "function.name"), "read_file");
    cJSON_Delete(o);
    resp_free(&r);
    stop(&c);
}

TEST(bad_scenario_exits_2)
{
    char dir[] = "/tmp/honk-replay-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char *scenario = hk_xasprintf("%s/scenario.json", dir);
    spit(scenario, "{\"turns\":[{\"text\":\"ok\"},{\"text\":[1]}]}");
    char *cmd = hk_xasprintf("'%s' '%s' 2>&1", replay_binary(), scenario);
    FILE *p = popen(cmd, "r");
    char line[512] = "";
    if (p && !fgets(line, sizeof line, p))
        line[0] = '\0';
    int status = p ? pclose(p) : -1;
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d", status);
    CHECK(strstr(line, scenario) && strstr(line, "turn 2") && strstr(line, "text"), "stderr: %s",
          line);
    unlink(scenario);
    rmdir(dir);
    free(scenario);
    free(cmd);
}
