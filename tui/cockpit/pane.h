/* A pane is a struct plus a const ops table; one file per pane. This header
 * also holds the shared defaults (scrolling, follow-at-bottom, search) and the
 * drawing helpers every pane uses, and the few cockpit services panes call. */
#ifndef HK_PANE_H
#define HK_PANE_H

#include "cockpit.h"
#include "keymap.h"
#include "theme.h"
#include "util.h"

#include <curses.h>
#include <stdbool.h>
#include <wchar.h>

/* What a handler changed; the cockpit decides what to redraw. */
enum {
    PANE_HANDLED = 1 << 0,
    PANE_REDRAW = 1 << 1,
    PANE_QUIT = 1 << 2,
    PANE_LAYOUT = 1 << 3, /* sizes must be recomputed */
    PANE_ALL = 1 << 4,    /* every pane and line must be redrawn */
};

struct pane;

struct pane_ops {
    const char *title;
    enum km_scope scope;
    void (*draw)(struct pane *p);                                    /* into p->win */
    unsigned (*action)(struct pane *p, enum km_action a);            /* may be NULL */
    unsigned (*on_event)(struct pane *p, const struct hk_event *ev); /* may be NULL */
    void (*resize)(struct pane *p);                                  /* may be NULL */
    long (*rows)(struct pane *p);            /* scrollable rows in total */
    /* The plain text of a row for search, into out (cleared first). */
    void (*row_text)(struct pane *p, long row, struct hk_buf *out);
    void (*title_extra)(struct pane *p, char *buf, int size); /* may be NULL */
    /* Scrolls sideways so the match of needle in row shows; may be NULL. */
    void (*reveal)(struct pane *p, long row, const char *needle);
    void (*free)(struct pane *p);
};

struct pane {
    const struct pane_ops *ops;
    struct hk_cockpit *ck;
    WINDOW *frame, *win; /* frame: title row; win: the content below */
    int h, w;            /* content size */
    int y, x;            /* frame position on the screen */
    bool dirty, focused, shown;
    long top;            /* first row shown */
    bool follow;         /* stick to the bottom as rows arrive */
    bool has_cursor;     /* a selected row (Diff) rather than a plain view */
    long cursor;
    char *search;
    void *priv;
};

/* Shared defaults. */
void pane_init(struct pane *p, const struct pane_ops *ops, struct hk_cockpit *ck);
/* Scroll/cursor movement, top/bottom and search for any pane. */
unsigned pane_default_action(struct pane *p, enum km_action a);
/* Call after rows were added: keeps following the bottom if it was. */
void pane_rows_changed(struct pane *p);
void pane_set_cursor(struct pane *p, long row);
void pane_scroll_by(struct pane *p, long delta);
/* Moves the cursor (or the view) to row. */
void pane_go_to(struct pane *p, long row);

/* Search (pane_search.c). The needle is smart-case: case is ignored unless it
 * holds an upper-case letter, for finding and highlighting alike. */
/* Finds the next (dir 1) or previous (dir -1) row from `from`, wrapping
 * round, containing needle; -1 if none. *rank and *total (may be NULL) get
 * the found row's place among the matching rows and their number. */
long pane_find(struct pane *p, const char *needle, long from, int dir, long *rank, long *total);
/* Asks for the text in the input line; Esc or an empty answer clears it. */
void pane_search_start(struct pane *p);
/* Goes to the next (dir 1) or previous (dir -1) match, saying where. */
void pane_search_step(struct pane *p, int dir);
/* Shows every visible occurrence of p->search in the search-match colour;
 * called after the pane drew into p->win. */
void pane_highlight(struct pane *p);

/* Drawing helpers: UTF-8 text with wcwidth, tabs expanded, control bytes
 * shown as '?'. Draw at most maxw columns; return the columns drawn. */
int draw_text(WINDOW *w, int y, int x, const char *s, int len, int maxw);
int draw_text_slot(WINDOW *w, int y, int x, const char *s, int len, int maxw, enum th_slot slot);
void draw_fill(WINDOW *w, int y, int x, int n); /* n blanks in the current attrs */
/* Decodes s[0..len) into out (room for len characters, invalid bytes
 * as '?'); returns the characters stored. */
int text_decode(const char *s, int len, wchar_t *out);
/* The columns one character takes (a tab counts as the tab stop's width). */
int text_char_width(wchar_t wc);
/* Where the first match of needle (smart case, as search) sits in the
 * columns of s[0..len): its first column, its width in *cols; -1 if none. */
int pane_match_column(const char *s, int len, const char *needle, int *cols);
/* Skips whole characters of s[0..len) while *skip columns remain, lowering
 * *skip by each one's width (tabs count as expanded); returns the bytes
 * skipped. *skip ends below 0 by the columns of a character cut in two. */
int text_skip(const char *s, int len, int *skip);
/* Columns of s[0..len); the byte length of the longest prefix within maxw
 * columns is stored in *fit when fit is not NULL. */
int text_width(const char *s, int len, int maxw, int *fit);
/* Bytes of the next wrapped row of s (at most width columns), breaking after
 * a space when one is in reach; never 0 for non-empty input. */
int wrap_next(const char *s, int len, int width);

/* Cockpit services for panes. */
const struct hk_cockpit_actions *ck_actions(struct hk_cockpit *c, void **data);
struct hk_loop *ck_loop(struct hk_cockpit *c);
typedef void (*ck_prompt_cb)(struct pane *p, const char *answer, void *data); /* answer NULL: Esc */
void ck_prompt(struct hk_cockpit *c, struct pane *p, const char *question, ck_prompt_cb cb,
               void *data);
/* Runs $EDITOR on text (leaving the screen meanwhile); NULL if it failed or
 * the file was left unchanged... never: returns the file as saved, or NULL. */
char *ck_edit_text(struct hk_cockpit *c, const char *text, const char *suffix);
void ck_mark_dirty(struct hk_cockpit *c, struct pane *p); /* schedules a frame */
struct hk_runner *ck_test_runner(struct hk_cockpit *c);
struct hk_diffview *ck_diff(struct hk_cockpit *c);
void ck_status_message(struct hk_cockpit *c, const char *msg);
/* The session waits for the engineer to approve or skip the deploy. */
bool ck_waiting_for_deploy(struct hk_cockpit *c);

/* The panes. */
struct pane *pane_chat_new(struct hk_cockpit *ck);
struct pane *pane_diff_new(struct hk_cockpit *ck);
struct pane *pane_tests_new(struct hk_cockpit *ck);
struct pane *pane_deploy_new(struct hk_cockpit *ck);
struct pane *pane_help_new(struct hk_cockpit *ck);
/* Diff: the view was replaced or changed. */
void pane_diff_reload(struct pane *p);
/* Chat: the selected tool entry's expansion toggled; returns handled bits. */
unsigned pane_chat_toggle(struct pane *p);

/* JSON payload helpers. */
const char *ev_str(const struct hk_event *ev, const char *key);
double ev_num(const struct hk_event *ev, const char *key, double dflt);

#endif
