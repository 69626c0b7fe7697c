/* Asking an OpenAI-compatible server for its context window, on the loop:
 * vLLM's GET /v1/models (honk-replay plays it), llama.cpp's GET /props (a
 * small server on the test's own loop plays it), and servers that report
 * nothing, or cannot be reached, giving no figure. */
#include "check.h"
#include "loop.h"
#include "model.h"
#include "model_window.h"
#include "support.h"
#include "util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

struct answer {
    long window;
    int calls;
};

static void on_window(long window, void *user)
{
    struct answer *a = user;
    a->window = window;
    a->calls++;
}

static void settings_for(struct hk_model_settings *s, enum hk_provider p, const char *base, const char *model)
{
    memset(s, 0, sizeof *s);
    s->provider = p;
    s->model = hk_xstrdup(model);
    s->base_url = hk_xstrdup(base);
    s->api_key = hk_xstrdup("sk-window-test");
}

/* Runs the loop until the probe has answered (or ten seconds). */
static void probe(const char *base, const char *model, struct answer *a)
{
    struct hk_loop *loop = hk_loop_new();
    struct hk_model_settings s;
    settings_for(&s, HK_PROVIDER_OPENAI, base, model);
    struct hk_window_probe *p = hk_window_probe_start(loop, &s, on_window, a);
    CHECK(p != NULL, "a probe started");
    int64_t deadline = hk_now_ms() + 10000;
    while (p && !a->calls && hk_now_ms() < deadline)
        hk_loop_run_once(loop, 100);
    hk_window_probe_free(p);
    hk_model_settings_free(&s);
    hk_loop_free(loop);
}

TEST(vllm_models_list_gives_max_model_len)
{
    struct replay r;
    CHECK(replay_start(&r, "{\"context_window\":20000,\"turns\":[]}") == 0, "honk-replay started");
    char base[160];
    snprintf(base, sizeof base, "%s/v1/", r.url);
    struct answer a = {0};
    probe(base, "local-coder", &a);
    char *record = replay_record(&r);
    CHECK(a.calls == 1 && a.window == 20000, "%d calls, window %ld", a.calls, a.window);
    CHECK(strstr(record, "\"method\":\"GET\",\"path\":\"/v1/models\""), "record: %s", record);
    CHECK(count_substr(record, "\"n\":") == 1, "asked once: %s", record);
    CHECK(strstr(record, "\"authorization\":\"[redacted]\""), "with the key: %s", record);
    free(record);
    CHECK(replay_stop(&r) == 0, "honk-replay exited cleanly");
}

TEST(no_figure_anywhere_gives_none)
{
    struct replay r;
    CHECK(replay_start(&r, "{\"turns\":[]}") == 0, "honk-replay started");
    struct answer a = {0};
    probe(r.url, "honk-replay", &a);
    char *record = replay_record(&r);
    CHECK(a.calls == 1 && a.window == 0, "%d calls, window %ld", a.calls, a.window);
    CHECK(strstr(record, "\"path\":\"/models\"") && strstr(record, "\"path\":\"/props\",\"protocol\":null,\"turn\":-1,\"status\":404"),
          "models, then props: %s", record);
    free(record);
    CHECK(replay_stop(&r) == 0, "honk-replay exited cleanly");
}

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

TEST(unreachable_server_gives_none)
{
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v1", closed_port());
    struct answer a = {0};
    probe(base, "m", &a);
    CHECK(a.calls == 1 && a.window == 0, "%d calls, window %ld", a.calls, a.window);
}

TEST(anthropic_is_not_asked)
{
    struct hk_loop *loop = hk_loop_new();
    struct hk_model_settings s;
    settings_for(&s, HK_PROVIDER_ANTHROPIC, "http://127.0.0.1:9", "claude-x");
    struct answer a = {0};
    CHECK(hk_window_probe_start(loop, &s, on_window, &a) == NULL, "no probe");
    hk_model_settings_free(&s);
    hk_loop_free(loop);
}

/* llama.cpp's server, as far as the probe sees it: no max_model_len in its
 * model list, its window in /props at the root. Runs on the test's loop. */
struct fake {
    struct hk_loop *loop;
    int listener;
    struct hk_buf seen; /* the request lines, in order */
    struct hk_buf req;
};

