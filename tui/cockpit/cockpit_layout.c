/* Where the panes go for the terminal's size (side by side from 160
 * columns, stacked below, one pane when zoomed, a notice when too small), and
 * drawing the pane frames, the status line and the input line. */
#include "cockpit_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_COLS 40
#define MIN_ROWS 10
#define WIDE_COLS 160

static void drop_windows(struct pane *p)
{
    if (p->win)
        delwin(p->win);
    if (p->frame)
        delwin(p->frame);
    p->win = p->frame = NULL;
    p->shown = false;
    p->h = p->w = 0;
}

/* Gives p the rectangle; sep: a separator column on its right edge. */
static void place(struct pane *p, int y, int x, int h, int w, bool sep)
{
    p->frame = newwin(h, w, y, x);
    p->y = y, p->x = x;
    p->h = h - 1;
    p->w = w - (sep ? 1 : 0);
    p->win = p->h > 0 ? derwin(p->frame, p->h, p->w, 1, 0) : NULL;
    if (!p->win)
        p->h = 0;
    p->shown = true;
    p->dirty = true;
    if (p->ops->resize)
        p->ops->resize(p);
    pane_rows_changed(p);
    if (p->has_cursor && p->cursor < p->h)
        p->top = 0; /* grown: what was scrolled off to keep the cursor shown fits again */
    if (p->has_cursor)
        pane_set_cursor(p, p->cursor);
}

bool ck_pane_available(struct hk_cockpit *c, int index)
{
    return !c->review || index == CK_CHAT || index == CK_DIFF;
}

static long pane_rows(struct hk_cockpit *c, int i)
{
    return ck_pane_available(c, i) ? c->panes[i]->ops->rows(c->panes[i]) : 0;
}

static bool pane_empty(struct hk_cockpit *c, int i)
{
    return pane_rows(c, i) == 0;
}

/* The rows each pane has, up to a screen's height (8 bits each): a pane
 * shorter than its share gets only what it needs, so this changing means
 * a new layout. */
unsigned ck_layout_sig(struct hk_cockpit *c)
{
    unsigned sig = 0;
    if (c->zoomed || c->help_shown)
        return 0; /* one pane: nothing to share */
    if (COLS >= WIDE_COLS) /* the grid only asks whether its bottom row is empty */
        return (unsigned)pane_empty(c, CK_TESTS) | (unsigned)pane_empty(c, CK_DEPLOY) << 1;
    for (int i = 0; i < CK_NPANES; i++) {
        long n = pane_rows(c, i), cap = LINES < 255 ? LINES : 255;
        sig |= (unsigned)(n < cap ? n : cap) << (8 * i);
    }
    return sig;
}

/* An empty pane keeps its title and its one line ("No test run yet."); the
 * panes with something to show share the rest by weight, Diff the most, and
 * a pane that needs less than its share leaves the rest to the others. */
static void stacked(struct hk_cockpit *c, int area)
{
    enum { EMPTY_ROWS = 2 };
    static const int weight[CK_NPANES] = {3, 4, 2, 2};
    static const int by_need[] = {CK_DIFF, CK_CHAT, CK_TESTS, CK_DEPLOY};
    int h[CK_NPANES] = {0}, wsum = 0, used = 0, biggest = CK_CHAT;
    long need[CK_NPANES];
    for (int i = 0; i < CK_NPANES; i++) {
        need[i] = pane_rows(c, i) + 1; /* + the title */
        if (!ck_pane_available(c, i))
            continue;
        if (pane_empty(c, i))
            used += h[i] = EMPTY_ROWS;
        else
            wsum += weight[i];
    }
    for (int i = 0; i < CK_NPANES && wsum; i++) {
        if (!ck_pane_available(c, i) || pane_empty(c, i))
            continue;
        int share = (area - used) * weight[i] / wsum;
        h[i] = need[i] < share ? (int)need[i] : share;
        if (h[i] < EMPTY_ROWS)
            h[i] = EMPTY_ROWS;
        if (pane_empty(c, biggest) || weight[i] > weight[biggest])
            biggest = i;
    }
    int left = area;
    for (int i = 0; i < CK_NPANES; i++)
        left -= h[i];
    for (size_t k = 0; k < sizeof by_need / sizeof by_need[0] && left > 0; k++) {
        int i = by_need[k];
        if (!h[i] || pane_empty(c, i) || need[i] <= h[i])
            continue;
        int more = need[i] - h[i] < left ? (int)(need[i] - h[i]) : left;
        h[i] += more, left -= more;
    }
    h[biggest] += left; /* nobody needs it (or rounding took too much) */
    for (int i = 0, y = 0; i < CK_NPANES; y += h[i], i++)
        if (h[i] > 0)
            place(c->panes[i], y, 0, h[i], COLS, false);
}

