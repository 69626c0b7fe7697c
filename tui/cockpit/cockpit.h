/* The ncurses cockpit: four panes (Chat, Diff, Tests, Deploy), a status line
 * and an input line on the one event loop. It renders session events and
 * turns keys into the actions below; it holds no session logic. */
#ifndef HK_COCKPIT_H
#define HK_COCKPIT_H

#include "diffview.h"
#include "event.h"
#include "loop.h"
#include "session.h" /* enum hk_verdict */

#include <stdbool.h>

struct hk_config;
struct hk_runner;
struct hk_cockpit;


/* What the engineer asked for. Every callback gets actions_data last and is
 * called from the loop; any of them may be NULL. Strings are valid during the
 * call only. Decisions are requests: the hunk's state changes on screen when
 * the DECISION event (or an updated diff view) comes back. */
struct hk_cockpit_actions {
    void (*send_message)(const char *text, void *data);
    void (*interrupt)(void *data); /* Esc: stop the model's reply */
    /* hunk: index across the whole proposal (files in order), -1 for all of
     * it. reason: NULL or the engineer's words (reject). edited_text: the
     * hunk's new side after $EDITOR (edit), else NULL. */
    void (*decide)(const char *proposal_id, int hunk, enum hk_verdict verdict,
                   const char *reason, const char *edited_text, void *data);
    void (*undo)(void *data);                 /* the last decision */
    void (*deploy)(bool approve, void *data); /* D approves, C cancels */
    void (*commit)(bool edit, void *data);    /* c, or E to edit the message first */
    void (*answer)(bool allow, void *data);   /* y/x: the command the model asks for */
    void (*browse)(int step, void *data);     /* [ ]: the previous or next proposal */
    void (*quit)(void *data);                 /* q or a signal: leave soon */
    void (*detach)(void *data);               /* M-d: leave, the session running on */
};

struct hk_cockpit_opts {
    const char *theme;        /* a name or a path; NULL: honk.theme, else "dark" */
    bool no_color;            /* --no-color (NO_COLOR in the environment too) */
    bool no_mouse;            /* leave the mouse to the terminal */
    struct hk_config *config; /* honk.theme and honk.bind.*; may be NULL */
    /* honk review: no model and no session, so no Tests or Deploy pane and no
     * token counter; the focus starts in Diff, where the keys answer. */
    bool review;
};

/* Takes over the terminal (stdin/stdout must be one). NULL with *err set
 * otherwise. Problems the engineer can fix (an unknown theme, a bad
 * binding) show as error lines in Chat rather than failing. */
struct hk_cockpit *hk_cockpit_new(struct hk_loop *loop, const struct hk_cockpit_actions *actions,
                                  void *actions_data, const struct hk_cockpit_opts *opts,
                                  char **err);

/* Feeds one session event: Chat, the status line, the Diff hunk states
 * (DECISION), Tests' header (TEST_START/TEST_END) and Deploy's stages
 * (DEPLOY_STAGE: stage, state pending|running|passed|failed|skipped, exit,
 * duration_ms, optional log) all follow from these. */
void hk_cockpit_event(struct hk_cockpit *c, const struct hk_event *ev);

/* Shows a proposal in Diff; the cockpit owns dv from now on (NULL clears). */
void hk_cockpit_set_diff(struct hk_cockpit *c, struct hk_diffview *dv);
/* The view shown, to change in place (states, notes); then call
 * hk_cockpit_diff_changed. */
struct hk_diffview *hk_cockpit_diff(struct hk_cockpit *c);
void hk_cockpit_diff_changed(struct hk_cockpit *c);

/* The runner Tests draws (borrowed; NULL: none). The cockpit resizes it to
 * the pane. Set NULL before freeing it. Call hk_cockpit_test_changed from the
 * runner's on_change callback. */
void hk_cockpit_set_test_runner(struct hk_cockpit *c, struct hk_runner *r);
void hk_cockpit_test_changed(struct hk_cockpit *c);

/* Runs $EDITOR on text (the one place the cockpit waits, as git commit
 * does); what was saved, or NULL when the editor failed. Caller frees. */
char *hk_cockpit_edit(struct hk_cockpit *c, const char *text, const char *suffix);

/* SIGINT or SIGTERM made it quit (the exit status says so). */
bool hk_cockpit_signalled(const struct hk_cockpit *c);

/* This cockpit's name for the others attached to its session (the status
 * line lists them, leaving itself out). */
void hk_cockpit_set_self(struct hk_cockpit *c, const char *name);
const char *hk_cockpit_self(const struct hk_cockpit *c);
/* Nobody else is attached (a new process of the session). */
void hk_cockpit_forget_others(struct hk_cockpit *c);

/* Text printed on the normal screen after the cockpit closes (a SUMMARY
 * event sets it too). */
void hk_cockpit_set_summary(struct hk_cockpit *c, const char *text);

/* Gives the terminal back for good while the loop goes on: curses ended,
 * the terminal's fd, signals and timers no longer watched, and from then on
 * nothing is drawn (events may still come; they are not shown). Once. */
void hk_cockpit_release(struct hk_cockpit *c);

/* Restores the terminal, prints the summary, frees everything. */
void hk_cockpit_free(struct hk_cockpit *c);

#endif
