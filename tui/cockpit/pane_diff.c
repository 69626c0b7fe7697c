/* The Diff pane: a proposal's file list, hunks with line numbers and
 * word-level highlights, each hunk's decision, and the keys that ask for
 * decisions. Rows are indexed once per view so drawing touches only what
 * shows, whatever the diff's size. */
#include "pane.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum row_type { R_SUMMARY, R_FILELIST, R_BLANK, R_FILE, R_HUNK, R_NOTE, R_REASON, R_LINE };

struct drow {
    uint8_t type;
    int file, hunk, line, line2; /* line2: the right side in side by side */
};

struct diff {
    struct drow *rows;
    long nrows, cap;
    int *hunk_base; /* per file: index of its first hunk in the proposal */
    int numw;       /* digits of the largest line number */
    bool sbs;       /* side by side */
    int hscroll;    /* columns of the lines' text scrolled off to the left */
    char *shown_id; /* the proposal the cursor position belongs to */
    /* Per hunk of that proposal: the state its header was last drawn in
     * (-1: not drawn yet). A decision carries it as what the engineer saw,
     * so that one made meanwhile by someone else is not made twice. */
    int *drawn;
    int ndrawn;
    int reject_seen; /* what the hunk the reason is asked for showed */
};

static struct diff *diff_of(struct pane *p)
{
    return p->priv;
}

static void push(struct diff *d, int type, int file, int hunk, int line, int line2)
{
    if (d->nrows == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1024;
        d->rows = hk_xrealloc(d->rows, (size_t)d->cap * sizeof *d->rows);
    }
    d->rows[d->nrows++] = (struct drow){(uint8_t)type, file, hunk, line, line2};
}

/* Side by side: a deleted line and the added line it pairs with (the one
 * its word spans compare it to) share a row; the unpaired lines between two
 * pairs fill rows side by side. */
static void push_block(struct diff *d, int f, int h, const struct hk_dv_hunk *hk, int d0, int a0, int end)
{
    int i = d0, j = a0;
    while (i < a0 || j < end) {
        int pd = i, pa = end;
        while (pd < a0 && (hk->lines[pd].pair < j || hk->lines[pd].pair >= end))
            pd++;
        if (pd < a0)
            pa = hk->lines[pd].pair;
        while (i < pd || j < pa)
            push(d, R_LINE, f, h, i < pd ? i++ : -1, j < pa ? j++ : -1);
        if (pd < a0)
            push(d, R_LINE, f, h, i++, j++);
    }
}

static void push_paired(struct diff *d, int f, int h, const struct hk_dv_hunk *hk)
{
    for (int k = 0; k < hk->nlines;) {
        if (hk->lines[k].kind == HK_DV_CONTEXT) {
            push(d, R_LINE, f, h, k, k);
            k++;
            continue;
        }
        int d0 = k;
        while (k < hk->nlines && hk->lines[k].kind == HK_DV_DEL)
            k++;
        int a0 = k;
        while (k < hk->nlines && hk->lines[k].kind == HK_DV_ADD)
            k++;
        push_block(d, f, h, hk, d0, a0, k);
    }
}

