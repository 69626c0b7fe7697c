/* What every pane shares: scrolling with follow-at-bottom, a cursor row,
 * and UTF-8 aware drawing and wrapping (search is in pane_search.c). */
#include "pane.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define TAB_WIDTH 4

void pane_init(struct pane *p, const struct pane_ops *ops, struct hk_cockpit *ck)
{
    memset(p, 0, sizeof *p);
    p->ops = ops;
    p->ck = ck;
    p->follow = true;
    p->dirty = true;
}

static long max_top(struct pane *p)
{
    long n = p->ops->rows(p) - p->h;
    return n > 0 ? n : 0;
}

void pane_scroll_by(struct pane *p, long delta)
{
    long top = p->top + delta, mt = max_top(p);
    p->top = top < 0 ? 0 : top > mt ? mt : top;
    p->follow = p->top >= mt;
}

void pane_set_cursor(struct pane *p, long row)
{
    long n = p->ops->rows(p);
    if (row >= n)
        row = n - 1;
    if (row < 0)
        row = 0;
    p->cursor = row;
    if (row < p->top)
        p->top = row;
    else if (p->h > 0 && row >= p->top + p->h)
        p->top = row - p->h + 1;
    p->follow = false;
}

void pane_rows_changed(struct pane *p)
{
    long mt = max_top(p);
    if (p->follow && !p->has_cursor)
        p->top = mt;
    else if (p->top > mt)
        p->top = mt;
}

void pane_go_to(struct pane *p, long row)
{
    if (p->has_cursor) {
        pane_set_cursor(p, row);
        return;
    }
    p->top = row;
    pane_scroll_by(p, 0);
}

unsigned pane_default_action(struct pane *p, enum km_action a)
{
    long page = p->h > 1 ? p->h - 1 : 1;
    long step = 0;
    switch (a) {
    case KM_LINE_DOWN: step = 1; break;
    case KM_LINE_UP: step = -1; break;
    case KM_PAGE_DOWN: step = page; break;
    case KM_PAGE_UP: step = -page; break;
    case KM_TOP:
        pane_go_to(p, 0);
        return PANE_HANDLED | PANE_REDRAW;
    case KM_BOTTOM:
        if (p->has_cursor) {
            pane_set_cursor(p, p->ops->rows(p) - 1);
        } else {
            p->top = max_top(p);
            p->follow = true;
        }
        return PANE_HANDLED | PANE_REDRAW;
    case KM_SEARCH:
        pane_search_start(p);
        return PANE_HANDLED | PANE_REDRAW;
    case KM_SEARCH_NEXT:
    case KM_SEARCH_PREV:
        pane_search_step(p, a == KM_SEARCH_NEXT ? 1 : -1);
        return PANE_HANDLED | PANE_REDRAW;
    default:
        return 0;
    }
    if (p->has_cursor)
        pane_set_cursor(p, p->cursor + step);
    else
        pane_scroll_by(p, step);
    return PANE_HANDLED | PANE_REDRAW;
}

/* Decodes one character; *wc is U+FFFD for invalid bytes. Returns bytes used. */
static int next_char(const char *s, int len, wchar_t *wc)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = mbrtowc(wc, s, (size_t)len, &st);
    if (n == (size_t)-1 || n == (size_t)-2) {
        *wc = L'?';
        return 1;
    }
    return n == 0 ? 1 : (int)n;
}

int text_char_width(wchar_t wc)
{
    if (wc == L'\t')
        return TAB_WIDTH;
    int w = wcwidth(wc);
    return w < 0 ? 1 : w;
}

int text_width(const char *s, int len, int maxw, int *fit)
{
    int cols = 0, i = 0;
    while (i < len) {
        wchar_t wc;
        int n = next_char(s + i, len - i, &wc);
        int cw = text_char_width(wc);
        if (maxw >= 0 && cols + cw > maxw)
            break;
        cols += cw;
        i += n;
    }
    if (fit)
        *fit = i;
    return cols;
}

int text_decode(const char *s, int len, wchar_t *out)
{
    int n = 0;
    for (int i = 0; i < len; n++) {
        wchar_t wc;
        i += next_char(s + i, len - i, &wc);
        out[n] = wc;
    }
    return n;
}

int text_skip(const char *s, int len, int *skip)
{
    int i = 0;
    while (i < len && *skip > 0) {
        wchar_t wc;
        int n = next_char(s + i, len - i, &wc);
        *skip -= text_char_width(wc);
        i += n;
    }
    return i;
}

int wrap_next(const char *s, int len, int width)
{
    int cols = 0, i = 0, last_space = -1;
    if (width < 1)
        width = 1;
    while (i < len) {
        wchar_t wc;
        int n = next_char(s + i, len - i, &wc);
        int cw = text_char_width(wc);
        if (cols + cw > width) {
            if (wc == L' ')
                return i + n; /* the space that overflows ends the row */
            if (last_space > 0)
                return last_space;
            return i ? i : n;
        }
        cols += cw;
        i += n;
        if (wc == L' ')
            last_space = i;
    }
    return i;
}

int draw_text(WINDOW *w, int y, int x, const char *s, int len, int maxw)
{
    wchar_t buf[512];
    int nb = 0, cols = 0, i = 0;
    wmove(w, y, x);
    while (i < len && cols < maxw) {
        wchar_t wc;
        int n = next_char(s + i, len - i, &wc);
        int cw = text_char_width(wc);
        if (cols + cw > maxw)
            break;
        if (nb > (int)(sizeof buf / sizeof buf[0]) - TAB_WIDTH - 1) {
            waddnwstr(w, buf, nb);
            nb = 0;
        }
        if (wc == L'\t') {
            for (int k = 0; k < TAB_WIDTH; k++)
                buf[nb++] = L' ';
        } else if (wc < 32 || wc == 127 || wcwidth(wc) < 0) {
            buf[nb++] = L'?';
        } else {
            buf[nb++] = wc;
        }
        cols += cw;
        i += n;
    }
    if (nb)
        waddnwstr(w, buf, nb);
    return cols;
}

int draw_text_slot(WINDOW *w, int y, int x, const char *s, int len, int maxw, enum th_slot slot)
{
    hk_theme_set(w, slot);
    return draw_text(w, y, x, s, len, maxw);
}

void draw_fill(WINDOW *w, int y, int x, int n)
{
    if (n <= 0)
        return;
    static const wchar_t blanks[] = L"                                ";
    wmove(w, y, x);
    for (; n > 0; n -= 32)
        waddnwstr(w, blanks, n < 32 ? n : 32);
}

const char *ev_str(const struct hk_event *ev, const char *key)
{
    return hk_json_str(ev->data, key);
}

double ev_num(const struct hk_event *ev, const char *key, double dflt)
{
    const cJSON *v = ev->data ? cJSON_GetObjectItemCaseSensitive(ev->data, key) : NULL;
    if (cJSON_IsNumber(v))
        return v->valuedouble;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    return dflt;
}
