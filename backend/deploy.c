/* Running the deploy stages one after another in the runner. */
#include "deploy.h"
#include "runner.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define STAGE_TIMEOUT_MS (30 * 60 * 1000)

struct hk_deploy {
    struct hk_stage *stages;
    size_t n;
    size_t current;
    struct hk_runner *runner;
    struct hk_loop *loop;
    char *cwd;
    hk_deploy_stage_cb on_stage;
    hk_deploy_done_cb on_done;
    void (*on_output)(struct hk_runner *r, void *user);
    void *user;
};

static const char *const state_names[] = {"pending", "running", "passed", "failed", "skipped", "interrupted"};

const char *hk_stage_state_name(enum hk_stage_state s)
{
    return state_names[s];
}

int hk_stage_state_parse(const char *name)
{
    for (int i = 0; name && i <= HK_STAGE_INTERRUPTED; i++)
        if (!strcmp(name, state_names[i]))
            return i;
    return -1;
}

void hk_deploy_restore(struct hk_deploy *d, const char *name, enum hk_stage_state state, int exit_code,
                       int64_t duration_ms, const char *log)
{
    for (size_t i = 0; d && i < d->n; i++) {
        struct hk_stage *st = &d->stages[i];
        if (strcmp(st->name, name))
            continue;
        st->state = state;
        st->exit_code = exit_code;
        st->duration_ms = duration_ms;
        free(st->log);
        st->log = log ? hk_xstrdup(log) : NULL;
    }
}

static void add_stage(struct hk_deploy *d, const char *name, char *command)
{
    d->stages = hk_xrealloc(d->stages, (d->n + 1) * sizeof *d->stages);
    d->stages[d->n++] = (struct hk_stage){.name = hk_xstrdup(name), .command = command, .exit_code = -1};
}

struct hk_deploy *hk_deploy_from_config(struct hk_config *cfg, char **err)
{
    *err = NULL;
    char *list = hk_config_string(cfg, "honk.deploy.stages");
    if (!list)
        return NULL;
    struct hk_deploy *d = hk_xcalloc(1, sizeof *d);
    char *save = NULL;
    for (char *name = strtok_r(list, " \t,", &save); name; name = strtok_r(NULL, " \t,", &save)) {
        char *key = hk_xasprintf("honk.deploy.%s.command", name);
        char *command = hk_config_string(cfg, key);
        free(key);
        if (!command) {
            *err = hk_xasprintf("deploy stage \"%s\" has no command: set honk.deploy.%s.command", name, name);
            break;
        }
        add_stage(d, name, command);
        key = hk_xasprintf("honk.deploy.%s.idempotent", name);
        int rc = hk_config_bool(cfg, key, &d->stages[d->n - 1].idempotent, err);
        free(key);
        if (rc != 0)
            break;
    }
    free(list);
    if (*err || !d->n) {
        hk_deploy_free(d);
        return NULL;
    }
    return d;
}

void hk_deploy_free(struct hk_deploy *d)
{
    if (!d)
        return;
    hk_runner_free(d->runner);
    for (size_t i = 0; i < d->n; i++) {
        free(d->stages[i].name);
        free(d->stages[i].command);
        free(d->stages[i].log);
    }
    free(d->stages);
    free(d->cwd);
    free(d);
}

size_t hk_deploy_stage_count(const struct hk_deploy *d) { return d ? d->n : 0; }
const struct hk_stage *hk_deploy_stage(const struct hk_deploy *d, size_t i) { return &d->stages[i]; }
struct hk_runner *hk_deploy_runner(const struct hk_deploy *d) { return d ? d->runner : NULL; }

void hk_deploy_skip(struct hk_deploy *d, hk_deploy_stage_cb on_stage, void *user)
{
    if (!on_stage) {
        on_stage = d->on_stage;
        user = d->user;
    }
    for (size_t i = 0; d && i < d->n; i++) {
        if (d->stages[i].state != HK_STAGE_PENDING)
            continue;
        d->stages[i].state = HK_STAGE_SKIPPED;
        if (on_stage)
            on_stage(d, &d->stages[i], user);
    }
}

static void start_stage(struct hk_deploy *d);

static void on_stage_finished(struct hk_runner *r, const struct hk_runner_result *res, void *data)
{
    struct hk_deploy *d = data;
    struct hk_stage *st = &d->stages[d->current];
    st->exit_code = res->exit_code;
    st->duration_ms = res->duration_ms;
    st->log = hk_runner_text(r, 0);
    st->state = res->exit_code == 0 && !res->timed_out && !res->cancelled ? HK_STAGE_PASSED : HK_STAGE_FAILED;
    d->on_stage(d, st, d->user);
    if (st->state == HK_STAGE_FAILED) {
        hk_deploy_skip(d, NULL, NULL);
        d->on_done(d, 0, d->user);
        return;
    }
    d->current++;
    start_stage(d);
}

static void on_stage_output(struct hk_runner *r, void *data)
{
    struct hk_deploy *d = data;
    if (d->on_output)
        d->on_output(r, d->user);
}

static void start_stage(struct hk_deploy *d)
{
    while (d->current < d->n && d->stages[d->current].state == HK_STAGE_PASSED)
        d->current++; /* passed before honk was restarted: never run twice */
    if (d->current >= d->n) {
        d->on_done(d, 1, d->user);
        return;
    }
    struct hk_stage *st = &d->stages[d->current];
    hk_runner_free(d->runner);
    d->runner = NULL;
    free(st->log);
    st->log = NULL;
    /* Heard (and journalled) before the command starts: a crash from here
     * on leaves the stage "running", so a resume knows it may have run. */
    st->state = HK_STAGE_RUNNING;
    d->on_stage(d, st, d->user);
    char *err = NULL;
    struct hk_runner_opts opts = {
        .command = st->command, .cwd = d->cwd, .rows = 24, .cols = 100,
        .timeout_ms = STAGE_TIMEOUT_MS, .on_change = on_stage_output, .on_finished = on_stage_finished,
        .data = d,
    };
    d->runner = hk_runner_start(d->loop, &opts, &err);
    if (!d->runner) {
        st->state = HK_STAGE_FAILED;
        st->log = err;
        d->on_stage(d, st, d->user);
        hk_deploy_skip(d, NULL, NULL);
        d->on_done(d, 0, d->user);
        return;
    }
    if (d->on_output)
        d->on_output(d->runner, d->user); /* the front end shows it from its start */
}

void hk_deploy_run(struct hk_deploy *d, struct hk_loop *loop, const char *cwd, hk_deploy_stage_cb on_stage,
                   hk_deploy_done_cb on_done, void (*on_output)(struct hk_runner *r, void *user), void *user)
{
    d->on_output = on_output;
    d->loop = loop;
    free(d->cwd);
    d->cwd = hk_xstrdup(cwd);
    d->on_stage = on_stage;
    d->on_done = on_done;
    d->user = user;
    d->current = 0;
    start_stage(d);
}

void hk_deploy_cancel(struct hk_deploy *d)
{
    if (d && d->runner && hk_runner_state(d->runner) == HK_RUNNER_RUNNING)
        hk_runner_cancel(d->runner);
}
