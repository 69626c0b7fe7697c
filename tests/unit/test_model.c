/* The model client against a real HTTP server (honk-replay) in both wire
 * protocols: streamed text, tool calls in fragments, tool results sent back,
 * retries, faults mid-reply, malformed events, timeouts and cancel. */
#include "check.h"
#include "loop.h"
#include "model.h"
#include "support.h"
#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

struct outcome {
    struct hk_buf text;
    struct hk_buf calls;   /* "name(input)\n" per call */
    struct hk_buf retries; /* one line per retry announcement */
    enum hk_model_event_kind final;
    char *message;
    long input_tokens, output_tokens;
    int finished;
    int cancel_after_text;
    struct hk_model_request *req;
};

static void on_event(const struct hk_model_event *ev, void *user)
{
    struct outcome *o = user;
    switch (ev->kind) {
    case HK_MODEL_TEXT:
        hk_buf_add(&o->text, ev->text, ev->len);
        if (o->cancel_after_text && o->text.len >= (size_t)o->cancel_after_text)
            hk_model_request_cancel(o->req);
        return;
    case HK_MODEL_TOOL_CALL:
        hk_buf_printf(&o->calls, "%s %s(%s)\n", ev->call->id, ev->call->name, ev->call->input_json);
        return;
    case HK_MODEL_RETRY:
        hk_buf_printf(&o->retries, "%s\n", ev->message);
        return;
    default:
        o->final = ev->kind;
        o->message = ev->message ? hk_xstrdup(ev->message) : NULL;
        o->input_tokens = ev->input_tokens;
        o->output_tokens = ev->output_tokens;
        o->finished = 1;
    }
}

static void settings_for(struct hk_model_settings *s, enum hk_provider p, const char *url)
{
    memset(s, 0, sizeof *s);
    s->provider = p;
    s->model = hk_xstrdup("replay-model");
    s->base_url = p == HK_PROVIDER_OPENAI ? hk_xasprintf("%s/v1", url) : hk_xstrdup(url);
    s->api_key = hk_xstrdup("sk-test-secret-0123");
    s->max_tokens = 1000;
    s->max_tries = 3;
    s->timeout_ms = 5000;
    s->retry_base_ms = 50;
}

/* Runs one turn of conv against the server until a final event. */
static void run_turn(struct hk_loop *loop, struct hk_conversation *conv,
                     const struct hk_model_settings *s, struct outcome *o)
{
    o->req = hk_model_request_start(loop, conv, s, on_event, o);
    int64_t deadline = hk_now_ms() + 30000;
    while (!o->finished && hk_now_ms() < deadline)
        hk_loop_run_once(loop, 100);
    CHECK(o->finished, "the turn finished");
    hk_model_request_free(o->req);
    o->req = NULL;
}

static void outcome_free(struct outcome *o)
{
    hk_buf_free(&o->text);
    hk_buf_free(&o->calls);
    hk_buf_free(&o->retries);
    free(o->message);
    memset(o, 0, sizeof *o);
}

/* One scenario, one turn, in the given protocol; returns the record. */
static char *one_turn(enum hk_provider p, const char *scenario, struct outcome *o,
                      struct hk_conversation *conv, long timeout_ms)
{
    struct replay r;
    CHECK(replay_start(&r, scenario) == 0, "honk-replay started (%s)", r.url);
    struct hk_loop *loop = hk_loop_new();
    struct hk_model_settings s;
    settings_for(&s, p, r.url);
    if (timeout_ms)
        s.timeout_ms = timeout_ms;
    run_turn(loop, conv, &s, o);
    char *record = replay_record(&r);
    hk_model_settings_free(&s);
    hk_loop_free(loop);
    CHECK(replay_stop(&r) == 0, "honk-replay exited cleanly");
    return record;
}

static const enum hk_provider both[] = {HK_PROVIDER_ANTHROPIC, HK_PROVIDER_OPENAI};