static void reply(int fd, const char *status, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof head, "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                                        "Connection: close\r\n\r\n", status, strlen(body));
    if (write(fd, head, (size_t)n) != n || write(fd, body, strlen(body)) != (ssize_t)strlen(body))
        return;
}

static void on_client(struct hk_loop *loop, int fd, short revents, void *data)
{
    struct fake *f = data;
    (void)revents;
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0)
        hk_buf_add(&f->req, buf, (size_t)n);
    if (n > 0 && !strstr(f->req.data, "\r\n\r\n"))
        return;
    if (n > 0) {
        char *eol = strstr(f->req.data, "\r\n");
        hk_buf_printf(&f->seen, "%.*s\n", (int)(eol - f->req.data), f->req.data);
        if (!strncmp(f->req.data, "GET /props ", 11))
            reply(fd, "200 OK", "{\"default_generation_settings\":{\"n_ctx\":8192,\"temperature\":0.8},\"total_slots\":1}");
        else if (!strncmp(f->req.data, "GET /v1/models ", 15))
            reply(fd, "200 OK", "{\"object\":\"list\",\"data\":[{\"id\":\"qwen.gguf\",\"object\":\"model\",\"meta\":{\"n_ctx_train\":32768}}]}");
        else
            reply(fd, "404 Not Found", "{\"error\":{\"code\":404,\"message\":\"File Not Found\"}}");
    }
    hk_buf_clear(&f->req);
    hk_loop_unwatch_fd(loop, fd);
    close(fd);
}

static void on_accept(struct hk_loop *loop, int fd, short revents, void *data)
{
    (void)revents;
    int c = accept(fd, NULL, NULL);
    if (c >= 0)
        hk_loop_watch_fd(loop, c, POLLIN, on_client, data);
}

TEST(llama_cpp_props_give_n_ctx)
{
    struct hk_loop *loop = hk_loop_new();
    struct fake f = {.loop = loop, .listener = socket(AF_INET, SOCK_STREAM, 0)};
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    CHECK(bind(f.listener, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(f.listener, 4) == 0 &&
          getsockname(f.listener, (struct sockaddr *)&sa, &len) == 0, "listening");
    hk_loop_watch_fd(loop, f.listener, POLLIN, on_accept, &f);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v1", ntohs(sa.sin_port));
    struct hk_model_settings s;
    settings_for(&s, HK_PROVIDER_OPENAI, base, "qwen");
    struct answer a = {0};
    struct hk_window_probe *p = hk_window_probe_start(loop, &s, on_window, &a);
    int64_t deadline = hk_now_ms() + 10000;
    while (!a.calls && hk_now_ms() < deadline)
        hk_loop_run_once(loop, 100);
    CHECK(a.calls == 1 && a.window == 8192, "%d calls, window %ld", a.calls, a.window);
    CHECK(f.seen.data && !strcmp(f.seen.data, "GET /v1/models HTTP/1.1\nGET /props HTTP/1.1\n"), "asked: %s",
          f.seen.data ? f.seen.data : "");
    hk_window_probe_free(p);
    hk_loop_unwatch_fd(loop, f.listener);
    close(f.listener);
    hk_buf_free(&f.seen);
    hk_buf_free(&f.req);
    hk_model_settings_free(&s);
    hk_loop_free(loop);
}

TEST(freed_while_out_never_calls_back)
{
    struct replay r;
    CHECK(replay_start(&r, "{\"context_window\":20000,\"turns\":[]}") == 0, "honk-replay started");
    struct hk_loop *loop = hk_loop_new();
    struct hk_model_settings s;
    settings_for(&s, HK_PROVIDER_OPENAI, r.url, "m");
    struct answer a = {0};
    struct hk_window_probe *p = hk_window_probe_start(loop, &s, on_window, &a);
    hk_loop_run_once(loop, 0);
    hk_window_probe_free(p);
    for (int i = 0; i < 5; i++)
        hk_loop_run_once(loop, 20);
    CHECK(a.calls == 0, "%d calls", a.calls);
    hk_model_settings_free(&s);
    hk_loop_free(loop);
    CHECK(replay_stop(&r) == 0, "honk-replay exited cleanly");
}
