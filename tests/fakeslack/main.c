/* fake-slack: a stand-in for Slack's Web API in the tests. It answers
 * chat.postMessage, chat.update and reactions.add as Slack does, checks the
 * bot token (invalid_auth otherwise), and records every call as one JSON
 * line: {"n", "method", "auth": "ok"|"bad", "status", "body"}.
 *
 *   fake-slack --record FILE --token TOKEN [--fail N] [--ratelimit N]
 *
 * Any other path is a callback receiver: with --hmac-key KEY its record says
 * whether X-Honk-Signature is "sha256=" and the hex HMAC-SHA256 of the raw
 * body keyed with KEY ("signed": "ok" or "bad").
 *
 * The first line on stdout is the API's base URL (http://127.0.0.1:PORT/api).
 * --fail N answers the first N calls with 503, --ratelimit N the next N with
 * 429 and Retry-After: 1, so that retries are seen. Runs until SIGTERM. */
#include "json.h"
/* hk_crypto_load, without the redirection of MHD's names (called directly here) */
#define HK_SERVE_LIBS_LOADER
#include "serve_libs.h"
#include "serve_slack.h"
#include "util.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static FILE *record;
static const char *token, *hmac_key;
static long fail_first, ratelimit_first, calls;

struct pending {
    struct hk_buf body;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, cJSON *answer, int retry)
{
    char *text = hk_json_print(answer);
    cJSON_Delete(answer);
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    if (retry)
        MHD_add_response_header(r, "Retry-After", "1");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static cJSON *answer_for(const char *method, const cJSON *body)
{
    cJSON *a = cJSON_CreateObject();
    const char *channel = hk_json_str(body, "channel");
    if (!strcmp(method, "reactions.add") || !strcmp(method, "chat.postEphemeral")) {
        cJSON_AddTrueToObject(a, "ok");
        return a;
    }
    if (!strcmp(method, "chat.postMessage") || !strcmp(method, "chat.update")) {
        char ts[32];
        snprintf(ts, sizeof ts, "1700000000.%06ld", calls);
        cJSON_AddTrueToObject(a, "ok");
        cJSON_AddStringToObject(a, "channel", channel ? channel : "");
        cJSON_AddStringToObject(a, "ts", !strcmp(method, "chat.update") && hk_json_str(body, "ts")
                                             ? hk_json_str(body, "ts") : ts);
        return a;
    }
    cJSON_AddFalseToObject(a, "ok");
    cJSON_AddStringToObject(a, "error", "unknown_method");
    return a;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls, (void)version, (void)method;
    struct pending *p = *con_cls;
    if (!p) {
        *con_cls = hk_xcalloc(1, sizeof *p);
        return MHD_YES;
    }
    if (*upload_size) {
        hk_buf_add(&p->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    int callback = strncmp(url, "/api/", 5) != 0;
    const char *name = callback ? url : url + 5;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    int auth_ok = auth && !strncmp(auth, "Bearer ", 7) && !strcmp(auth + 7, token);
    cJSON *body = cJSON_ParseWithLength(p->body.data ? p->body.data : "", p->body.len);
    calls++;
    unsigned status = 200;
    int retry = 0;
    cJSON *a;
    if (calls <= fail_first) {
        status = 503;
        a = cJSON_CreateObject();
    } else if (calls <= fail_first + ratelimit_first) {
        status = 429, retry = 1;
        a = cJSON_CreateObject();
        cJSON_AddFalseToObject(a, "ok");
        cJSON_AddStringToObject(a, "error", "ratelimited");
    } else if (!auth_ok) {
        a = cJSON_CreateObject();
        cJSON_AddFalseToObject(a, "ok");
        cJSON_AddStringToObject(a, "error", "invalid_auth");
    } else {
        a = answer_for(name, body);
    }
    cJSON *line = cJSON_CreateObject();
    cJSON_AddNumberToObject(line, "n", (double)calls);
    cJSON_AddStringToObject(line, "method", name);
    cJSON_AddStringToObject(line, "auth", auth_ok ? "ok" : "bad");
    if (callback && hmac_key) {
        const char *got = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Honk-Signature");
        char *mac = hk_hmac_sha256_hex(hmac_key, p->body.data ? p->body.data : "", p->body.len);
        char *want = hk_xasprintf("sha256=%s", mac);
        cJSON_AddStringToObject(line, "signed", got && !strcmp(got, want) ? "ok" : "bad");
        free(mac);
        free(want);
        cJSON_Delete(a);
        a = cJSON_CreateObject();
    }
    cJSON_AddNumberToObject(line, "status", status);
    cJSON_AddItemToObject(line, "body", body ? body : cJSON_CreateString(p->body.data ? p->body.data : ""));
    char *text = hk_json_print(line);
    fprintf(record, "%s\n", text);
    fflush(record);
    free(text);
    cJSON_Delete(line);
    return reply(c, status, a, retry);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    struct pending *p = *con_cls;
    if (p) {
        hk_buf_free(&p->body);
        free(p);
    }
    *con_cls = NULL;
}

static volatile sig_atomic_t quit;
static void on_term(int sig) { (void)sig; quit = 1; }

int main(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--record"))
            path = argv[i + 1];
        else if (!strcmp(argv[i], "--token"))
            token = argv[i + 1];
        else if (!strcmp(argv[i], "--fail"))
            fail_first = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--ratelimit"))
            ratelimit_first = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--hmac-key"))
            hmac_key = argv[i + 1];
    }
    if (!path || !token || !(record = fopen(path, "a"))) {
        fprintf(stderr, "usage: fake-slack --record FILE --token TOKEN [--fail N] [--ratelimit N]\n");
        return 2;
    }
    char *err = NULL;
    if (hmac_key && hk_crypto_load(&err) != 0) {
        fprintf(stderr, "fake-slack: %s\n", err);
        return 1;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL, on_request,
                                            NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "fake-slack: cannot listen\n");
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("http://127.0.0.1:%u/api\n", info ? info->port : 0);
    fflush(stdout);
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    while (!quit)
        pause();
    MHD_stop_daemon(d);
    fclose(record);
    return 0;
}
