/* Editing, history and drawing of the input line. */
#include "input.h"

#include "keymap.h"
#include "pane.h"

#include <stdlib.h>
#include <string.h>

void hk_input_free(struct hk_input *in)
{
    hk_buf_free(&in->text);
    for (int i = 0; i < in->nhistory; i++)
        free(in->history[i]);
    free(in->history);
    free(in->draft);
    memset(in, 0, sizeof *in);
}

static size_t prev_char(const char *s, size_t at)
{
    while (at > 0 && ((unsigned char)s[--at] & 0xc0) == 0x80)
        ;
    return at;
}

static size_t next_char(const char *s, size_t len, size_t at)
{
    if (at >= len)
        return len;
    at++;
    while (at < len && ((unsigned char)s[at] & 0xc0) == 0x80)
        at++;
    return at;
}

static void cut(struct hk_input *in, size_t from, size_t to)
{
    if (to <= from)
        return;
    memmove(in->text.data + from, in->text.data + to, in->text.len - to + 1);
    in->text.len -= to - from;
    in->cursor = from;
}

void hk_input_insert(struct hk_input *in, const char *s, size_t len)
{
    size_t tail = in->text.len - in->cursor;
    hk_buf_add(&in->text, s, len); /* grows; then move the tail behind */
    memmove(in->text.data + in->cursor + len, in->text.data + in->cursor, tail);
    memcpy(in->text.data + in->cursor, s, len);
    in->text.data[in->text.len] = '\0';
    in->cursor += len;
}

static void insert_cp(struct hk_input *in, int cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80)
        u[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        u[0] = (char)(0xc0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    else if (cp < 0x10000)
        u[0] = (char)(0xe0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
        u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    else
        u[0] = (char)(0xf0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
    hk_input_insert(in, u, n);
}

bool hk_input_key(struct hk_input *in, int key)
{
    const char *s = in->text.data ? in->text.data : "";
    size_t len = in->text.len;
    if (key >= 32 && key != 127 && !(key & (KM_FN | KM_META))) {
        insert_cp(in, key);
        return true;
    }
    switch (key) {
    case KM_FN | KEY_BACKSPACE:
    case 127:
    case 8:
        cut(in, prev_char(s, in->cursor), in->cursor);
        return true;
    case KM_FN | KEY_DC:
    case 4:
        cut(in, in->cursor, next_char(s, len, in->cursor));
        return true;
    case KM_FN | KEY_LEFT:
    case 2:
        in->cursor = prev_char(s, in->cursor);
        return true;
    case KM_FN | KEY_RIGHT:
    case 6:
        in->cursor = next_char(s, len, in->cursor);
        return true;
    case KM_FN | KEY_HOME:
    case 1:
        in->cursor = 0;
        return true;
    case KM_FN | KEY_END:
    case 5:
        in->cursor = len;
        return true;
    case 21: /* C-u */
        cut(in, 0, in->cursor);
        return true;
    case 11: /* C-k */
        cut(in, in->cursor, len);
        return true;
    case 23: { /* C-w: the word before the cursor */
        size_t at = in->cursor;
        while (at > 0 && s[at - 1] == ' ')
            at--;
        while (at > 0 && s[at - 1] != ' ')
            at--;
        cut(in, at, in->cursor);
        return true;
    }
    default:
        return false;
    }
}

void hk_input_set(struct hk_input *in, const char *text)
{
    hk_buf_clear(&in->text);
    hk_buf_adds(&in->text, text ? text : "");
    in->cursor = in->text.len;
}

char *hk_input_take(struct hk_input *in, bool remember)
{
    char *text = hk_xstrdup(in->text.data ? in->text.data : "");
    if (remember && *text) {
        in->history = hk_xrealloc(in->history, (size_t)(in->nhistory + 1) * sizeof *in->history);
        in->history[in->nhistory++] = hk_xstrdup(text);
    }
    in->hist_pos = in->nhistory;
    free(in->draft);
    in->draft = NULL;
    hk_input_set(in, "");
    return text;
}

void hk_input_history(struct hk_input *in, int dir)
{
    int pos = in->hist_pos + dir;
    if (pos < 0 || pos > in->nhistory)
        return;
    if (in->hist_pos == in->nhistory) {
        free(in->draft);
        in->draft = hk_xstrdup(in->text.data ? in->text.data : "");
    }
    in->hist_pos = pos;
    hk_input_set(in, pos == in->nhistory ? in->draft : in->history[pos]);
}

int hk_input_draw(struct hk_input *in, WINDOW *w, int y, int x, int width, const char *prompt)
{
    int pw = text_width(prompt, (int)strlen(prompt), -1, NULL);
    hk_theme_set(w, TH_PROMPT);
    draw_text(w, y, x, prompt, (int)strlen(prompt), width);
    hk_theme_set(w, TH_INPUT);
    int avail = width - pw - 1;
    if (avail < 1)
        return x + width - 1;
    /* Show line breaks as a visible mark. */
    struct hk_buf shown = {0};
    size_t cursor_shown = 0;
    const char *s = in->text.data ? in->text.data : "";
    for (size_t i = 0; i <= in->text.len; i++) {
        if (i == in->cursor)
            cursor_shown = shown.len;
        if (i == in->text.len)
            break;
        if (s[i] == '\n')
            hk_buf_adds(&shown, "\u23ce");
        else
            hk_buf_addc(&shown, s[i]);
    }
    const char *t = shown.data ? shown.data : "";
    int before = text_width(t, (int)cursor_shown, -1, NULL);
    /* Scroll whole characters off the left until the cursor fits. */
    size_t start = 0;
    while (before > avail) {
        size_t n = next_char(t, cursor_shown, start);
        before -= text_width(t + start, (int)(n - start), -1, NULL);
        start = n;
    }
    int drawn = draw_text(w, y, x + pw, t + start, (int)(shown.len - start), avail);
    draw_fill(w, y, x + pw + drawn, width - pw - drawn);
    hk_buf_free(&shown);
    return x + pw + before;
}
