/* The Tests pane: a header (command, state, duration, exit code) over the
 * runner's live screen and scrollback, cell by cell with colours. */
#include "pane.h"

#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

struct tests {
    char *command;
    bool running, ended;
    int exit_code;
    long duration_ms;
    int64_t started; /* monotonic ms, for the duration while running */
    struct hk_cell *cells;
    int ncells;
};

static struct tests *tests_of(struct pane *p)
{
    return p->priv;
}

/* Rows with content: scrollback, then the screen down to its last used row. */
static long tests_rows(struct pane *p)
{
    struct hk_runner *r = ck_test_runner(p->ck);
    if (!r)
        return 0;
    const struct hk_screen *s = hk_runner_screen(r);
    int sb = hk_screen_scrollback(s), rows = hk_screen_rows(s);
    int crow, ccol;
    bool vis;
    hk_screen_cursor(s, &crow, &ccol, &vis);
    int used = ccol > 0 ? crow + 1 : crow;
    struct tests *t = tests_of(p);
    for (int i = rows - 1; i >= used; i--)
        if (hk_screen_row(s, sb + i, t->cells, t->ncells) > 0) {
            used = i + 1;
            break;
        }
    return sb + used + 1; /* + the header row */
}

static attr_t cell_attrs(const struct hk_cell *c)
{
    attr_t a = 0;
    if (c->attrs & HK_ATTR_BOLD)
        a |= A_BOLD;
    if (c->attrs & HK_ATTR_UNDERLINE)
        a |= A_UNDERLINE;
    if (c->attrs & HK_ATTR_ITALIC)
        a |= A_ITALIC;
    if (c->attrs & HK_ATTR_REVERSE)
        a |= A_REVERSE;
    if (c->attrs & HK_ATTR_BLINK)
        a |= A_BLINK;
    return a;
}

static void draw_cells(struct pane *p, int y, const struct hk_cell *cells, int n)
{
    for (int x = 0; x < n && x < p->w; x++) {
        const struct hk_cell *c = &cells[x];
        if (c->width == 0)
            continue;
        if (c->width == 2 && x + 1 >= p->w)
            break;
        int fg = hk_theme_map_color(c->fg.kind, c->fg.index, c->fg.r, c->fg.g, c->fg.b);
        int bg = hk_theme_map_color(c->bg.kind, c->bg.index, c->bg.r, c->bg.g, c->bg.b);
        int pair = hk_theme_pair(fg, bg);
        wchar_t wc[HK_CELL_MAX_CHARS + 1];
        int k = 0;
        for (; k < HK_CELL_MAX_CHARS && c->chars[k]; k++)
            wc[k] = (wchar_t)c->chars[k];
        if (!k)
            wc[k++] = L' ';
        wc[k] = 0;
        cchar_t cc;
        setcchar(&cc, wc, cell_attrs(c), (short)pair, &pair);
        mvwadd_wch(p->win, y, x, &cc);
    }
}

static void header(struct pane *p, struct hk_buf *b)
{
    struct tests *t = tests_of(p);
    struct hk_runner *r = ck_test_runner(p->ck);
    const char *cmd = t->command ? t->command : r ? hk_runner_command(r) : NULL;
    if (!cmd) {
        hk_buf_adds(b, "No test run yet.");
        return;
    }
    const struct hk_runner_result *res = r ? hk_runner_result(r) : NULL;
    if (res && !t->ended) {
        t->ended = true;
        t->exit_code = res->exit_code;
        t->duration_ms = (long)res->duration_ms;
    }
    /* The state first: a long command must not push it out of sight. */
    if (t->ended)
        hk_buf_printf(b, "%s  exit %d  %.1f s  $ %s", t->exit_code == 0 ? "passed" : "FAILED",
                      t->exit_code, t->duration_ms / 1000.0, cmd);
    else
        hk_buf_printf(b, "running  $ %s", cmd);
}