static void build_rows(struct pane *p)
{
    struct diff *d = diff_of(p);
    struct hk_diffview *dv = ck_diff(p->ck);
    int maxno = 0;
    d->nrows = 0;
    free(d->hunk_base);
    d->hunk_base = NULL;
    if (!dv)
        return;
    d->hunk_base = hk_xcalloc((size_t)dv->nfiles + 1, sizeof *d->hunk_base);
    push(d, R_SUMMARY, -1, -1, -1, -1);
    for (int f = 0; f < dv->nfiles; f++) {
        push(d, R_FILELIST, f, -1, -1, -1);
        d->hunk_base[f + 1] = d->hunk_base[f] + dv->files[f].nhunks;
    }
    for (int f = 0; f < dv->nfiles; f++) {
        const struct hk_dv_file *file = &dv->files[f];
        push(d, R_BLANK, f, -1, -1, -1);
        push(d, R_FILE, f, -1, -1, -1);
        for (int h = 0; h < file->nhunks; h++) {
            const struct hk_dv_hunk *hk = &file->hunks[h];
            push(d, R_HUNK, f, h, -1, -1);
            if (hk->note)
                push(d, R_NOTE, f, h, -1, -1);
            if (hk->reason && hk->state == HK_DV_REJECTED)
                push(d, R_REASON, f, h, -1, -1);
            int end = hk->old_start + hk->old_count, end2 = hk->new_start + hk->new_count;
            if (end > maxno)
                maxno = end;
            if (end2 > maxno)
                maxno = end2;
            if (d->sbs) {
                push_paired(d, f, h, hk);
                continue;
            }
            for (int k = 0; k < hk->nlines; k++)
                push(d, R_LINE, f, h, k, -1);
        }
    }
    d->numw = snprintf(NULL, 0, "%d", maxno);
}

void pane_diff_reload(struct pane *p)
{
    struct diff *d = diff_of(p);
    struct hk_diffview *dv = ck_diff(p->ck);
    build_rows(p);
    bool same = dv && d->shown_id && !strcmp(d->shown_id, dv->proposal_id);
    if (!same) {
        free(d->shown_id);
        d->shown_id = dv ? hk_xstrdup(dv->proposal_id) : NULL;
        free(d->drawn);
        d->drawn = NULL;
        d->ndrawn = 0;
        p->top = 0;
        p->cursor = 0;
        d->hscroll = 0;
        for (long r = 0; r < d->nrows; r++) /* start on the first hunk */
            if (d->rows[r].type == R_HUNK) {
                p->cursor = r;
                break;
            }
    }
    pane_set_cursor(p, p->cursor);
    p->dirty = true;
}

static const char status_char[] = {'M', 'A', 'D', 'R'};

static enum th_slot state_slot(enum hk_dv_state s)
{
    static const enum th_slot slots[] = {TH_HUNK_PENDING, TH_HUNK_APPROVED, TH_HUNK_REJECTED,
                                         TH_HUNK_EDITED};
    return slots[s];
}

static int decided(const struct hk_diffview *dv, int *total)
{
    int n = 0;
    *total = 0;
    for (int f = 0; f < dv->nfiles; f++)
        for (int h = 0; h < dv->files[f].nhunks; h++, (*total)++)
            n += dv->files[f].hunks[h].state != HK_DV_PENDING;
    return n;
}

/* The text of a non-line row. */
static void header_text(struct pane *p, const struct drow *r, struct hk_buf *out)
{
    struct hk_diffview *dv = ck_diff(p->ck);
    const struct hk_dv_file *f = r->file >= 0 ? &dv->files[r->file] : NULL;
    const struct hk_dv_hunk *h = r->hunk >= 0 ? &f->hunks[r->hunk] : NULL;
    int total;
    switch (r->type) {
    case R_SUMMARY:
        hk_buf_printf(out, "%s  [%d of ", dv->summary ? dv->summary : dv->proposal_id, decided(dv, &total));
        hk_buf_printf(out, "%d hunks decided]%s", total,
                      dv->state == HK_DV_REJECTED ? "  REJECTED" : dv->state == HK_DV_APPROVED ? "  APPROVED" : "");
        break;
    case R_FILELIST:
        hk_buf_printf(out, "  %c %s%s%s  +%d -%d", status_char[f->status],
                      f->old_path ? f->old_path : "", f->old_path ? " \u2192 " : "", f->path,
                      f->adds, f->dels);
        break;
    case R_FILE:
        hk_buf_printf(out, "%c %s%s%s", status_char[f->status], f->old_path ? f->old_path : "",
                      f->old_path ? " \u2192 " : "", f->path);
        break;
    case R_HUNK:
        hk_buf_printf(out, "@@ -%d,%d +%d,%d @@ %s", h->old_start, h->old_count, h->new_start,
                      h->new_count, h->context ? h->context : "");
        hk_buf_printf(out, "  [hunk %d: %s]", diff_of(p)->hunk_base[r->file] + r->hunk + 1,
                      hk_diffview_state_name(h->state));
        break;
    case R_NOTE: hk_buf_printf(out, "    %s", h->note); break;
    case R_REASON: hk_buf_printf(out, "    rejected because: %s", h->reason); break;
    default: break;
    }
}

