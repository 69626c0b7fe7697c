/* The subcommands of honk; main.c dispatches to these. Each returns the
 * process exit status. */
#ifndef HK_COMMANDS_H
#define HK_COMMANDS_H

#include "config.h"
#include "session.h"

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses shared by every command. */
enum {
    HK_EXIT_OK = 0,
    HK_EXIT_FAILED = 1,
    HK_EXIT_USAGE = 2,
    HK_EXIT_INTERRUPTED = 130,
};

/* A command's usage, options and purpose (NULL: the cockpit's), from the
 * one table in main.c that also makes honk --help. */
void hk_usage(const char *command, FILE *out);

int hk_cmd_ask(int argc, char **argv);
int hk_cmd_cockpit(int argc, char **argv);
int hk_cmd_review(int argc, char **argv);

/* What the cockpit is opened with (cmd_cockpit.c). */
struct hk_cockpit_args {
    const char *task;      /* start this task at once; NULL: ask for one */
    const char *resume_id; /* or reopen this session */
    const char *attach_id; /* or attach to this session, run by another process */
    bool watch;            /* attached read-only */
    const char *name;      /* who this cockpit is for the others; NULL: $USER@host */
    const char *theme;
    bool no_color;
    struct hk_model_flags model;
    struct hk_session_opts session;
};
int hk_cockpit_main(const struct hk_cockpit_args *args);
/* The inbox on the screen until q; Enter opens a session with args
 * (tui/cockpit/inbox_screen.c). */
int hk_inbox_main(const struct hk_cockpit_args *args);
/* honk inbox [--json] */
int hk_cmd_inbox(int argc, char **argv);
int hk_cmd_run(int argc, char **argv);
int hk_cmd_resume(int argc, char **argv);
int hk_cmd_log(int argc, char **argv);
/* honk attach [--watch] [--json] [--name NAME] [ID] */
int hk_cmd_attach(int argc, char **argv);
int hk_cmd_show(int argc, char **argv);
/* The whole id of the session a unique prefix names, or NULL after saying
 * on stderr that none or several do. */
char *hk_session_id_given(const char *given);
/* honk apply [--check] [--fuzz N] [--reverse] [-p N] [--directory DIR] [PATCH...|-] */
int hk_cmd_apply(int argc, char **argv);
/* honk discard [--yes] [--journals] ID... and honk gc [--yes] [--journals] */
int hk_cmd_discard(int argc, char **argv);
int hk_cmd_gc(int argc, char **argv);
/* honk fetch [REMOTE] */
int hk_cmd_fetch(int argc, char **argv);
/* honk __publish REMOTE ID: one push of a session, run by the session itself */
int hk_cmd_publish(int argc, char **argv);
/* honk serve [--listen HOST:PORT] [--allow-remote] [--jobs N]; honk queue [--base REV] TASK... */
int hk_cmd_serve(int argc, char **argv);
int hk_cmd_queue(int argc, char **argv);

#endif