/* Chat and Diff on top, Tests and Deploy below: a bottom row with nothing
 * in it keeps one line. Review has the two top panes only. */
static void grid(struct hk_cockpit *c, int area)
{
    if (c->review) {
        int left = COLS / 3;
        place(c->panes[CK_CHAT], 0, 0, area, left, true);
        place(c->panes[CK_DIFF], 0, left, area, COLS - left, false);
        return;
    }
    int top = pane_empty(c, CK_TESTS) && pane_empty(c, CK_DEPLOY) ? area - 2 : area * 3 / 5, left = COLS / 2;
    place(c->panes[CK_CHAT], 0, 0, top, left, true);
    place(c->panes[CK_DIFF], 0, left, top, COLS - left, false);
    place(c->panes[CK_TESTS], top, 0, area - top, left, true);
    place(c->panes[CK_DEPLOY], top, left, area - top, COLS - left, false);
}

void ck_layout(struct hk_cockpit *c, bool repaint)
{
    for (int i = 0; i < CK_NPANES; i++)
        drop_windows(c->panes[i]);
    drop_windows(c->help);
    if (c->status_win)
        delwin(c->status_win);
    if (c->input_win)
        delwin(c->input_win);
    c->status_win = c->input_win = NULL;
    erase();
    wnoutrefresh(stdscr);
    if (repaint)
        clearok(curscr, TRUE); /* after a resize: no ghost lines */
    c->layout_sig = ck_layout_sig(c);
    c->tiny = COLS < MIN_COLS || LINES < MIN_ROWS;
    if (c->tiny)
        return;
    int area = LINES - 2;
    c->status_win = newwin(1, COLS, LINES - 2, 0);
    c->input_win = newwin(1, COLS, LINES - 1, 0);
    c->status_dirty = c->input_dirty = true;
    if (c->help_shown)
        place(c->help, 0, 0, area, COLS, false);
    else if (c->zoomed)
        place(c->panes[c->focus], 0, 0, area, COLS, false);
    else if (COLS >= WIDE_COLS)
        grid(c, area);
    else
        stacked(c, area);
}

void ck_draw_tiny(struct hk_cockpit *c)
{
    (void)c;
    erase();
    char msg[128];
    snprintf(msg, sizeof msg, "too small: %dx%d, need %dx%d", COLS, LINES, MIN_COLS, MIN_ROWS);
    hk_theme_set(stdscr, TH_NOTICE);
    draw_text(stdscr, 0, 0, msg, (int)strlen(msg), COLS);
    hk_theme_set(stdscr, TH_NORMAL);
    wnoutrefresh(stdscr);
}

void ck_draw_pane(struct hk_cockpit *c, struct pane *p)
{
    (void)c;
    WINDOW *f = p->frame;
    enum th_slot title = p->focused && p != c->help ? TH_TITLE_FOCUS : TH_TITLE;
    werase(f);
    hk_theme_set(f, title);
    int n = 0;
    for (int i = 0; i < CK_NPANES; i++)
        if (c->panes[i] == p)
            n = i + 1;
    char head[256], extra[160] = "";
    if (p->ops->title_extra)
        p->ops->title_extra(p, extra, sizeof extra);
    if (n)
        snprintf(head, sizeof head, " %d %s%s%s%s ", n, p->ops->title, extra[0] ? "  " : "",
                 extra, c->zoomed && p->focused ? "  [zoom]" : "");
    else
        snprintf(head, sizeof head, " %s%s%s ", p->ops->title, extra[0] ? "  " : "", extra);
    int w = getmaxx(f);
    int drawn = draw_text(f, 0, 0, head, (int)strlen(head), w);
    draw_fill(f, 0, drawn, w - drawn);
    if (p->win && p->w < w) { /* the separator column */
        hk_theme_set(f, TH_BORDER);
        for (int y = 1; y <= p->h; y++)
            mvwadd_wch(f, y, w - 1, WACS_VLINE);
    }
    if (p->win) {
        hk_theme_set(p->win, TH_NORMAL);
        p->ops->draw(p);
        pane_highlight(p); /* after any pane's drawing: see pane_search.c */
    }
    wnoutrefresh(f);
    p->dirty = false;
}

