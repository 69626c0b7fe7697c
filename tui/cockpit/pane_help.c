/* The help screen: every binding, generated from the keymap table that
 * dispatches keys, grouped by where it applies. */
#include "pane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct help {
    char **lines;
    int n;
};

static void add(struct help *h, char *line)
{
    h->lines = hk_xrealloc(h->lines, (size_t)(h->n + 1) * sizeof *h->lines);
    h->lines[h->n++] = line;
}

static void build(struct pane *p)
{
    struct help *h = p->priv;
    for (int i = 0; i < h->n; i++)
        free(h->lines[i]);
    h->n = 0;
    add(h, hk_xstrdup("Key bindings (change one with: git config honk.bind.<action> \"<keys>\")"));
    for (int s = 0; s < KM_SCOPES; s++) {
        bool named = false; /* a scope with no action of its own gets no heading */
        for (int a = 1; a < KM_COUNT; a++) {
            const struct km_action_info *info = hk_keymap_info((enum km_action)a);
            if (info->scope != (enum km_scope)s)
                continue;
            if (!named) {
                add(h, hk_xstrdup(""));
                add(h, hk_xasprintf("%s:", hk_keymap_scope_name((enum km_scope)s)));
                named = true;
            }
            char keys[96];
            hk_keymap_keys_text((enum km_action)a, keys, sizeof keys);
            add(h, hk_xasprintf("  %-16s %-16s %s", keys, info->name, info->help));
        }
    }
    add(h, hk_xstrdup(""));
    add(h, hk_xstrdup("In Chat, typed characters go to the input line; use the other keys (M-1, F1...) there."));
    add(h, hk_xstrdup("The mouse wheel scrolls the pane under the pointer; a click focuses it."));
}

/* Two columns when the screen is wide enough, so more shows at once. */
static int columns(struct pane *p)
{
    return p->w >= 160 ? 2 : 1;
}

static long help_rows(struct pane *p)
{
    struct help *h = p->priv;
    if (!h->n)
        build(p);
    int cols = columns(p);
    return (h->n + cols - 1) / cols;
}

static void help_draw(struct pane *p)
{
    struct help *h = p->priv;
    long rows = help_rows(p);
    int cols = columns(p), colw = p->w / cols;
    for (int c = 0; c < cols; c++)
        for (int y = 0; y < p->h && p->top + y < rows; y++) {
            long i = c * rows + p->top + y;
            if (i >= h->n)
                break;
            const char *l = h->lines[i];
            bool head = l[0] && l[0] != ' ';
            draw_text_slot(p->win, y, c * colw + 1, l, (int)strlen(l), colw - 2,
                           head ? TH_DIFF_FILE : TH_NORMAL);
        }
}

static void help_row_text(struct pane *p, long r, struct hk_buf *out)
{
    struct help *h = p->priv;
    long rows = help_rows(p);
    for (long i = r; i < h->n; i += rows) {
        hk_buf_adds(out, h->lines[i]);
        hk_buf_addc(out, ' ');
    }
}

static void help_free(struct pane *p)
{
    struct help *h = p->priv;
    for (int i = 0; i < h->n; i++)
        free(h->lines[i]);
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
