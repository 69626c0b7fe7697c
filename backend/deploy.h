/* The deploy pipeline: ordered stages from configuration
 * (honk.deploy.stages = "build publish", honk.deploy.<stage>.command), each
 * run in the runner; it stops at the first failure. */
#ifndef HK_DEPLOY_H
#define HK_DEPLOY_H

#include "config.h"
#include "loop.h"

#include <stdint.h>

/* INTERRUPTED: the stage was running when honk died; whether it did its
 * work is unknown, so it runs again only when the engineer says so or its
 * configuration says it may (honk.deploy.<stage>.idempotent). */
enum hk_stage_state {
    HK_STAGE_PENDING, HK_STAGE_RUNNING, HK_STAGE_PASSED, HK_STAGE_FAILED, HK_STAGE_SKIPPED, HK_STAGE_INTERRUPTED
};

struct hk_stage {
    char *name;
    char *command;
    enum hk_stage_state state;
    int exit_code;
    int64_t duration_ms;
    char *log; /* the stage's output once it ended */
    int idempotent; /* running it twice does no harm */
};

struct hk_deploy;
struct hk_runner;

/* A stage changed state (its runner is live while it runs). */
typedef void (*hk_deploy_stage_cb)(struct hk_deploy *d, const struct hk_stage *stage, void *user);
/* The pipeline ended; ok when every stage passed. May free the pipeline. */
typedef void (*hk_deploy_done_cb)(struct hk_deploy *d, int ok, void *user);

/* The configured pipeline; NULL with *err unset when none is configured, or
 * with *err set when the configuration is wrong (a stage with no command). */
struct hk_deploy *hk_deploy_from_config(struct hk_config *cfg, char **err);
void hk_deploy_free(struct hk_deploy *d);

size_t hk_deploy_stage_count(const struct hk_deploy *d);
const struct hk_stage *hk_deploy_stage(const struct hk_deploy *d, size_t i);
const char *hk_stage_state_name(enum hk_stage_state s);
/* -1 for an unknown name. */
int hk_stage_state_parse(const char *name);
/* Gives the stage of that name the state (and the exit, duration and log,
 * log may be NULL) the journal says it had; a resume then runs only what
 * is left. Unknown names are ignored. */
void hk_deploy_restore(struct hk_deploy *d, const char *name, enum hk_stage_state state, int exit_code,
                       int64_t duration_ms, const char *log);

/* Runs the stages from the first one that has not passed; on_stage hears
 * of a stage before its command starts. on_output: the running stage's
 * screen changed (may be NULL). */
void hk_deploy_run(struct hk_deploy *d, struct hk_loop *loop, const char *cwd, hk_deploy_stage_cb on_stage,
                   hk_deploy_done_cb on_done, void (*on_output)(struct hk_runner *r, void *user), void *user);
/* Marks every stage not yet run as skipped, telling on_stage (or, when it
 * is NULL, the callback given to hk_deploy_run). */
void hk_deploy_skip(struct hk_deploy *d, hk_deploy_stage_cb on_stage, void *user);
void hk_deploy_cancel(struct hk_deploy *d);
struct hk_runner *hk_deploy_runner(const struct hk_deploy *d);

#endif