static const struct hk_dv_line *line_at(struct pane *p, const struct drow *r, int idx)
{
    if (idx < 0)
        return NULL;
    return &ck_diff(p->ck)->files[r->file].hunks[r->hunk].lines[idx];
}

/* Draws s[0..len) in slot from *col up to end, after first skipping what is
 * left of *skip columns (half a wide character shows as a blank). */
static void draw_seg(struct pane *p, int y, int *col, int end, const char *s, int len,
                     enum th_slot slot, int *skip)
{
    int n = text_skip(s, len, skip);
    hk_theme_set(p->win, slot);
    if (*skip < 0) {
        int pad = -*skip < end - *col ? -*skip : end - *col;
        draw_fill(p->win, y, *col, pad);
        *col += pad;
        *skip = 0;
    }
    if (n >= len || *col >= end)
        return;
    int fit;
    text_width(s + n, len - n, end - *col, &fit);
    *col += draw_text(p->win, y, *col, s + n, len - n, end - *col);
    if (fit < len - n) { /* a wide character did not fit: nothing after it may */
        draw_fill(p->win, y, *col, end - *col);
        *col = end;
    }
}

static void draw_marker(struct pane *p, int y, int x, const char *mark)
{
    draw_text_slot(p->win, y, x, mark, 1, 1, TH_BORDER);
}

/* The columns before a line's text: numbers and the sign. */
static int gutter_width(const struct diff *d)
{
    return (d->sbs ? d->numw + 1 : 2 * d->numw + 2) + 1;
}

static enum th_slot line_slot(const struct hk_dv_line *l)
{
    return l->kind == HK_DV_ADD ? TH_DIFF_ADD : l->kind == HK_DV_DEL ? TH_DIFF_DEL : TH_DIFF_CONTEXT;
}

/* A line's text with its word spans from col to end, scrolled by
 * d->hscroll columns: "<" marks text hidden on the left, ">" text cut on
 * the right. */
static void draw_line_text(struct pane *p, int y, int col, int end, const struct hk_dv_line *l)
{
    enum th_slot base = line_slot(l);
    enum th_slot word = l->kind == HK_DV_ADD ? TH_DIFF_WORD_ADD : TH_DIFF_WORD_DEL;
    int skip = diff_of(p)->hscroll, full = text_width(l->text, l->len, -1, NULL);
    if (skip > 0 && full > 0 && col < end)
        draw_marker(p, y, col++, "<");
    bool cut = full - skip > end - col && col < end;
    if (cut)
        end--;
    for (int i = 0, at = 0; i <= l->nspans && col < end; i++) {
        int s = i < l->nspans ? l->spans[i].start : l->len;
        if (s > at)
            draw_seg(p, y, &col, end, l->text + at, s - at, base, &skip);
        if (i < l->nspans && col < end) {
            int e = l->spans[i].end;
            draw_seg(p, y, &col, end, l->text + s, e - s, word, &skip);
            at = e;
        }
    }
    hk_theme_set(p->win, base);
    draw_fill(p->win, y, col, end - col);
    if (cut)
        draw_marker(p, y, end, ">");
}

enum { BOTH_SIDES, OLD_SIDE, NEW_SIDE }; /* the numbers a line shows */

