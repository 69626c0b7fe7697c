/* The input line: a UTF-8 text with a cursor, editing keys, multi-line
 * text (Alt-Enter) and a history of sent messages. */
#ifndef HK_INPUT_H
#define HK_INPUT_H

#include "util.h"

#include <curses.h>
#include <stdbool.h>

struct hk_input {
    struct hk_buf text;
    size_t cursor; /* byte offset */
    char **history;
    int nhistory, hist_pos; /* hist_pos == nhistory: the line being written */
    char *draft;            /* the unsent line while browsing history */
};

void hk_input_free(struct hk_input *in);
/* Applies an editing key (printable, Backspace, Del, arrows, Home/End, C-a,
 * C-e, C-u, C-k, C-w); false if the key is not one. */
bool hk_input_key(struct hk_input *in, int key);
void hk_input_insert(struct hk_input *in, const char *s, size_t len);
void hk_input_set(struct hk_input *in, const char *text);
/* The text (caller frees), remembered in the history when non-empty; the
 * line is cleared. */
char *hk_input_take(struct hk_input *in, bool remember);
void hk_input_history(struct hk_input *in, int dir); /* -1 older, +1 newer */
/* Draws prompt and text in width columns at (y, x), scrolled so the cursor
 * shows; returns the cursor's column. Line breaks show as ⏎. */
int hk_input_draw(struct hk_input *in, WINDOW *w, int y, int x, int width, const char *prompt);

#endif
