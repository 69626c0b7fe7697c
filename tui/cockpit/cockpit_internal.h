/* The cockpit's private state, shared by cockpit.c (events, frames,
 * terminal), cockpit_layout.c (sizes, status and input lines) and
 * cockpit_keys.c (keys, mouse, prompt, editor). */
#ifndef HK_COCKPIT_INTERNAL_H
#define HK_COCKPIT_INTERNAL_H

#include "cockpit.h"
#include "input.h"
#include "pane.h"
#include "session.h"

#include <stdio.h>

enum { CK_CHAT, CK_DIFF, CK_TESTS, CK_DEPLOY, CK_NPANES };

struct hk_cockpit {
    struct hk_loop *loop;
    SCREEN *screen;
    struct hk_cockpit_actions actions;
    void *adata;
    struct pane *panes[CK_NPANES];
    struct pane *help;
    bool help_shown;
    int focus;
    bool zoomed;
    bool tiny; /* below the usable minimum: a notice instead of panes */
    bool review; /* honk review: Chat and Diff only, no model */
    unsigned layout_sig; /* which panes had content when laid out */
    bool signalled; /* SIGINT or SIGTERM ended it: honk exits 130 */
    WINDOW *status_win, *input_win;

    struct hk_input input;
    struct { /* a question asked in the input line (reject reason, search) */
        struct pane *pane;
        char *question;
        ck_prompt_cb cb;
        void *data;
        struct hk_input text;
    } prompt;
    int prefix_key; /* first key of a chord */

    /* Status line. */
    char *state, *provider, *model, *branch, *status_msg;
    char *self;          /* this cockpit's name among those attached to the session */
    cJSON *others;       /* the others attached: name -> true when watching, false when not */
    bool self_seen;      /* its own joining was among the presence events */
    enum hk_wait_kind wait; /* what the last state event said waits */
    long iteration;
    long tokens_in, tokens_out;
    struct hk_usage_total usage; /* for the cost on the status line */
    int64_t task_started; /* wall-clock ms; 0 before a TASK event */
    uint64_t tick_timer;

    struct hk_diffview *diff;
    struct hk_runner *runner;
    char *summary;

    uint64_t frame_timer;
    bool status_dirty, input_dirty, full_redraw;
    int cursor_shown; /* -1 unknown, 0, 1: curs_set only on change */

    FILE *timings; /* HONK_COCKPIT_TIMINGS: figures for the bench */
    int64_t created_us, diff_set_us, key_us; /* CLOCK_MONOTONIC, for HONK_COCKPIT_TIMINGS */
    int64_t turn_end_us; /* the model's reply ended; its last line is not drawn yet */
    bool first_frame;
    bool released; /* hk_cockpit_release: the terminal is not ours any more */
};

/* cockpit_layout.c */
void ck_layout(struct hk_cockpit *c, bool repaint); /* repaint: the whole terminal too */
/* Which panes have content (a bit each): a change means a new layout. */
unsigned ck_layout_sig(struct hk_cockpit *c);
bool ck_pane_available(struct hk_cockpit *c, int index); /* review has no Tests, Deploy */
void ck_draw_status(struct hk_cockpit *c);
void ck_draw_input(struct hk_cockpit *c);
void ck_draw_pane(struct hk_cockpit *c, struct pane *p);
void ck_draw_tiny(struct hk_cockpit *c);
struct pane *ck_pane_at(struct hk_cockpit *c, int y, int x);

/* cockpit_keys.c */
void ck_on_stdin(struct hk_loop *loop, int fd, short revents, void *data);
void ck_keys_init(struct hk_cockpit *c);
bool ck_input_active(struct hk_cockpit *c);

/* cockpit.c */
void ck_render(struct hk_cockpit *c);
void ck_apply(struct hk_cockpit *c, struct pane *p, unsigned result);
void ck_focus(struct hk_cockpit *c, int index);
void ck_focus_next(struct hk_cockpit *c, int step); /* Tab, S-Tab: over available panes */
void ck_quit(struct hk_cockpit *c);
void ck_chat_error(struct hk_cockpit *c, const char *message);
void ck_chat_note(struct hk_cockpit *c, const char *message);

#endif