/* Adds " | text". A field that would pass the right edge is left out, and
 * every field after it: cut, "tokens 1546/6" read as "tokens 1546" and
 * "tokens" alone as a wrong count. Only the status message may be cut. */
static void add_field(struct hk_buf *b, bool *full, const char *text, bool may_cut)
{
    if (!text || !*text || *full)
        return;
    const char *sep = b->len ? " \u2502 " : " ";
    int w = text_width(b->len ? b->data : "", (int)b->len, -1, NULL) + text_width(sep, (int)strlen(sep), -1, NULL) +
            text_width(text, (int)strlen(text), -1, NULL);
    if (w > COLS && !may_cut) {
        *full = true;
        return;
    }
    hk_buf_printf(b, "%s%s", sep, text);
}

void ck_draw_status(struct hk_cockpit *c)
{
    struct hk_buf b = {0};
    bool full = false;
    char tmp[128];
    if (c->iteration > 0)
        snprintf(tmp, sizeof tmp, "%s (%ld)", c->state ? c->state : "idle", c->iteration);
    else
        snprintf(tmp, sizeof tmp, "%s", c->state ? c->state : c->review ? "review" : "idle");
    add_field(&b, &full, tmp, true);
    add_field(&b, &full, c->status_msg, true); /* early: the fields after it go first */
    if (c->provider || c->model) {
        snprintf(tmp, sizeof tmp, "%s%s%s", c->provider ? c->provider : "",
                 c->provider && c->model ? "/" : "", c->model ? c->model : "");
        add_field(&b, &full, tmp, false);
    }
    add_field(&b, &full, c->branch, false);
    if (c->task_started) {
        long s = (long)((hk_wall_ms() - c->task_started) / 1000);
        if (s < 0)
            s = 0;
        snprintf(tmp, sizeof tmp, "%02ld:%02ld", s / 60, s % 60);
        add_field(&b, &full, tmp, false);
    }
    if (cJSON_GetArraySize(c->others)) {
        struct hk_buf with = {0};
        const cJSON *o;
        cJSON_ArrayForEach(o, c->others)
            hk_buf_printf(&with, "%s%s%s", with.len ? ", " : "with ", o->string, cJSON_IsTrue(o) ? " (watching)" : "");
        add_field(&b, &full, with.data, true);
        hk_buf_free(&with);
    }
    if (!c->review) { /* no model, no tokens */
        /* the cost only where every turn had a price: no "$?" to puzzle over */
        if (c->usage.priced && hk_usage_cost_known(&c->usage))
            snprintf(tmp, sizeof tmp, "tokens %ld/%ld $%.*f", c->tokens_in, c->tokens_out,
                     c->usage.cost_usd < 10 ? 3 : 2, c->usage.cost_usd);
        else
            snprintf(tmp, sizeof tmp, "tokens %ld/%ld", c->tokens_in, c->tokens_out);
        add_field(&b, &full, tmp, false);
    }
    WINDOW *w = c->status_win;
    hk_theme_set(w, TH_STATUS);
    int drawn = draw_text(w, 0, 0, b.data, (int)b.len, COLS);
    const char *help = "? help ";
    int hw = (int)strlen(help);
    draw_fill(w, 0, drawn, COLS - drawn);
    if (COLS - drawn > hw + 1)
        draw_text(w, 0, COLS - hw, help, hw, hw);
    wnoutrefresh(w);
    hk_buf_free(&b);
    c->status_dirty = false;
}

/* Whether the key line may offer action a now: no deploy keys unless a
 * deploy waits, nothing whose callback is missing (review has no model). */
static bool hint_offered(struct hk_cockpit *c, enum km_action a)
{
    switch (a) {
    case KM_DEPLOY_APPROVE:
    case KM_DEPLOY_CANCEL: return c->actions.deploy && ck_waiting_for_deploy(c);
    case KM_PREV_PROPOSAL:
    case KM_NEXT_PROPOSAL: return c->actions.browse != NULL;
    case KM_UNDO: return c->actions.undo != NULL;
    default: return true;
    }
}

