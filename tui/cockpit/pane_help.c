/* The help screen: every binding, generated from the keymap table that
 * dispatches keys, grouped by where it applies. */
#include "pane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct line {
    char *text;
    bool head; /* a title or a scope's heading */
};

struct help {
    struct line *lines;
    int n;
    int width; /* the column width the lines were wrapped for */
    int split; /* two columns: the second starts after lines[split] */
};

enum { KEYS_W = 36 }; /* "  keys             action           " */

static void add(struct help *h, char *text, bool head)
{
    h->lines = hk_xrealloc(h->lines, (size_t)(h->n + 1) * sizeof *h->lines);
    h->lines[h->n++] = (struct line){text, head};
}

/* Adds prefix + text, text wrapped at spaces to width columns, the rows
 * after the first indented by indent: a cut word reads as another word. */
static void add_wrapped(struct help *h, const char *prefix, const char *text, int indent, int width)
{
    int room = width - indent > 20 ? width - indent : 20;
    bool first = true;
    while (*text) {
        int len = (int)strlen(text), take = len;
        if (len > room) {
            take = room;
            while (take > 0 && text[take] != ' ')
                take--;
            if (!take)
                take = room; /* one word longer than the row: cut it */
        }
        add(h, hk_xasprintf("%-*s%.*s", indent, first ? prefix : "", take, text), false);
        first = false;
        text += take;
        while (*text == ' ')
            text++;
    }
}

static void build(struct help *h, int width)
{
    for (int i = 0; i < h->n; i++)
        free(h->lines[i].text);
    h->n = 0;
    h->width = width;
    add(h, hk_xstrdup("Key bindings (change one with: git config honk.bind.<action> \"<keys>\")"), true);
    for (int s = 0; s < KM_SCOPES; s++) {
        bool named = false; /* a scope with no action of its own gets no heading */
        for (int a = 1; a < KM_COUNT; a++) {
            const struct km_action_info *info = hk_keymap_info((enum km_action)a);
            if (info->scope != (enum km_scope)s)
                continue;
            if (!named) {
                add(h, hk_xstrdup(""), false);
                add(h, hk_xasprintf("%s:", hk_keymap_scope_name((enum km_scope)s)), true);
                named = true;
            }
            char keys[96], prefix[160];
            hk_keymap_keys_text((enum km_action)a, keys, sizeof keys);
            snprintf(prefix, sizeof prefix, "  %-16s %-16s ", keys, info->name);
            add_wrapped(h, prefix, info->help, (int)strlen(prefix), width);
        }
    }
    add(h, hk_xstrdup(""), false);
    add_wrapped(h, "", "In Chat, typed characters go to the input line; use the other keys (M-1, F1...) there.", 0,
                width);
    add_wrapped(h, "", "The mouse wheel scrolls the pane under the pointer; a click focuses it.", 0, width);
}

/* Two columns when the screen is wide enough, so more shows at once. */
static int columns(struct pane *p)
{
    return p->w >= 160 ? 2 : 1;
}

/* Where the second column starts: at the blank line before a scope nearest
 * the middle, so no scope is split from its heading. */
static int split_at(const struct help *h)
{
    int best = h->n, best_rows = h->n;
    for (int i = 1; i < h->n; i++) {
        if (h->lines[i].text[0])
            continue;
        int rows = i > h->n - i - 1 ? i : h->n - i - 1;
        if (rows < best_rows)
            best = i, best_rows = rows;
    }
    return best;
}

static struct help *help_of(struct pane *p)
{
    struct help *h = p->priv;
    int width = p->w / columns(p) - 2;
    if (!h->n || h->width != width) {
        build(h, width);
        h->split = columns(p) == 2 ? split_at(h) : h->n;
    }
    return h;
}

/* The line at row r of column c, or NULL. */
static const struct line *line_at(struct help *h, int c, long r)
{
    long i = c == 0 ? r : h->split + 1 + r;
    if (r < 0 || (c == 0 && i >= h->split) || i >= h->n)
        return NULL;
    return &h->lines[i];
}

static long help_rows(struct pane *p)
{
    struct help *h = help_of(p);
    long second = h->n - h->split - 1;
    return second > h->split ? second : h->split;
}

static void help_draw(struct pane *p)
{
    struct help *h = help_of(p);
    int cols = columns(p), colw = p->w / cols;
    for (int c = 0; c < cols; c++)
        for (int y = 0; y < p->h; y++) {
            const struct line *l = line_at(h, c, p->top + y);
            if (l)
                draw_text_slot(p->win, y, c * colw + 1, l->text, (int)strlen(l->text), colw - 2,
                               l->head ? TH_DIFF_FILE : TH_NORMAL);
        }
}

static void help_row_text(struct pane *p, long r, struct hk_buf *out)
{
    struct help *h = help_of(p);
    for (int c = 0; c < columns(p); c++) {
        const struct line *l = line_at(h, c, r);
        if (l) {
            hk_buf_adds(out, l->text);
            hk_buf_addc(out, ' ');
        }
    }
}

static void help_free(struct pane *p)
{
    struct help *h = p->priv;
    for (int i = 0; i < h->n; i++)
        free(h->lines[i].text);
    free(h->lines);
    free(h);
}

static void help_title(struct pane *p, char *buf, int size)
{
    (void)p;
    snprintf(buf, size, "q, Esc or ?: close   j/k, PgUp/PgDn: scroll");
}

static const struct pane_ops help_ops = {
    .title = "Help",
    .scope = KM_INHELP,
    .draw = help_draw,
    .rows = help_rows,
    .row_text = help_row_text,
    .title_extra = help_title,
    .free = help_free,
};

struct pane *pane_help_new(struct hk_cockpit *ck)
{
    struct pane *p = hk_xmalloc(sizeof *p);
    pane_init(p, &help_ops, ck);
    p->priv = hk_xcalloc(1, sizeof(struct help));
    p->follow = false;
    return p;
}
