/* Per-task limits (honk.serve.task.*): the iterations go down to the task's
 * process (--max-iterations), which fails the session at them; the time it
 * works and the tokens it spends are watched here, and a task past either
 * is stopped the way SIGTERM stops serve's sessions (killed, so its journal
 * resumes exactly where it was) and fails with a sentence saying how to go
 * on. Time waiting for a person does not count: a change ready for review
 * at 8:00 is not a runaway at 9:00. */
#include "serve_internal.h"
#include "json.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static void stop(struct hk_serve_run *run, char *sentence)
{
    if (run->limit || run->stopped_by_serve) {
        free(sentence);
        return;
    }
    run->limit = sentence;
    hk_serve_log("task %s %s", run->task->id, sentence);
    hk_worker_signal(run->worker, SIGKILL);
}

static void on_time(struct hk_loop *loop, void *data)
{
    (void)loop;
    struct hk_serve_run *run = data;
    run->limit_timer = 0;
    stop(run, hk_xasprintf("ran past honk.serve.task.maxSeconds (%ld s): stopped, resumable: honk resume %s",
                           run->max_ms / 1000, run->task->id));
}

void hk_serve_limits_start(struct hk_serve *s, struct hk_serve_run *run)
{
    run->max_ms = s->task_max_ms;
    run->max_tokens = s->task_max_tokens;
}

void hk_serve_limits_state(struct hk_serve *s, struct hk_serve_run *run)
{
    int busy = hk_serve_state_busy(run->task->state);
    if (busy && !run->busy_since && !run->limit) {
        run->busy_since = hk_now_ms();
        if (run->max_ms > 0)
            run->limit_timer = hk_loop_add_timer(s->loop, run->max_ms - run->busy_ms, on_time, run);
    } else if (!busy && run->busy_since) {
        run->busy_ms += hk_now_ms() - run->busy_since;
        run->busy_since = 0;
        hk_serve_limits_stop(s, run);
    }
}

void hk_serve_limits_turn(struct hk_serve_run *run, const cJSON *data)
{
    run->tokens += hk_json_long(data, "input_tokens", 0) + hk_json_long(data, "output_tokens", 0) +
                   hk_json_long(data, "cache_creation_input_tokens", 0) +
                   hk_json_long(data, "cache_read_input_tokens", 0);
    if (run->max_tokens > 0 && run->tokens > run->max_tokens)
        stop(run, hk_xasprintf("spent %ld tokens, past honk.serve.task.maxTokens (%ld): stopped, resumable: "
                               "honk resume %s",
                               run->tokens, run->max_tokens, run->task->id));
}

void hk_serve_limits_stop(struct hk_serve *s, struct hk_serve_run *run)
{
    if (run->limit_timer)
        hk_loop_cancel_timer(s->loop, run->limit_timer);
    run->limit_timer = 0;
}

int hk_serve_limits_args(const struct hk_serve *s, const char **argv, int n, char *buf, size_t size)
{
    if (s->task_max_iterations <= 0)
        return n; /* the repository's honk.maxIterations */
    snprintf(buf, size, "%ld", s->task_max_iterations);
    argv[n++] = "--max-iterations";
    argv[n++] = buf;
    return n;
}