struct hint {
    enum km_action action;
    const char *label;
};

/* "   key: label" for the hint, or 0 when its action has no key. */
static int hint_text(const struct hint *h, bool first, char *item, int size)
{
    const struct km_action_info *info = hk_keymap_info(h->action);
    if (!info->nkeys)
        return 0;
    char key[32];
    hk_keymap_key_name(info->keys[0].key[0], key, sizeof key);
    return snprintf(item, size, "%s%s: %s", first ? "" : "   ", key, h->label);
}

/* The keys that matter in the focused pane, named from the live keymap so a
 * `honk.bind` change shows here too. Help comes first and quit last, always;
 * the others are left out from the end when they do not fit. */
static void key_hints(struct hk_cockpit *c, struct hk_buf *b, int width)
{
    enum { PANE_HINTS = 8 };
    static const struct hint first = {KM_HELP, "keys"}, quit = {KM_QUIT, "quit"};
    static const struct hint pane[CK_NPANES][PANE_HINTS] = {
        [CK_DIFF] = {{KM_APPROVE_HUNK, "approve"}, {KM_REJECT_HUNK, "reject"}, {KM_APPROVE_ALL, "approve all"},
                     {KM_NEXT_HUNK, "next hunk"}, {KM_EDIT_HUNK, "edit"}, {KM_UNDO, "undo"},
                     {KM_NEXT_PROPOSAL, "next proposal"}, {KM_SIDE_BY_SIDE, "side by side"}},
        [CK_TESTS] = {{KM_PAGE_UP, "scroll back"}, {KM_BOTTOM, "follow"}, {KM_SEARCH, "search"}},
        [CK_DEPLOY] = {{KM_DEPLOY_APPROVE, "deploy"}, {KM_DEPLOY_CANCEL, "skip"}, {KM_STAGE_LOG, "log"}},
    };
    static const struct hint last[] = {{KM_FOCUS_NEXT, "next pane"}, {KM_ZOOM, "zoom"}};
    const struct hint *all[PANE_HINTS + 2];
    size_t n = 0;
    for (size_t i = 0; i < PANE_HINTS; i++)
        if (pane[c->focus][i].action != KM_NONE && hint_offered(c, pane[c->focus][i].action))
            all[n++] = &pane[c->focus][i];
    for (size_t i = 0; i < sizeof last / sizeof last[0]; i++)
        all[n++] = &last[i];
    char item[96], end[96];
    int len = hint_text(&first, true, item, sizeof item);
    hk_buf_adds(b, len ? item : "");
    int endlen = hint_text(&quit, !b->len, end, sizeof end);
    for (size_t i = 0; i < n; i++) {
        len = hint_text(all[i], !b->len, item, sizeof item);
        if (!len || (int)b->len + len + endlen > width)
            break; /* in order: a later hint never shows without an earlier one */
        hk_buf_adds(b, item);
    }
    if ((int)b->len + endlen <= width || !b->len)
        hk_buf_adds(b, end);
}

void ck_draw_input(struct hk_cockpit *c)
{
    WINDOW *w = c->input_win;
    int col;
    if (c->prompt.cb) {
        col = hk_input_draw(&c->prompt.text, w, 0, 0, COLS, c->prompt.question);
    } else if (c->focus == CK_CHAT) {
        col = hk_input_draw(&c->input, w, 0, 0, COLS, "> ");
    } else {
        hk_theme_set(w, TH_INFO);
        struct hk_buf hint = {0};
        key_hints(c, &hint, COLS);
        int n = draw_text(w, 0, 0, hint.data ? hint.data : "", (int)hint.len, COLS);
        draw_fill(w, 0, n, COLS - n);
        hk_buf_free(&hint);
        col = 0;
    }
    wmove(w, 0, col < COLS ? col : COLS - 1);
    wnoutrefresh(w);
    c->input_dirty = false;
}

struct pane *ck_pane_at(struct hk_cockpit *c, int y, int x)
{
    for (int i = 0; i < CK_NPANES; i++) {
        struct pane *p = c->panes[i];
        if (p->shown && p->frame && wenclose(p->frame, y, x))
            return p;
    }
    return NULL;
}
