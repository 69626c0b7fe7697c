/* honk-replay's command line: loads the scenario, starts the server, prints
 * its base URL and serves until SIGTERM or SIGINT. */
#include "replay.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "NAME\n"
    "    honk-replay - a scripted model server for honk's tests and offline demo\n"
    "\n"
    "SYNOPSIS\n"
    "    honk-replay [--port N] [--record FILE] [--log-deltas FILE] SCENARIO.json\n"
    "    honk-replay --help\n"
    "\n"
    "DESCRIPTION\n"
    "    Serves the Anthropic Messages API (POST /v1/messages) and the OpenAI Chat\n"
    "    Completions API (POST /v1/chat/completions and /chat/completions) on\n"
    "    127.0.0.1, answering each request with the next turn of SCENARIO.json, and\n"
    "    a short default reply once the turns run out. Requests are checked like the\n"
    "    real services do (API key header, required fields). The first line written\n"
    "    to standard output is the base URL, http://127.0.0.1:PORT. The server runs\n"
    "    until SIGTERM or SIGINT and then exits 0.\n"
    "\n"
    "    The scenario format is described in tests/scenarios/README.md: per turn\n"
    "    \"text\" chunks, \"tool_calls\", \"repeat\", \"stop_reason\", \"usage\", and the\n"
    "    faults \"status\"/\"retry_after\"/\"message\", \"drop_after_bytes\", \"stall_ms\",\n"
    "    \"chunk_delay_ms\", \"malformed\", \"error_after_deltas\"/\"error\"; beside\n"
    "    \"turns\", \"cache_min_tokens\" and \"cache_ttl_s\" (prompt caching, counted in\n"
    "    usage as the providers bill it) and \"context_window\" (a longer request\n"
    "    gets the protocol's too-long error; GET /v1/models reports it as vLLM\n"
    "    does, in max_model_len).\n"
    "\n"
    "OPTIONS\n"
    "    --port N       listen on port N (default 0: an ephemeral port)\n"
    "    --record FILE  append one JSON line per request received to FILE; the\n"
    "                   x-api-key and authorization header values are redacted\n"
    "    --log-deltas FILE  write one line per text delta as it goes out:\n"
    "                   CLOCK_MONOTONIC nanoseconds, a space, the delta's text\n"
    "    --help         show this text\n"
    "\n"
    "EXIT STATUS\n"
    "    0 after SIGTERM/SIGINT; 2 for bad usage, a bad scenario or a busy port.\n";

struct args {
    int port;
    const char *record;
    const char *log_deltas;
    const char *scenario;
};

static int bad_usage(const char *why)
{
    fprintf(stderr, "honk-replay: %s\nusage: honk-replay [--port N] [--record FILE] "
                    "SCENARIO.json (see --help)\n", why);
    return 2;
}

/* Returns -1 on success, else the exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if ((!strcmp(arg, "--port") || !strcmp(arg, "--record") || !strcmp(arg, "--log-deltas")) &&
            i + 1 >= argc)
            return bad_usage("an option needs a value");
        if (!strcmp(arg, "--port")) {
            char *end;
            long port = strtol(argv[++i], &end, 10);
            if (*end || port < 0 || port > 65535)
                return bad_usage("--port needs a number from 0 to 65535");
            a->port = (int)port;
        } else if (!strcmp(arg, "--record")) {
            a->record = argv[++i];
        } else if (!strcmp(arg, "--log-deltas")) {
            a->log_deltas = argv[++i];
        } else if (arg[0] == '-' && arg[1]) {
            return bad_usage("unknown option");
        } else if (a->scenario) {
            return bad_usage("only one scenario file");
        } else {
            a->scenario = arg;
        }
    }
    return a->scenario ? -1 : bad_usage("a scenario file is required");
}

static void wait_for_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig;
    sigwait(&set, &sig);
}

int main(int argc, char **argv)
{
    struct args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    struct scenario sc;
    char *err = NULL;
    if (!replay_scenario_load(&sc, a.scenario, &err)) {
        fprintf(stderr, "honk-replay: %s\n", err);
        free(err);
        return 2;
    }
    /* Blocked before the server's threads start, so they inherit the mask
     * and only sigwait() sees the signals. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    FILE *log = a.log_deltas ? fopen(a.log_deltas, "w") : NULL;
    if (a.log_deltas && !log) {
        fprintf(stderr, "honk-replay: %s: cannot open the delta log\n", a.log_deltas);
        replay_scenario_free(&sc);
        return 2;
    }
    replay_stream_log_deltas(log);
    struct server_opts o = {.port = a.port, .record_path = a.record, .sc = &sc};
    struct replay_server *srv = replay_server_start(&o, &err);
    if (!srv) {
        fprintf(stderr, "honk-replay: %s\n", err);
        free(err);
        replay_scenario_free(&sc);
        if (log)
            fclose(log);
        return 2;
    }
    printf("http://127.0.0.1:%d\n", replay_server_port(srv));
    fflush(stdout);
    wait_for_signal();
    replay_server_stop(srv);
    replay_scenario_free(&sc);
    if (log)
        fclose(log);
    return 0;
}