TEST(plain_text_streams_in_both_protocols)
{
    for (int i = 0; i < 2; i++) {
        struct outcome o = {0};
        struct hk_conversation *conv = hk_conv_new("You are terse.");
        hk_conv_add_user_text(conv, "say hello");
        char *rec = one_turn(both[i], "{\"turns\":[{\"text\":[\"Hel\",\"lo, \",\"wor\",\"ld\"]}]}", &o, conv, 0);
        CHECK(o.final == HK_MODEL_DONE, "%s: final %d %s", hk_provider_name(both[i]), o.final, o.message);
        CHECK_STR(o.text.data, "Hello, world");
        CHECK(o.output_tokens > 0, "usage counted (%ld)", o.output_tokens);
        CHECK(conv->nmsgs == 2 && conv->msgs[1].role == HK_ROLE_ASSISTANT, "the turn joined the conversation");
        CHECK_STR(conv->msgs[1].text, "Hello, world");
        CHECK(strstr(rec, "\"stream\":true"), "streaming requested");
        CHECK(strstr(rec, "You are terse."), "system prompt sent");
        CHECK(strstr(rec, "\"model\":\"replay-model\""), "model sent");
        CHECK(!strstr(rec, "sk-test-secret"), "the key is redacted by the recorder");
        if (both[i] == HK_PROVIDER_ANTHROPIC) {
            CHECK(strstr(rec, "\"x-api-key\":\"[redacted]\""), "x-api-key sent: %s", rec);
            CHECK(strstr(rec, "\"anthropic-version\":\"2023-06-01\""), "version header sent");
            CHECK(strstr(rec, "\"max_tokens\":1000"), "max_tokens sent");
        } else {
            CHECK(strstr(rec, "\"authorization\":\"[redacted]\""), "bearer sent: %s", rec);
            CHECK(strstr(rec, "\"path\":\"/v1/chat/completions\""), "path");
            CHECK(strstr(rec, "\"include_usage\":true"), "usage requested");
        }
        free(rec);
        hk_conv_free(conv);
        outcome_free(&o);
    }
}

TEST(tool_calls_assemble_from_fragments_and_results_go_back)
{
    const char *scenario =
        "{\"turns\":["
        "{\"text\":[\"Reading.\"],\"tool_calls\":["
        "{\"id\":\"call_a\",\"name\":\"read_file\",\"input\":{\"path\":\"src/main.c\",\"lines\":[1,40]},\"split\":9},"
        "{\"id\":\"call_b\",\"name\":\"search\",\"input\":{\"pattern\":\"a\\\"quoted\\\" \\u00e9\"},\"split\":13}]},"
        "{\"text\":[\"Done.\"]}]}";
    for (int i = 0; i < 2; i++) {
        struct replay r;
        CHECK(replay_start(&r, scenario) == 0, "replay");
        struct hk_loop *loop = hk_loop_new();
        struct hk_model_settings s;
        settings_for(&s, both[i], r.url);
        struct hk_conversation *conv = hk_conv_new(NULL);
        hk_conv_add_tool(conv, "read_file", "Read a file", "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"}}}");
        hk_conv_add_tool(conv, "search", "Search", "{\"type\":\"object\"}");
        hk_conv_add_user_text(conv, "look at main");
        struct outcome o = {0};
        run_turn(loop, conv, &s, &o);
        CHECK(o.final == HK_MODEL_DONE, "%s: %s", hk_provider_name(both[i]), o.message);
        CHECK_STR(o.calls.data, "call_a read_file({\"path\":\"src/main.c\",\"lines\":[1,40]})\n"
                                "call_b search({\"pattern\":\"a\\\"quoted\\\" \xc3\xa9\"})\n");
        hk_conv_add_tool_result(conv, "call_a", "1: int main(void)", 0);
        hk_conv_add_tool_result(conv, "call_b", "no matches", 1);
        struct outcome o2 = {0};
        run_turn(loop, conv, &s, &o2);
        CHECK_STR(o2.text.data, "Done.");
        char *rec = replay_record(&r);
        const char *second = strchr(rec, '\n');
        second = second ? second + 1 : "";
        if (both[i] == HK_PROVIDER_ANTHROPIC) {
            CHECK(strstr(rec, "\"input_schema\""), "tool schema sent");
            CHECK(strstr(second, "\"type\":\"tool_use\",\"id\":\"call_a\",\"name\":\"read_file\""), "the call is replayed: %s", second);
            CHECK(strstr(second, "\"type\":\"tool_result\",\"tool_use_id\":\"call_a\",\"content\":\"1: int main(void)\""), "result: %s", second);
            CHECK(strstr(second, "\"tool_use_id\":\"call_b\",\"content\":\"no matches\",\"is_error\":true"), "error result");
        } else {
            CHECK(strstr(rec, "\"parameters\""), "tool schema sent");
            CHECK(strstr(second, "\"tool_calls\":[{\"id\":\"call_a\",\"type\":\"function\""), "the call is replayed: %s", second);
            CHECK(strstr(second, "\"role\":\"tool\",\"tool_call_id\":\"call_a\",\"content\":\"1: int main(void)\""), "result: %s", second);
        }
        free(rec);
        outcome_free(&o);
        outcome_free(&o2);
        hk_conv_free(conv);
        hk_model_settings_free(&s);
        hk_loop_free(loop);
        CHECK(replay_stop(&r) == 0, "replay exit");
    }
}

