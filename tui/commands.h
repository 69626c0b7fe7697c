/* The subcommands of honk; main.c dispatches to these. Each returns the
 * process exit status. */
#ifndef HK_COMMANDS_H
#define HK_COMMANDS_H

#include "config.h"
#include "session.h"

#include <stdbool.h>

/* Exit statuses shared by every command. */
enum {
    HK_EXIT_OK = 0,
    HK_EXIT_FAILED = 1,
    HK_EXIT_USAGE = 2,
    HK_EXIT_INTERRUPTED = 130,
};

int hk_cmd_ask(int argc, char **argv);
int hk_cmd_cockpit(int argc, char **argv);
int hk_cmd_review(int argc, char **argv);

/* What the cockpit is opened with (cmd_cockpit.c). */
struct hk_cockpit_args {
    const char *task;      /* start this task at once; NULL: ask for one */
    const char *resume_id; /* or reopen this session */
    const char *theme;
    bool no_color;
    struct hk_model_flags model;
    struct hk_session_opts session;
};
int hk_cockpit_main(const struct hk_cockpit_args *args);
int hk_cmd_run(int argc, char **argv);
int hk_cmd_resume(int argc, char **argv);
int hk_cmd_log(int argc, char **argv);
int hk_cmd_show(int argc, char **argv);
/* honk apply [--check] [--fuzz N] [--reverse] [-p N] [--directory DIR] [PATCH...|-] */
int hk_cmd_apply(int argc, char **argv);

#endif