/* One side of a line: numbers, sign, then the text. */
static int draw_line(struct pane *p, int y, int x, int width, const struct hk_dv_line *l, bool sel,
                     int side)
{
    struct diff *d = diff_of(p);
    char num[48];
    if (!l) {
        hk_theme_set(p->win, TH_NORMAL);
        draw_fill(p->win, y, x, width);
        return width;
    }
    if (side == BOTH_SIDES)
        snprintf(num, sizeof num, "%*.*d %*.*d ", d->numw, l->old_no ? 1 : 0, l->old_no, d->numw,
                 l->new_no ? 1 : 0, l->new_no);
    else /* a context line has both: each side shows its own */
        snprintf(num, sizeof num, "%*.*d ", d->numw, 1, side == NEW_SIDE ? l->new_no : l->old_no);
    int col = x + draw_text_slot(p->win, y, x, num, (int)strlen(num), width,
                                 sel ? TH_SELECTED : TH_DIFF_LINENO);
    enum th_slot base = line_slot(l);
    const char sign[2] = {l->kind == HK_DV_ADD ? '+' : l->kind == HK_DV_DEL ? '-' : ' ', 0};
    col += draw_text_slot(p->win, y, col, sign, 1, x + width - col, base);
    draw_line_text(p, y, col, x + width, l);
    return width;
}

/* Remembers the state hunk g showed on screen. */
static void note_drawn(struct diff *d, int g, enum hk_dv_state state)
{
    if (g >= d->ndrawn) {
        d->drawn = hk_xrealloc(d->drawn, (size_t)(g + 1) * sizeof *d->drawn);
        for (int i = d->ndrawn; i <= g; i++)
            d->drawn[i] = -1;
        d->ndrawn = g + 1;
    }
    d->drawn[g] = (int)state;
}

/* A hunk's header: "@@ ... @@ function" cut where it must so that its tag
 * "[hunk N: state]" always shows whole, the state in its own colour. The
 * tag's place is measured, never guessed from the end of the row (a cut row
 * once drew "[hunk 1:approvedd"). */
static void draw_hunk_header(struct pane *p, int y, const struct drow *r, bool sel)
{
    const struct hk_dv_hunk *h = &ck_diff(p->ck)->files[r->file].hunks[r->hunk];
    note_drawn(diff_of(p), diff_of(p)->hunk_base[r->file] + r->hunk, h->state);
    const char *name = hk_diffview_state_name(h->state);
    struct hk_buf head = {0}, tag = {0};
    hk_buf_printf(&head, "@@ -%d,%d +%d,%d @@ %s", h->old_start, h->old_count, h->new_start, h->new_count,
                  h->context ? h->context : "");
    hk_buf_printf(&tag, "  [hunk %d: ", diff_of(p)->hunk_base[r->file] + r->hunk + 1);
    int tagw = text_width(tag.data, (int)tag.len, -1, NULL) + (int)strlen(name) + 1;
    int room = p->w - tagw > 0 ? p->w - tagw : 0;
    enum th_slot slot = sel ? TH_SELECTED : TH_DIFF_HUNK;
    int col = draw_text_slot(p->win, y, 0, head.data, (int)head.len, room, slot);
    col += draw_text_slot(p->win, y, col, tag.data, (int)tag.len, p->w - col, slot);
    col += draw_text_slot(p->win, y, col, name, (int)strlen(name), p->w - col, sel ? slot : state_slot(h->state));
    col += draw_text_slot(p->win, y, col, "]", 1, p->w - col, slot);
    hk_theme_set(p->win, slot);
    draw_fill(p->win, y, col, p->w - col);
    hk_buf_free(&head);
    hk_buf_free(&tag);
}

static void draw_header(struct pane *p, int y, const struct drow *r, bool sel)
{
    struct hk_diffview *dv = ck_diff(p->ck);
    if (r->type == R_HUNK) {
        draw_hunk_header(p, y, r, sel);
        return;
    }
    struct hk_buf b = {0};
    header_text(p, r, &b);
    enum th_slot slot = TH_NORMAL;
    if (r->type == R_FILE || r->type == R_SUMMARY)
        slot = TH_DIFF_FILE;
    else if (r->type == R_REASON)
        slot = TH_HUNK_REJECTED;
    else if (r->type == R_NOTE)
        slot = TH_INFO;
    if (r->type == R_SUMMARY && dv->state == HK_DV_REJECTED)
        slot = TH_HUNK_REJECTED;
    if (sel)
        slot = TH_SELECTED;
    int n = draw_text_slot(p->win, y, 0, b.data ? b.data : "", (int)b.len, p->w, slot);
    hk_theme_set(p->win, slot);
    draw_fill(p->win, y, n, p->w - n);
    hk_buf_free(&b);
}

