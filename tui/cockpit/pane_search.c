/* Search for every pane: smart-case matching, the next or previous matching
 * row with its place among all of them, and the highlight of every visible
 * match, read back from what the pane drew. */
#include "pane.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

/* The needle as wide characters; fold: compare in lower case (the needle
 * has no upper-case letter, as less -i and vim's smartcase decide). */
struct needle {
    wchar_t *s;
    int n;
    bool fold;
};

static void fold_text(wchar_t *s, int n)
{
    for (int i = 0; i < n; i++)
        s[i] = (wchar_t)towlower((wint_t)s[i]);
}

static void needle_init(struct needle *nd, const char *text)
{
    int len = (int)strlen(text);
    nd->s = hk_xcalloc((size_t)len + 1, sizeof *nd->s);
    nd->n = text_decode(text, len, nd->s);
    nd->fold = true;
    for (int i = 0; i < nd->n; i++)
        if (iswupper((wint_t)nd->s[i]))
            nd->fold = false;
    if (nd->fold)
        fold_text(nd->s, nd->n);
}

/* The first match in h[from..n) (already folded as the needle wants), or -1.
 * A plain loop: glibc's vector wmemcmp reads past the end, which valgrind
 * (run on the cockpit by the tests) reports. */
static int find_in(const wchar_t *h, int n, int from, const struct needle *nd)
{
    for (int i = from; nd->n > 0 && i + nd->n <= n; i++) {
        int k = 0;
        while (k < nd->n && h[i + k] == nd->s[k])
            k++;
        if (k == nd->n)
            return i;
    }
    return -1;
}

/* Reused buffers for a row's text while scanning every row. */
struct scan {
    struct hk_buf b;
    wchar_t *w;
    int cap;
};

static bool row_matches(struct pane *p, long row, const struct needle *nd, struct scan *sc)
{
    hk_buf_clear(&sc->b);
    p->ops->row_text(p, row, &sc->b);
    int len = (int)sc->b.len;
    if (len + 1 > sc->cap) {
        sc->cap = len + 1;
        sc->w = hk_xrealloc(sc->w, (size_t)sc->cap * sizeof *sc->w);
    }
    int n = text_decode(sc->b.data ? sc->b.data : "", len, sc->w);
    if (nd->fold)
        fold_text(sc->w, n);
    return find_in(sc->w, n, 0, nd) >= 0;
}

/* One pass over every row: the target in either direction and its rank. */
long pane_find(struct pane *p, const char *needle, long from, int dir, long *rank, long *total)
{
    long n = p->ops->rows(p), count = 0;
    long first = -1, last = -1, next = -1, prev = -1, next_rank = 0, prev_rank = 0;
    struct needle nd;
    struct scan sc = {0};
    needle_init(&nd, needle);
    for (long row = 0; row < n; row++) {
        if (!row_matches(p, row, &nd, &sc))
            continue;
        count++;
        if (first < 0)
            first = row;
        last = row;
        if (row > from && next < 0)
            next = row, next_rank = count;
        if (row < from)
            prev = row, prev_rank = count;
    }
    long found = dir > 0 ? (next >= 0 ? next : first) : (prev >= 0 ? prev : last);
    if (rank)
        *rank = dir > 0 ? (next >= 0 ? next_rank : 1) : (prev >= 0 ? prev_rank : count);
    if (total)
        *total = count;
    free(nd.s);
    free(sc.w);
    hk_buf_free(&sc.b);
    return found;
}

int pane_match_column(const char *s, int len, const char *needle, int *cols)
{
    struct needle nd;
    needle_init(&nd, needle);
    wchar_t *w = hk_xcalloc((size_t)len + 1, sizeof *w);
    int n = text_decode(s, len, w), col = -1;
    wchar_t *folded = hk_xcalloc((size_t)n + 1, sizeof *folded);
    memcpy(folded, w, (size_t)n * sizeof *w);
    if (nd.fold)
        fold_text(folded, n);
    int at = find_in(folded, n, 0, &nd);
    if (at >= 0) {
        col = *cols = 0;
        for (int i = 0; i < at + nd.n; i++)
            *(i < at ? &col : cols) += text_char_width(w[i]);
    }
    free(folded);
    free(w);
    free(nd.s);
    return col;
}