TEST(rate_limit_with_retry_after_then_success)
{
    for (int i = 0; i < 2; i++) {
        struct outcome o = {0};
        struct hk_conversation *conv = hk_conv_new(NULL);
        hk_conv_add_user_text(conv, "hi");
        int64_t start = hk_now_ms();
        char *rec = one_turn(both[i], "{\"turns\":[{\"status\":429,\"retry_after\":1,\"message\":\"slow down\"},"
                                      "{\"text\":[\"ok\"]}]}", &o, conv, 0);
        CHECK(o.final == HK_MODEL_DONE, "final %s", o.message);
        CHECK_STR(o.text.data, "ok");
        CHECK(strstr(o.retries.data ? o.retries.data : "", "HTTP 429") &&
              strstr(o.retries.data, "slow down") && strstr(o.retries.data, "retrying in 1.0 s (try 2 of 3)"),
              "retry announced: %s", o.retries.data);
        CHECK(hk_now_ms() - start >= 1000, "Retry-After was honoured");
        CHECK(count_substr(rec, "\"method\":\"POST\"") == 2, "two requests");
        free(rec);
        hk_conv_free(conv);
        outcome_free(&o);
    }
}

TEST(server_errors_until_tries_run_out)
{
    for (int i = 0; i < 2; i++) {
        struct outcome o = {0};
        struct hk_conversation *conv = hk_conv_new(NULL);
        hk_conv_add_user_text(conv, "hi");
        char *rec = one_turn(both[i], "{\"turns\":[{\"status\":500,\"message\":\"boom\"},{\"status\":529,\"message\":\"Overloaded\"},"
                                      "{\"status\":500,\"message\":\"boom again\"},{\"text\":[\"never\"]}]}", &o, conv, 0);
        CHECK(o.final == HK_MODEL_ERROR, "error after the last try");
        CHECK(o.message && strstr(o.message, "HTTP 500") && strstr(o.message, "boom again") &&
              strstr(o.message, "gave up after 3 tries"), "message: %s", o.message);
        CHECK(count_substr(o.retries.data ? o.retries.data : "", "retrying") == 2, "two retries announced");
        CHECK(count_substr(rec, "\"method\":\"POST\"") == 3, "three requests");
        free(rec);
        hk_conv_free(conv);
        outcome_free(&o);
    }
}

TEST(client_errors_are_not_retried)
{
    struct outcome o = {0};
    struct hk_conversation *conv = hk_conv_new(NULL);
    hk_conv_add_user_text(conv, "hi");
    char *rec = one_turn(HK_PROVIDER_ANTHROPIC, "{\"turns\":[{\"status\":400,\"message\":\"messages: bad\"}]}", &o, conv, 0);
    CHECK(o.final == HK_MODEL_ERROR && strstr(o.message, "invalid_request_error: messages: bad"), "%s", o.message);
    CHECK(!o.retries.len, "no retry for a 400");
    free(rec);
    hk_conv_free(conv);
    outcome_free(&o);
}

TEST(connection_dropped_mid_stream_keeps_partial_text)
{
    for (int i = 0; i < 2; i++) {
        struct outcome o = {0};
        struct hk_conversation *conv = hk_conv_new(NULL);
        hk_conv_add_user_text(conv, "hi");
        char *rec = one_turn(both[i], "{\"turns\":[{\"text\":[\"partial \",\"answer \",\"lost\",\"x\",\"y\",\"z\"],"
                                      "\"drop_after_bytes\":700,\"chunk_delay_ms\":5}]}", &o, conv, 0);
        CHECK(o.final == HK_MODEL_ERROR, "%s: a broken reply is an error", hk_provider_name(both[i]));
        CHECK(o.message && strstr(o.message, "mid-reply"), "message: %s", o.message);
        CHECK(o.text.len > 0 && strncmp(o.text.data, "partial ", o.text.len < 8 ? o.text.len : 8) == 0,
              "partial text: %s", o.text.data);
        CHECK(conv->nmsgs == 2 && !strcmp(conv->msgs[1].text, o.text.data), "partial text stays in the conversation");
        CHECK(count_substr(rec, "\"method\":\"POST\"") == 1, "not retried once the reply began");
        free(rec);
        hk_conv_free(conv);
        outcome_free(&o);
    }
}

TEST(malformed_event_ends_the_turn_clearly)
{
    for (int i = 0; i < 2; i++) {
        struct outcome o = {0};
        struct hk_conversation *conv = hk_conv_new(NULL);
        hk_conv_add_user_text(conv, "hi");
        char *rec = one_turn(both[i], "{\"turns\":[{\"text\":[\"good \",\"more\"],\"malformed\":true}]}", &o, conv, 0);
        CHECK(o.final == HK_MODEL_ERROR && strstr(o.message, "malformed event"), "message: %s", o.message);
        CHECK_STR(o.text.data, "good ");
        free(rec);
        hk_conv_free(conv);
        outcome_free(&o);
    }
}

