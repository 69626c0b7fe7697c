/* `honk ask PROMPT`: one question, the answer streamed to stdout as it
 * arrives, like `claude -p` or `llm`. Progress and errors go to stderr. */
#include "commands.h"
#include "flags.h"
#include "loop.h"
#include "model.h"
#include "read_all.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a process ended by SIGPIPE reports, as `git log | head` does: the
 * reader has all it wanted, which is no failure worth a sentence. */
enum { HK_EXIT_PIPE_CLOSED = 128 + SIGPIPE };

struct ask {
    struct hk_loop *loop;
    struct hk_model_request *req;
    int status;
    int done;
    int wrote_text;
    int ends_with_newline;
    int pipe_closed; /* whoever read stdout stopped reading */
};

static void pipe_closed(struct ask *ask)
{
    ask->pipe_closed = 1;
    ask->status = HK_EXIT_PIPE_CLOSED;
    hk_model_request_cancel(ask->req);
}

static void on_model_event(const struct hk_model_event *ev, void *user)
{
    struct ask *ask = user;
    switch (ev->kind) {
    case HK_MODEL_TEXT:
        if (ask->pipe_closed)
            return;
        if (fwrite(ev->text, 1, ev->len, stdout) != ev->len) {
            pipe_closed(ask);
            return;
        }
        ask->wrote_text = 1;
        ask->ends_with_newline = ev->text[ev->len - 1] == '\n';
        return;
    case HK_MODEL_TOOL_CALL:
        fprintf(stderr, "honk: the model asked for tool \"%s\", which honk ask does not offer\n",
                ev->call->name);
        return;
    case HK_MODEL_RETRY:
        fprintf(stderr, "honk: %s\n", ev->message);
        return;
    case HK_MODEL_DONE:
        if (ev->stop_reason && (!strcmp(ev->stop_reason, "max_tokens") || !strcmp(ev->stop_reason, "length")))
            fprintf(stderr, "honk: the answer was cut at the token limit (--max-tokens, honk.maxTokens)\n");
        ask->status = HK_EXIT_OK;
        break;
    case HK_MODEL_ERROR:
        ask->status = HK_EXIT_FAILED;
        break;
    case HK_MODEL_CANCELLED:
        ask->status = ask->status ? ask->status : HK_EXIT_INTERRUPTED;
        break;
    }
    /* A final event: the answer ends its last line, as text printed by a
     * command does, so a prompt or the next command's output starts clean. */
    if (ask->wrote_text && !ask->ends_with_newline && !ask->pipe_closed)
        fputc('\n', stdout);
    if (fflush(stdout) != 0 && errno == EPIPE && !ask->pipe_closed) {
        ask->pipe_closed = 1;
        ask->status = HK_EXIT_PIPE_CLOSED;
    }
    if (ask->pipe_closed)
        ask->status = HK_EXIT_PIPE_CLOSED; /* whatever came after, quietly */
    else if (ev->kind == HK_MODEL_ERROR)
        fprintf(stderr, "honk: %s\n", ev->message);
    ask->done = 1;
}

static void on_interrupt(struct hk_loop *loop, int signo, void *data)
{
    (void)loop;
    (void)signo;
    struct ask *ask = data;
    ask->status = HK_EXIT_INTERRUPTED;
    hk_model_request_cancel(ask->req);
}

/* The words given, then what stdin holds when it is not a terminal (git
 * diff | honk ask "review this"), as claude -p does; with no words or "-",
 * stdin is the prompt, and a terminal is told it is being read. */
static char *read_prompt(int argc, char **argv, int first)
{
    struct hk_buf prompt = {0};
    int from_stdin = first >= argc || (first == argc - 1 && !strcmp(argv[first], "-"));
    if (from_stdin) {
        hk_read_all_stdin("honk ask: reading the prompt", &prompt);
        return hk_buf_steal(&prompt);
    }
    for (int i = first; i < argc; i++) {
        if (i > first)
            hk_buf_addc(&prompt, ' ');
        hk_buf_adds(&prompt, argv[i]);
    }
    if (!isatty(STDIN_FILENO)) {
        struct hk_buf piped = {0};
        hk_read_all(stdin, &piped);
        if (piped.len) {
            hk_buf_adds(&prompt, "\n\n");
            hk_buf_add(&prompt, piped.data, piped.len);
        }
        hk_buf_free(&piped);
    }
    return hk_buf_steal(&prompt);
}

static int run_ask(struct hk_model_settings *settings, const char *system, const char *prompt)
{
    struct ask ask = {.loop = hk_loop_new()};
    struct hk_conversation *conv = hk_conv_new(system);
    hk_conv_add_user_text(conv, prompt);
    hk_loop_on_signal(ask.loop, SIGINT, on_interrupt, &ask);
    hk_loop_on_signal(ask.loop, SIGTERM, on_interrupt, &ask);
    ask.req = hk_model_request_start(ask.loop, conv, settings, on_model_event, &ask);
    while (!ask.done) {
        hk_loop_run_once(ask.loop, -1);
        /* One write per pass of the loop, not one per token. */
        if (!ask.pipe_closed && fflush(stdout) != 0 && errno == EPIPE)
            pipe_closed(&ask);
    }
    hk_model_request_free(ask.req);
    hk_conv_free(conv);
    hk_loop_free(ask.loop);
    return ask.status;
}

int hk_cmd_ask(int argc, char **argv)
{
    struct hk_model_flags flags = HK_MODEL_FLAGS_NONE;
    const char *system = NULL;
    int i = 1, rc;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        if ((rc = hk_flag_model(argc, argv, &i, &flags)) || (rc = hk_flag_value(argc, argv, &i, "--system", &system))) {
            if (rc < 0)
                return HK_EXIT_USAGE;
            continue;
        }
        fprintf(stderr, "honk ask: unknown option %s\n", argv[i]);
        hk_usage("ask", stderr);
        return HK_EXIT_USAGE;
    }
    char *err = NULL;
    struct hk_config *cfg = hk_config_open(NULL, &err);
    struct hk_model_settings settings;
    if (!cfg || hk_model_settings_resolve(cfg, &flags, &settings, &err) != 0) {
        fprintf(stderr, "honk: %s\n", err);
        free(err);
        hk_config_free(cfg);
        return HK_EXIT_USAGE;
    }
    hk_config_free(cfg);
    signal(SIGPIPE, SIG_IGN);
    char *prompt = read_prompt(argc, argv, i);
    if (!*prompt) {
        fprintf(stderr, "honk ask: the prompt is empty\n");
        rc = HK_EXIT_USAGE;
    } else {
        rc = run_ask(&settings, system, prompt);
    }
    free(prompt);
    hk_model_settings_free(&settings);
    return rc;
}
