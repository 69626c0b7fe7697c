/* Locating hunks in a file's original lines: by stated position, then by offset
 * search outward, then with fuzz (context dropped at the edges, as GNU patch
 * does); and the string replacement of edit_file, exact first, then tolerant. */
#include "patch_internal.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define CONTEXT 3

static int overlap_rule(size_t a, size_t b, size_t pos, size_t n)
{
    return n == 0 ? (a < pos && pos < b)
                  : (b == a ? (pos < a && a < pos + n) : (pos < b && a < pos + n));
}

static int placed_hunk(const struct hk_hunk *q)
{
    return q->result != HK_HUNK_FAILED && !q->meta;
}

static int overlaps_scan(const struct hk_patch_file *f, size_t pos, size_t n)
{
    for (size_t i = 0; i < f->nhunks; i++) {
        const struct hk_hunk *q = &f->hunks[i];
        if (placed_hunk(q) && overlap_rule(q->pos, q->pos + q->nold, pos, n))
            return 1;
    }
    return 0;
}

static int range_cmp(const void *x, const void *y)
{
    const struct range *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* Located hunks never overlap, so sorted by start their ends ascend too; when
 * that does not hold (hunks made otherwise), overlaps falls back to a scan. */
static int ends_ascend(const struct placed *pl, size_t from, size_t to)
{
    for (size_t i = from + (from == 0); i < to && i < pl->n; i++)
        if (pl->v[i - 1].b > pl->v[i].b)
            return 0;
    return 1;
}

static void placed_add(struct placed *pl, size_t a, size_t b);

void hk_patch_placed_init(struct placed *pl, const struct hk_patch_file *f)
{
    memset(pl, 0, sizeof *pl);
    for (size_t i = 0; i < f->nhunks; i++) {
        const struct hk_hunk *q = &f->hunks[i];
        if (placed_hunk(q))
            placed_add(pl, q->pos, q->pos + q->nold);
    }
}

static void placed_add(struct placed *pl, size_t a, size_t b)
{
    struct range r = {a, b};
    size_t lo = 0, hi = pl->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (range_cmp(&pl->v[mid], &r) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    pl->v = hk_patch_grow(pl->v, pl->n, sizeof *pl->v);
    memmove(pl->v + lo + 1, pl->v + lo, (pl->n - lo) * sizeof *pl->v);
    pl->v[lo] = r;
    pl->n++;
    if (!ends_ascend(pl, lo, lo + 2))
        pl->linear = 1;
}

void hk_patch_placed_free(struct placed *pl)
{
    free(pl->v);
    memset(pl, 0, sizeof *pl);
}

/* Every range that can overlap [pos, pos + n) ends after pos and starts before
 * pos + n: a binary search for the first, a short walk to the second. */
static int overlaps(const struct hk_patch_file *f, const struct placed *pl, size_t pos, size_t n)
{
    if (pl->linear)
        return overlaps_scan(f, pos, n);
    size_t lo = 0, hi = pl->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (pl->v[mid].b <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < pl->n && pl->v[i].a < pos + n; i++)
        if (overlap_rule(pl->v[i].a, pl->v[i].b, pos, n))
            return 1;
    return 0;
}

/* The old side (context and deleted lines) of a parsed hunk. */
struct side {
    const struct hk_patch_line **v;
    size_t n, lead, trail; /* lines, leading and trailing context */
};

static void old_side(const struct spec_hunk *sh, struct side *s)
{
    s->v = hk_xmalloc((sh->lines.n + 1) * sizeof *s->v);
    s->n = s->lead = s->trail = 0;
    int seen_change = 0;
    for (size_t i = 0; i < sh->lines.n; i++) {
        const struct hk_patch_line *l = &sh->lines.v[i];
        if (l->kind != HK_LINE_CONTEXT)
            seen_change = 1;
        if (l->kind == HK_LINE_ADD)
            continue;
        s->v[s->n++] = l;
        if (!seen_change)
            s->lead++;
    }
    for (size_t i = sh->lines.n; i-- > 0 && sh->lines.v[i].kind == HK_LINE_CONTEXT;)
        s->trail++;
    if (!seen_change)
        s->trail = 0;
}

static int match_at(const struct hk_patch_file *f, const struct side *s, size_t drop_l,
                    size_t m, size_t pos, int loose)
{
    for (size_t k = 0; k < m; k++) {
        const struct hk_patch_line *a = &f->orig[pos + k], *b = s->v[drop_l + k];
        if (!(loose ? hk_patch_line_eq_loose(a, b, 0) : hk_patch_line_eq(a, b)))
            return 0;
    }
    return 1;
}

static int fits(const struct hk_patch_file *f, const struct placed *pl, const struct side *s,
                size_t drop_l, size_t m, long p, int loose)
{
    return match_at(f, s, drop_l, m, (size_t)p, loose) && !overlaps(f, pl, (size_t)p, m);
}

/* Searches outward from e, the nearest match first (as GNU patch and git do). */
static int search(const struct hk_patch_file *f, const struct placed *pl, const struct side *s,
                  size_t drop_l, size_t m, long e, int loose, size_t *pos)
{
    long last = (long)f->norig - (long)m, p;
    if (last < 0)
        return 0;
    e = e < 0 ? 0 : e > last ? last : e;
    for (long d = 0; e - d >= 0 || e + d <= last; d++) {
        if (e + d <= last && fits(f, pl, s, drop_l, m, p = e + d, loose))
            goto found;
        if (d && e - d >= 0 && fits(f, pl, s, drop_l, m, p = e - d, loose))
            goto found;
    }
    return 0;
found:
    *pos = (size_t)p;
    return 1;
}

/* A heading names its line by a prefix (git cuts it at 80 bytes); an
 * envelope's anchor is the whole line; both ignore surrounding blanks. */
static int anchor_is(const struct hk_patch_line *l, const char *a, int heading)
{
    struct hk_patch_line want = {HK_LINE_CONTEXT, (char *)a, strlen(a), 0};
    if (!heading)
        return hk_patch_line_eq_loose(l, &want, 1);
    size_t i = 0;
    while (i < l->len && (l->text[i] == ' ' || l->text[i] == '\t'))
        i++;
    return l->len - i >= want.len && memcmp(l->text + i, a, want.len) == 0;
}

/* The index of the (last) anchor line, searched from the cursor, then from
 * the top; -1 with a reason when it is not in the file. */
static long find_anchors(const struct hk_patch_file *f, const struct spec_hunk *sh,
                         size_t from, char **reason)
{
    size_t at = from;
    long line = -1;
    for (size_t a = 0; a < sh->nanchors; a++) {
        const char *want = sh->anchors[a];
        size_t j = at;
        while (j < f->norig && !anchor_is(&f->orig[j], want, sh->heading))
            j++;
        if (j == f->norig) {
            for (j = 0; j < at && !anchor_is(&f->orig[j], want, sh->heading); j++)
                ;
            if (j == at) {
                *reason = sh->heading
                    ? hk_xasprintf("the hunk header has no line numbers and its heading '%s' "
                                   "is not a line of the file", want)
                    : hk_xasprintf("anchor line '%s' not found", want);
                return -1;
            }
        }
        line = (long)j;
        at = j + 1;
    }
    return line;
}

static void fill_hunk(struct hk_patch_file *f, const struct spec_hunk *sh, const struct side *s,
                      size_t drop_l, size_t m, size_t pos, struct hk_hunk *h)
{
    struct lines out = {0};
    size_t k = 0; /* index on the old side */
    for (size_t i = 0; i < sh->lines.n; i++) {
        const struct hk_patch_line *l = &sh->lines.v[i];
        if (l->kind == HK_LINE_ADD) {
            if (k >= drop_l && k <= drop_l + m)
                hk_patch_lines_push(&out, HK_LINE_ADD, l->text, l->len, l->noeol);
            continue;
        }
        if (k >= drop_l && k < drop_l + m) {
            const struct hk_patch_line *o = &f->orig[pos + k - drop_l];
            hk_patch_lines_push(&out, l->kind, o->text, o->len, o->noeol);
        }
        k++;
    }
    (void)s;
    h->lines = hk_patch_lines_pack(out.v, out.n);
    h->nlines = out.n;
    hk_patch_lines_free(&out);
    h->pos = pos;
    h->nold = m;
    h->old_start = (int)(m ? pos + 1 : pos);
    h->old_count = (int)m;
}

/* Why a hunk found no place (negative, as try_levels returns the fuzz used). */
enum { NOT_FOUND = -1, AMBIGUOUS = -2, NO_PLACE = -3 };

/* Where a numberless hunk may go: after its anchor line (the line itself
 * included, as models repeat it as context), or from the previous hunk's end;
 * an "*** End of File" hunk only at the end. */
struct region {
    long from, to; /* first positions of the old side, [from, to) */
    long wrap_to;  /* then [0, wrap_to) when nothing matched: hunks out of order */
};

static int count_fits(const struct hk_patch_file *f, const struct placed *pl, const struct side *s,
                      size_t drop_l, size_t m, long from, long to, int loose, size_t *pos)
{
    int n = 0;
    long last = (long)f->norig - (long)m;
    for (long p = from < 0 ? 0 : from; p < to && p <= last && n < 2; p++) {
        if (fits(f, pl, s, drop_l, m, p, loose)) {
            if (!n)
                *pos = (size_t)p;
            n++;
        }
    }
    return n;
}

/* A numberless hunk is placed only where its context matches once: a second
 * match would make the place a guess. Returns 1 placed, 0 no match, -1
 * ambiguous. */
static int search_unique(const struct hk_patch_file *f, const struct placed *pl,
                         const struct side *s, size_t drop_l, size_t m, const struct region *r,
                         int loose, size_t *pos)
{
    int n = count_fits(f, pl, s, drop_l, m, r->from + (long)drop_l, r->to + (long)drop_l, loose,
                       pos);
    if (!n && r->wrap_to > 0)
        n = count_fits(f, pl, s, drop_l, m, 0, r->wrap_to, loose, pos);
    return n > 1 ? -1 : n;
}

/* A hunk with a "\r" in any line was written for the file's line ends (its
 * context lost them to trimming, not to an LF editor): its lines stay as written. */
static int knows_cr(const struct spec_hunk *sh)
{
    for (size_t i = 0; i < sh->lines.n; i++) {
        const struct hk_patch_line *l = &sh->lines.v[i];
        if (l->len && l->text[l->len - 1] == '\r')
            return 1;
    }
    return 0;
}

static int try_levels(struct hk_patch_file *f, const struct placed *pl, const struct spec_hunk *sh,
                      const struct side *s, int fuzz, long e, const struct region *r,
                      struct hk_hunk *h)
{
    size_t prev_l = (size_t)-1, prev_t = (size_t)-1;
    for (int fz = 0; fz <= fuzz; fz++) {
        size_t dl = (size_t)fz < s->lead ? (size_t)fz : s->lead;
        size_t dt = (size_t)fz < s->trail ? (size_t)fz : s->trail;
        if (dl == prev_l && dt == prev_t)
            continue;
        prev_l = dl, prev_t = dt;
        size_t m = s->n - dl - dt;
        if (m == 0 && s->n > 0)
            break;
        for (int loose = 0; loose < 2; loose++) {
            size_t pos;
            int found = sh->numbered ? search(f, pl, s, dl, m, e + (long)dl, loose, &pos)
                                     : search_unique(f, pl, s, dl, m, r, loose, &pos);
            if (found < 0)
                return AMBIGUOUS;
            if (!found)
                continue;
            fill_hunk(f, sh, s, dl, m, pos, h);
            h->fuzz = (int)(dl > dt ? dl : dt);
            h->whitespace = loose;
            if (loose && !knows_cr(sh)) /* a patch written for LF text meeting a CRLF file */
                hk_patch_hunk_fix_eol(f, h);
            return (int)dl;
        }
    }
    return NOT_FOUND;
}

static void numberless_region(const struct hk_patch_file *f, const struct spec_hunk *sh,
                              const struct side *s, size_t cursor, long anchor, struct region *r)
{
    long end = (long)f->norig + 1;
    r->from = (long)cursor, r->to = end, r->wrap_to = (long)cursor;
    if (anchor >= 0)
        r->from = anchor, r->wrap_to = 0;
    if (sh->at_eof)
        r->from = (long)f->norig - (long)s->n, r->wrap_to = 0;
}

/* A numberless hunk with no old side says nothing of where it goes, unless
 * the file is empty, it is to end the file, or an envelope's anchor names the
 * line it follows. Returns the position, or -1. */
static long bare_insertion(const struct hk_patch_file *f, const struct spec_hunk *sh, long anchor)
{
    if (!f->norig)
        return 0;
    if (sh->at_eof)
        return (long)f->norig;
    if (anchor >= 0 && !sh->heading)
        return anchor + 1;
    return -1;
}

static char *failure_reason(const struct spec_hunk *sh, int why)
{
    if (why == AMBIGUOUS)
        return hk_xstrdup("the hunk has no line numbers and its context matches more than one "
                          "place in the file");
    if (why == NO_PLACE)
        return hk_xstrdup("the hunk has no line numbers and no context lines, so nothing says "
                          "where it goes");
    return sh->numbered ? hk_xasprintf("context not found near line %d", sh->old_start)
                        : hk_xstrdup("context not found");
}

static int place(struct hk_patch_file *f, struct placed *pl, const struct spec_hunk *sh,
                 const struct side *s, int fuzz, long anchor, int last_off, size_t cursor,
                 struct hk_hunk *h)
{
    long e = (sh->old_count == 0 ? sh->old_start : sh->old_start - 1) + last_off;
    struct region r = {0, 0, 0};
    if (!sh->numbered && !s->n) {
        long at = bare_insertion(f, sh, anchor);
        if (at < 0)
            return NO_PLACE;
        fill_hunk(f, sh, s, 0, 0, (size_t)at, h);
        return 0;
    }
    if (!sh->numbered)
        numberless_region(f, sh, s, cursor, anchor, &r);
    return try_levels(f, pl, sh, s, fuzz, e, &r, h);
}

int hk_patch_locate_hunk(struct hk_patch_file *f, struct placed *pl, const struct spec_hunk *sh, int fuzz,
                int *last_off, size_t *cursor, struct hk_hunk *h)
{
    struct side s;
    old_side(sh, &s);
    int rc = -1;
    long anchor = -1;
    if (sh->nanchors && !sh->numbered &&
        (anchor = find_anchors(f, sh, *cursor, &h->reason)) < 0)
        goto out;
    int dl = place(f, pl, sh, &s, fuzz, anchor, *last_off, *cursor, h);
    if (dl < 0) {
        h->reason = failure_reason(sh, dl);
        goto out;
    }
    long stated = sh->old_count == 0 ? sh->old_start : sh->old_start - 1;
    h->offset = sh->numbered ? (int)((long)h->pos - dl - stated) : 0;
    if (sh->numbered)
        *last_off = h->offset;
    *cursor = h->pos + h->nold;
    h->result = h->fuzz ? HK_HUNK_FUZZ : h->offset ? HK_HUNK_OFFSET : HK_HUNK_EXACT;
    placed_add(pl, h->pos, h->pos + h->nold);
    rc = 0;
out:
    if (rc < 0) {
        h->result = HK_HUNK_FAILED;
        h->state = HK_HUNK_REJECTED;
    }
    free(s.v);
    return rc;
}

static int lacks_cr(const struct hk_patch_line *l)
{
    return l->kind == HK_LINE_ADD && !(l->len && l->text[l->len - 1] == '\r');
}

void hk_patch_hunk_fix_eol(const struct hk_patch_file *f, struct hk_hunk *h)
{
    if (!f->norig || f->orig[0].noeol || !f->orig[0].len ||
        f->orig[0].text[f->orig[0].len - 1] != '\r')
        return;
    size_t need = 0;
    for (size_t i = 0; i < h->nlines; i++)
        need += lacks_cr(&h->lines[i]);
    if (!need)
        return;
    struct lines out = {0};
    for (size_t i = 0; i < h->nlines; i++) {
        const struct hk_patch_line *l = &h->lines[i];
        if (!lacks_cr(l)) {
            hk_patch_lines_push(&out, l->kind, l->text, l->len, l->noeol);
            continue;
        }
        char *t = hk_patch_lines_own(&out, hk_xasprintf("%.*s\r", (int)l->len, l->text));
        hk_patch_lines_push(&out, l->kind, t, l->len + 1, l->noeol);
    }
    struct hk_patch_line *packed = hk_patch_lines_pack(out.v, out.n);
    hk_patch_lines_free(&out);
    hk_patch_lines_free_array(h->lines, h->nlines); /* out borrowed its texts */
    h->lines = packed;
}

/* ---- hunks from a whole-file diff (write_file) ---- */

static void add_hunk(struct hk_patch_file *f, const struct lines *d, size_t from, size_t to,
                     size_t pos)
{
    f->hunks = hk_patch_grow(f->hunks, f->nhunks, sizeof *f->hunks);
    struct hk_hunk *h = &f->hunks[f->nhunks++];
    memset(h, 0, sizeof *h);
    for (size_t i = from; i < to; i++)
        h->nold += d->v[i].kind != HK_LINE_ADD;
    h->lines = hk_patch_lines_pack(d->v + from, to - from);
    h->nlines = to - from;
    h->pos = pos;
    h->old_start = (int)(h->nold ? pos + 1 : pos);
    h->old_count = (int)h->nold;
}

void hk_patch_hunks_from_diff(struct hk_patch_file *f, const struct hk_patch_line *b, size_t nb)
{
    struct lines d = {0};
    hk_patch_diff_lines(f->orig, f->norig, b, nb, &d);
    size_t i = 0, oldi = 0;
    while (i < d.n) {
        if (d.v[i].kind == HK_LINE_CONTEXT) {
            i++, oldi++;
            continue;
        }
        size_t from = i, back = 0;
        while (from > 0 && back < CONTEXT && d.v[from - 1].kind == HK_LINE_CONTEXT)
            from--, back++;
        size_t end = i, gap = 0;
        for (size_t j = i; j < d.n && gap <= 2 * CONTEXT; j++) {
            gap = d.v[j].kind == HK_LINE_CONTEXT ? gap + 1 : 0;
            if (!gap)
                end = j + 1;
        }
        size_t to = end;
        while (to < d.n && to - end < CONTEXT && d.v[to].kind == HK_LINE_CONTEXT)
            to++;
        add_hunk(f, &d, from, to, oldi - back);
        for (size_t j = i; j < to; j++)
            oldi += d.v[j].kind != HK_LINE_ADD;
        i = to;
    }
    hk_patch_lines_free(&d);
}