TEST(error_event_mid_stream)
{
    for (int i = 0; i < 2; i++) {
        struct outcome o = {0};
        struct hk_conversation *conv = hk_conv_new(NULL);
        hk_conv_add_user_text(conv, "hi");
        char *rec = one_turn(both[i], "{\"turns\":[{\"text\":[\"a\",\"b\",\"c\"],\"error_after_deltas\":2,"
                                      "\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}]}", &o, conv, 0);
        CHECK(o.final == HK_MODEL_ERROR && strstr(o.message, "Overloaded"), "message: %s", o.message);
        CHECK_STR(o.text.data, "ab");
        free(rec);
        hk_conv_free(conv);
        outcome_free(&o);
    }
}

TEST(stall_before_reply_times_out_and_retries)
{
    struct outcome o = {0};
    struct hk_conversation *conv = hk_conv_new(NULL);
    hk_conv_add_user_text(conv, "hi");
    char *rec = one_turn(HK_PROVIDER_OPENAI, "{\"turns\":[{\"stall_ms\":1500,\"text\":[\"late\"]},{\"text\":[\"fresh\"]}]}",
                         &o, conv, 300);
    CHECK(o.final == HK_MODEL_DONE, "%s", o.message);
    CHECK_STR(o.text.data, "fresh");
    CHECK(strstr(o.retries.data ? o.retries.data : "", "sent nothing for 0.3 s"), "retries: %s", o.retries.data);
    free(rec);
    hk_conv_free(conv);
    outcome_free(&o);
}

TEST(cancel_mid_stream)
{
    for (int i = 0; i < 2; i++) {
        struct outcome o = {.cancel_after_text = 3};
        struct hk_conversation *conv = hk_conv_new(NULL);
        hk_conv_add_user_text(conv, "hi");
        char *rec = one_turn(both[i], "{\"turns\":[{\"text\":[\"one \",\"two \",\"three \",\"four\"],\"chunk_delay_ms\":50}]}",
                             &o, conv, 0);
        CHECK(o.final == HK_MODEL_CANCELLED, "final %d", o.final);
        CHECK_STR(o.text.data, "one ");
        CHECK(conv->nmsgs == 1, "a cancelled turn adds nothing");
        free(rec);
        hk_conv_free(conv);
        outcome_free(&o);
    }
}

/* A port that was free a moment ago, so nothing listens on it. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

TEST(refused_connection_is_retried_then_reported)
{
    struct hk_loop *loop = hk_loop_new();
    struct hk_model_settings s;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
    settings_for(&s, HK_PROVIDER_ANTHROPIC, url);
    struct hk_conversation *conv = hk_conv_new(NULL);
    hk_conv_add_user_text(conv, "hi");
    struct outcome o = {0};
    run_turn(loop, conv, &s, &o);
    CHECK(o.final == HK_MODEL_ERROR && o.message && strstr(o.message, "cannot reach the model server") &&
          strstr(o.message, "gave up after 3 tries"), "final %d: %s", o.final, o.message);
    outcome_free(&o);
    hk_conv_free(conv);
    hk_model_settings_free(&s);
    hk_loop_free(loop);
}

/* Each child draws a few delays as another honk process would; with an
 * unseeded generator (or one seeded before the fork) both draw the same. */
static int child_jitters(long out[4])
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        long v[4];
        for (int i = 0; i < 4; i++)
            v[i] = hk_model_jitter_ms(60000);
        ssize_t w = write(fds[1], v, sizeof v);
        _exit(w == (ssize_t)sizeof v ? 0 : 1);
    }
    close(fds[1]);
    ssize_t n = read(fds[0], out, 4 * sizeof *out);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return n == (ssize_t)(4 * sizeof *out) ? 0 : -1;
}

TEST(retry_jitter_differs_between_processes)
{
    long a[4], b[4];
    hk_model_jitter_ms(1000); /* seeds the parent's generator before the forks */
    CHECK(child_jitters(a) == 0 && child_jitters(b) == 0, "a child did not report");
    CHECK(memcmp(a, b, sizeof a) != 0, "two processes drew the same delays %ld %ld %ld %ld", a[0], a[1], a[2],
          a[3]);
    for (int i = 0; i < 4; i++)
        CHECK(a[i] >= 30000 && a[i] <= 60000 && b[i] >= 30000 && b[i] <= 60000, "delay %ld / %ld out of range",
              a[i], b[i]);
}