static void diff_draw(struct pane *p)
{
    struct diff *d = diff_of(p);
    if (!ck_diff(p->ck)) {
        const char *msg = "No proposal yet.";
        draw_text_slot(p->win, 0, 0, msg, (int)strlen(msg), p->w, TH_INFO);
        return;
    }
    for (int y = 0; y < p->h && p->top + y < d->nrows; y++) {
        long ri = p->top + y;
        const struct drow *r = &d->rows[ri];
        bool sel = ri == p->cursor && p->focused;
        if (r->type != R_LINE) {
            draw_header(p, y, r, sel);
        } else if (!d->sbs) {
            draw_line(p, y, 0, p->w, line_at(p, r, r->line), sel, BOTH_SIDES);
        } else {
            int half = p->w / 2;
            draw_line(p, y, 0, half - 1, line_at(p, r, r->line), sel, OLD_SIDE);
            hk_theme_set(p->win, TH_BORDER);
            mvwadd_wch(p->win, y, half - 1, WACS_VLINE);
            draw_line(p, y, half, p->w - half, line_at(p, r, r->line2), sel, NEW_SIDE);
        }
    }
}

/* The columns for a line's text on side 0 (unified, or the left half) or 1. */
static int text_cols(struct pane *p, int side)
{
    struct diff *d = diff_of(p);
    int half = p->w / 2;
    int area = !d->sbs ? p->w : side == 0 ? half - 1 : p->w - half;
    return area - gutter_width(d);
}

/* The furthest hscroll that still shows something new: the end of the
 * longest line on screen in view (the "<" marker takes a column then). */
static int max_hscroll(struct pane *p)
{
    struct diff *d = diff_of(p);
    int max = 0;
    for (long ri = p->top; ri < d->nrows && ri < p->top + p->h; ri++) {
        const struct drow *r = &d->rows[ri];
        for (int side = 0; r->type == R_LINE && side < 2; side++) {
            const struct hk_dv_line *l = line_at(p, r, side ? r->line2 : r->line);
            int over = l ? text_width(l->text, l->len, -1, NULL) - text_cols(p, side) : 0;
            if (over > 0 && over + 1 > max)
                max = over + 1;
        }
    }
    return max;
}

static void hscroll(struct pane *p, int dir)
{
    struct diff *d = diff_of(p);
    int step = text_cols(p, 0) / 2, max = max_hscroll(p);
    if (step < 1)
        step = 1;
    if (dir < 0)
        d->hscroll = d->hscroll > step ? d->hscroll - step : 0;
    else if (d->hscroll < max)
        d->hscroll = d->hscroll + step < max ? d->hscroll + step : max;
}

/* A search match beyond the edges of a line's text scrolls the text so the
 * match stands a quarter of the way in. */
static void diff_reveal(struct pane *p, long ri, const char *needle)
{
    struct diff *d = diff_of(p);
    const struct drow *r = ri >= 0 && ri < d->nrows ? &d->rows[ri] : NULL;
    const struct hk_dv_line *l = r && r->type == R_LINE ? line_at(p, r, r->line >= 0 ? r->line : r->line2) : NULL;
    int width = 0, col = l ? pane_match_column(l->text, l->len, needle, &width) : -1;
    int cols = text_cols(p, 0);
    if (col < 0 || cols < 4)
        return;
    /* the first column shows "<" once scrolled, the last ">" when cut */
    int first = d->hscroll ? d->hscroll + 1 : 0, last = d->hscroll + cols - 1;
    if (col >= first && col + width <= last)
        return;
    d->hscroll = col - cols / 4 > 0 ? col - cols / 4 : 0;
}