void pane_search_step(struct pane *p, int dir)
{
    if (!p->search || !*p->search)
        return;
    long rank = 0, total = 0;
    long row = pane_find(p, p->search, p->has_cursor ? p->cursor : p->top, dir, &rank, &total);
    char *msg = row < 0 ? hk_xasprintf("\"%s\" not found", p->search)
                        : hk_xasprintf("\"%s\": match %ld of %ld", p->search, rank, total);
    ck_status_message(p->ck, msg);
    free(msg);
    if (row >= 0) {
        pane_go_to(p, row);
        if (p->ops->reveal)
            p->ops->reveal(p, row, p->search);
    }
}

static void on_search(struct pane *p, const char *answer, void *data)
{
    (void)data;
    bool had = p->search != NULL;
    free(p->search);
    p->search = answer && *answer ? hk_xstrdup(answer) : NULL;
    if (p->search)
        pane_search_step(p, 1);
    else if (had)
        ck_status_message(p->ck, "search cleared");
    p->dirty = true;
    ck_mark_dirty(p->ck, p);
}

void pane_search_start(struct pane *p)
{
    ck_prompt(p->ck, p, "Search: ", on_search, NULL);
}

/* The attributes a match gets on a cell: the search-match slot, except that
 * where the slot is plain reverse (NO_COLOR) and the cell is already reverse
 * (a selected row), reversing again would hide it, so it is underlined. */
static attr_t match_attrs(attr_t slot, attr_t cell)
{
    if ((slot & A_REVERSE) && (cell & A_REVERSE))
        return (slot & ~A_REVERSE) | A_UNDERLINE | A_BOLD;
    return slot;
}

/* Reads back row y of the window: each cell's first character (folded when
 * the needle is) into text, its first column into col; returns the cells. */
static int read_row(WINDOW *w, int y, int width, cchar_t *cells, wchar_t *text, int *col,
                    bool fold)
{
    int n = 0, x = 0;
    if (mvwin_wchnstr(w, y, 0, cells, width) == ERR)
        return 0;
    for (; x < width; n++) {
        wchar_t wch[CCHARW_MAX + 1] = {0};
        attr_t a;
        short pair;
        if (getcchar(&cells[n], wch, &a, &pair, NULL) == ERR || !wch[0])
            break;
        int cw = wcwidth(wch[0]);
        text[n] = wch[0];
        col[n] = x;
        x += cw < 1 ? 1 : cw; /* a wide character is one cell over two columns */
    }
    col[n] = x;
    if (fold)
        fold_text(text, n);
    return n;
}

/* Why read the screen back rather than search each pane's model: the panes
 * draw very different things (Chat wraps text, Diff adds gutters and
 * expands tabs, Tests copies a libvterm screen, Help has columns), and the
 * columns a match occupies are only known once drawn. Reading the cells of
 * p->win gives one mechanism for all of them, and mapping cells to columns
 * by their width keeps wide (CJK) characters right. */
void pane_highlight(struct pane *p)
{
    if (!p->win || !p->search || !*p->search || p->w <= 0)
        return;
    struct needle nd;
    needle_init(&nd, p->search);
    cchar_t *cells = hk_xcalloc((size_t)p->w + 1, sizeof *cells);
    wchar_t *text = hk_xcalloc((size_t)p->w + 1, sizeof *text);
    int *col = hk_xcalloc((size_t)p->w + 1, sizeof *col);
    attr_t attrs;
    int pair;
    hk_theme_attr(TH_SEARCH_MATCH, &attrs, &pair);
    for (int y = 0; y < p->h; y++) {
        int n = read_row(p->win, y, p->w, cells, text, col, nd.fold);
        for (int i = find_in(text, n, 0, &nd); i >= 0; i = find_in(text, n, i + nd.n, &nd)) {
            wchar_t wch[CCHARW_MAX + 1];
            attr_t cell = 0;
            short cp;
            getcchar(&cells[i], wch, &cell, &cp, NULL);
            mvwchgat(p->win, y, col[i], col[i + nd.n] - col[i], match_attrs(attrs, cell),
                     (short)pair, &pair);
        }
    }
    free(cells);
    free(text);
    free(col);
    free(nd.s);
}