/* The header stays on the first line; the output scrolls below it. */
static void tests_draw(struct pane *p)
{
    struct tests *t = tests_of(p);
    struct hk_runner *r = ck_test_runner(p->ck);
    long total = tests_rows(p) - 1;
    struct hk_buf b = {0};
    header(p, &b);
    enum th_slot slot = t->ended && t->exit_code ? TH_STAGE_FAILED : t->ended ? TH_STAGE_PASSED : TH_TEST_HEADER;
    draw_text_slot(p->win, 0, 0, b.data, (int)b.len, p->w, slot);
    hk_buf_free(&b);
    /* a cell of the default colours takes the window's: the header's red or
     * green must not run on into the output */
    hk_theme_set(p->win, TH_NORMAL);
    for (int y = 1; r && y < p->h; y++) {
        long row = p->top + y - 1;
        if (row >= total)
            break;
        int n = hk_screen_row(hk_runner_screen(r), (int)row, t->cells, t->ncells);
        if (n > 0)
            draw_cells(p, y, t->cells, n);
    }
}

static unsigned tests_event(struct pane *p, const struct hk_event *ev)
{
    struct tests *t = tests_of(p);
    if (ev->kind == HK_EV_TEST_START) {
        free(t->command);
        t->command = ev_str(ev, "command") ? hk_xstrdup(ev_str(ev, "command")) : NULL;
        t->ended = false;
        p->follow = true;
        return PANE_REDRAW;
    }
    if (ev->kind == HK_EV_TEST_END) {
        t->ended = true;
        t->exit_code = (int)ev_num(ev, "exit", -1);
        t->duration_ms = (long)ev_num(ev, "duration_ms", 0);
        return PANE_REDRAW;
    }
    return 0;
}

static void tests_resize(struct pane *p)
{
    struct tests *t = tests_of(p);
    struct hk_runner *r = ck_test_runner(p->ck);
    int cols = p->w > 20 ? p->w : 20;
    if (t->ncells < cols + 8) {
        t->ncells = cols + 8 > 512 ? cols + 8 : 512;
        t->cells = hk_xrealloc(t->cells, (size_t)t->ncells * sizeof *t->cells);
    }
    if (r && hk_runner_state(r) == HK_RUNNER_RUNNING) {
        const struct hk_screen *s = hk_runner_screen(r);
        int rows = p->h - 1 > 10 ? p->h - 1 : 10;
        if (hk_screen_cols(s) != cols || hk_screen_rows(s) != rows)
            hk_runner_resize(r, rows, cols);
    }
}

static void tests_row_text(struct pane *p, long row, struct hk_buf *out)
{
    struct tests *t = tests_of(p);
    struct hk_runner *r = ck_test_runner(p->ck);
    if (row == 0 || !r) {
        header(p, out);
        return;
    }
    int n = hk_screen_row(hk_runner_screen(r), (int)row - 1, t->cells, t->ncells);
    for (int i = 0; i < n; i++) {
        char u[HK_CELL_UTF8_MAX];
        size_t len = hk_cell_utf8(&t->cells[i], u);
        hk_buf_add(out, len ? u : " ", len ? len : (t->cells[i].width ? 1 : 0));
    }
}

static void tests_title(struct pane *p, char *buf, int size)
{
    if (!p->follow && ck_test_runner(p->ck))
        snprintf(buf, size, "scrolled (G/End: follow)");
}

static void tests_free(struct pane *p)
{
    struct tests *t = tests_of(p);
    free(t->command);
    free(t->cells);
    free(t);
}

static const struct pane_ops tests_ops = {
    .title = "Tests",
    .scope = KM_TESTS,
    .draw = tests_draw,
    .on_event = tests_event,
    .resize = tests_resize,
    .rows = tests_rows,
    .row_text = tests_row_text,
    .title_extra = tests_title,
    .free = tests_free,
};

struct pane *pane_tests_new(struct hk_cockpit *ck)
{
    struct pane *p = hk_xmalloc(sizeof *p);
    pane_init(p, &tests_ops, ck);
    struct tests *t = hk_xcalloc(1, sizeof *t);
    t->ncells = 512;
    t->cells = hk_xcalloc((size_t)t->ncells, sizeof *t->cells);
    p->priv = t;
    return p;
}