/* The hunk under the cursor (global index), or -1. */
static int current_hunk(struct pane *p, int *file, int *hunk)
{
    struct diff *d = diff_of(p);
    if (!ck_diff(p->ck) || p->cursor >= d->nrows)
        return -1;
    const struct drow *r = &d->rows[p->cursor];
    if (r->hunk < 0)
        return -1;
    *file = r->file, *hunk = r->hunk;
    return d->hunk_base[r->file] + r->hunk;
}

static void jump_hunk(struct pane *p, int dir)
{
    struct diff *d = diff_of(p);
    for (long r = p->cursor + dir; r >= 0 && r < d->nrows; r += dir)
        if (d->rows[r].type == R_HUNK) {
            pane_set_cursor(p, r);
            /* Show the hunk's lines below its header when they fit. */
            if (p->cursor - p->top > p->h / 3) {
                long max = diff_of(p)->nrows - p->h;
                p->top = p->cursor - p->h / 3;
                if (p->top > max)
                    p->top = max;
                if (p->top < 0)
                    p->top = 0;
            }
            return;
        }
}

/* This cockpit's own decision changes hunks before the next draw: their
 * states as drawn say nothing more (its next key sees them as they are). */
static void forget_drawn(struct diff *d)
{
    for (int i = 0; i < d->ndrawn; i++)
        d->drawn[i] = -1;
}

/* The state hunk g (file's hunk-th) was last seen in: as drawn, else as it is. */
static int seen_state(struct pane *p, int g, int file, int hunk)
{
    struct diff *d = diff_of(p);
    if (g >= 0 && g < d->ndrawn && d->drawn[g] >= 0)
        return d->drawn[g];
    return g >= 0 ? (int)ck_diff(p->ck)->files[file].hunks[hunk].state : -1;
}

static void decide(struct pane *p, int hunk, enum hk_verdict v, const char *reason, const char *text, int seen)
{
    void *data;
    const struct hk_cockpit_actions *a = ck_actions(p->ck, &data);
    struct hk_diffview *dv = ck_diff(p->ck);
    const char *seen_name = seen >= 0 ? hk_diffview_state_name((enum hk_dv_state)seen) : NULL;
    if (dv && a->decide)
        a->decide(dv->proposal_id, hunk, v, reason && *reason ? reason : NULL, text, seen_name, data);
    forget_drawn(diff_of(p));
}

static void on_reason(struct pane *p, const char *answer, void *data)
{
    if (!answer) /* Esc: no decision */
        return;
    int g = (int)(intptr_t)data;
    decide(p, g, HK_VERDICT_REJECT, answer, NULL, g >= 0 ? diff_of(p)->reject_seen : -1);
    if ((intptr_t)data >= 0)
        jump_hunk(p, 1);
}

static void edit_hunk(struct pane *p, int file, int hunk, int global)
{
    const struct hk_dv_hunk *h = &ck_diff(p->ck)->files[file].hunks[hunk];
    char *text = hk_diffview_hunk_new_text(h);
    char *edited = ck_edit_text(p->ck, text, ".txt");
    if (edited && strcmp(edited, text))
        decide(p, global, HK_VERDICT_EDIT, NULL, edited, seen_state(p, global, file, hunk));
    else if (edited)
        ck_status_message(p->ck, "the hunk was left unchanged");
    free(edited);
    free(text);
}

static unsigned diff_action(struct pane *p, enum km_action a)
{
    struct diff *d = diff_of(p);
    int file = -1, hunk = -1, g = current_hunk(p, &file, &hunk);
    void *data;
    const struct hk_cockpit_actions *acts = ck_actions(p->ck, &data);
    const unsigned done = PANE_HANDLED | PANE_REDRAW;
    switch (a) {
    case KM_NEXT_HUNK: jump_hunk(p, 1); return done;
    case KM_PREV_HUNK: jump_hunk(p, -1); return done;
    case KM_APPROVE_HUNK:
        if (g < 0)
            break;
        decide(p, g, HK_VERDICT_APPROVE, NULL, NULL, seen_state(p, g, file, hunk));
        jump_hunk(p, 1);
        return done;
    case KM_REJECT_HUNK:
        if (g < 0)
            break;
        diff_of(p)->reject_seen = seen_state(p, g, file, hunk);
        ck_prompt(p->ck, p, "Reject hunk: reason (optional, Enter to skip): ", on_reason, (void *)(intptr_t)g);
        return done;
    case KM_APPROVE_ALL: decide(p, -1, HK_VERDICT_APPROVE, NULL, NULL, -1); return done;
    case KM_REJECT_ALL:
        if (ck_diff(p->ck))
            ck_prompt(p->ck, p, "Reject proposal: reason (optional): ", on_reason, (void *)(intptr_t)-1);
        return done;
    case KM_EDIT_HUNK:
        if (g >= 0)
            edit_hunk(p, file, hunk, g);
        return done | PANE_ALL;
    case KM_UNDO:
        if (acts->undo)
            acts->undo(data);
        forget_drawn(d);
        return done;
    case KM_PREV_PROPOSAL:
    case KM_NEXT_PROPOSAL:
        if (acts->browse)
            acts->browse(a == KM_NEXT_PROPOSAL ? 1 : -1, data);
        return done;
    case KM_SCROLL_LEFT:
    case KM_SCROLL_RIGHT: hscroll(p, a == KM_SCROLL_RIGHT ? 1 : -1); return done;
    case KM_SIDE_BY_SIDE:
        if (!d->sbs && p->w < 100) {
            ck_status_message(p->ck, "side by side needs a Diff pane 100 columns wide (z zooms)");
            return done;
        }
        d->sbs = !d->sbs;
        build_rows(p);
        pane_set_cursor(p, p->cursor);
        return done;
    default: return 0;
    }
    ck_status_message(p->ck, "no hunk under the cursor (n: next hunk)");
    return done;
}

static long diff_rows(struct pane *p)
{
    return ck_diff(p->ck) ? diff_of(p)->nrows : 0;
}

static void diff_row_text(struct pane *p, long ri, struct hk_buf *out)
{
    const struct drow *r = &diff_of(p)->rows[ri];
    if (r->type != R_LINE) {
        header_text(p, r, out);
        return;
    }
    const struct hk_dv_line *l = line_at(p, r, r->line >= 0 ? r->line : r->line2);
    hk_buf_add(out, l->text, (size_t)l->len);
}

static void diff_title(struct pane *p, char *buf, int size)
{
    struct hk_diffview *dv = ck_diff(p->ck);
    int total = 0;
    int n = dv ? decided(dv, &total) : 0;
    char col[32] = "";
    if (diff_of(p)->hscroll)
        snprintf(col, sizeof col, "  col %d", diff_of(p)->hscroll);
    if (dv)
        snprintf(buf, size, "%s  %d/%d decided%s%s", dv->proposal_id, n, total,
                 diff_of(p)->sbs ? "  side by side" : "", col);
}

static void diff_resize(struct pane *p)
{
    struct diff *d = diff_of(p);
    if (d->sbs && p->w < 100) {
        d->sbs = false;
        build_rows(p);
    }
}

static void diff_free(struct pane *p)
{
    struct diff *d = diff_of(p);
    free(d->rows);
    free(d->hunk_base);
    free(d->shown_id);
    free(d->drawn);
    free(d);
}

static const struct pane_ops diff_ops = {
    .title = "Diff",
    .scope = KM_DIFF,
    .draw = diff_draw,
    .action = diff_action,
    .resize = diff_resize,
    .rows = diff_rows,
    .row_text = diff_row_text,
    .title_extra = diff_title,
    .reveal = diff_reveal,
    .free = diff_free,
};

struct pane *pane_diff_new(struct hk_cockpit *ck)
{
    struct pane *p = hk_xmalloc(sizeof *p);
    pane_init(p, &diff_ops, ck);
    p->priv = hk_xcalloc(1, sizeof(struct diff));
    p->has_cursor = true;
    p->follow = false;
    return p;
}
