/* edit_file's string replacement: an exact match first, then a match that
 * tolerates indentation, trailing blanks and CRLF; ambiguity is refused. */
#include "patch_internal.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LISTED 8

struct matches {
    size_t *v; /* byte offsets (exact) or line numbers (tolerant) */
    size_t n;
};

static void push(struct matches *m, size_t x)
{
    m->v = hk_patch_grow(m->v, m->n, sizeof *m->v);
    m->v[m->n++] = x;
}

static size_t line_of(const size_t *starts, size_t nlines, size_t off)
{
    size_t lo = 0, hi = nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static char *ambiguous(const char *path, const size_t *lines, size_t n)
{
    struct hk_buf b = {0};
    hk_buf_printf(&b, "old_string matches %zu places in '%s' (lines ", n, path);
    for (size_t i = 0; i < n && i < MAX_LISTED; i++)
        hk_buf_printf(&b, "%s%zu", i ? ", " : "", lines[i]);
    hk_buf_adds(&b, n > MAX_LISTED ? ", ...)" : ")");
    hk_buf_adds(&b, "; add surrounding lines to old_string so that it matches once, "
                    "or set replace_all");
    return hk_buf_steal(&b);
}

static struct hk_hunk *new_hunk(struct hk_patch_file *f)
{
    f->hunks = hk_patch_grow(f->hunks, f->nhunks, sizeof *f->hunks);
    struct hk_hunk *h = &f->hunks[f->nhunks++];
    memset(h, 0, sizeof *h);
    return h;
}

static void set_hunk(struct hk_patch_file *f, size_t pos, size_t nold, const struct lines *nw,
                     int whitespace)
{
    struct hk_hunk *h = new_hunk(f);
    struct lines d = {0};
    hk_patch_diff_lines(f->orig + pos, nold, nw->v, nw->n, &d);
    h->lines = hk_patch_lines_pack(d.v, d.n);
    h->nlines = d.n;
    hk_patch_lines_free(&d);
    h->pos = pos;
    h->nold = nold;
    h->old_start = (int)(nold ? pos + 1 : pos);
    h->old_count = (int)nold;
    h->whitespace = whitespace;
    hk_patch_hunk_fix_eol(f, h);
}

/* One hunk per run of lines touched by exact matches. */
static void exact_hunks(struct hk_patch_file *f, const char *data, const size_t *starts,
                        const struct matches *m, size_t olen, const char *new_s)
{
    size_t k = 0;
    while (k < m->n) {
        size_t l0 = line_of(starts, f->norig, m->v[k]);
        size_t l1 = line_of(starts, f->norig, m->v[k] + (olen ? olen - 1 : 0));
        size_t first = k++;
        while (k < m->n && line_of(starts, f->norig, m->v[k]) <= l1)
            l1 = line_of(starts, f->norig, m->v[k++] + olen - 1);
        size_t rs = starts[l0], re = l1 + 1 < f->norig ? starts[l1 + 1] : strlen(data);
        struct hk_buf b = {0};
        size_t at = rs;
        for (size_t j = first; j < k; j++) {
            hk_buf_add(&b, data + at, m->v[j] - at);
            hk_buf_adds(&b, new_s);
            at = m->v[j] + olen;
        }
        hk_buf_add(&b, data + at, re - at);
        struct lines nw = {0};
        hk_patch_lines_split(&nw, b.data ? b.data : "", b.len);
        set_hunk(f, l0, l1 - l0 + 1, &nw, 0);
        hk_patch_lines_free(&nw);
        hk_buf_free(&b);
    }
}

static void trim_blank_edges(struct lines *l)
{
    struct hk_patch_line blank = {HK_LINE_CONTEXT, "", 0, 0};
    while (l->n && hk_patch_line_eq_loose(&l->v[l->n - 1], &blank, 1))
        l->n--;
    size_t lead = 0;
    while (lead < l->n && hk_patch_line_eq_loose(&l->v[lead], &blank, 1))
        lead++;
    memmove(l->v, l->v + lead, (l->n - lead) * sizeof *l->v);
    l->n -= lead;
    for (size_t i = 0; i < l->n; i++)
        l->v[i].noeol = 0;
}

static size_t indent_len(const struct hk_patch_line *l)
{
    size_t i = 0;
    while (i < l->len && (l->text[i] == ' ' || l->text[i] == '\t'))
        i++;
    return i;
}

/* Moves the new lines from the model's indentation to the file's. */
static void reindent(struct lines *nw, const struct hk_patch_line *model,
                     const struct hk_patch_line *file)
{
    size_t mi = indent_len(model), fi = indent_len(file);
    if (mi == fi && memcmp(model->text, file->text, mi) == 0)
        return;
    for (size_t i = 0; i < nw->n; i++) {
        struct hk_patch_line *l = &nw->v[i];
        if (l->len < mi || memcmp(l->text, model->text, mi) != 0 || !l->len)
            continue;
        char *t = hk_xasprintf("%.*s%.*s", (int)fi, file->text, (int)(l->len - mi),
                               l->text + mi);
        l->text = hk_patch_lines_own(nw, t);
        l->len = strlen(t);
    }
}

static void tolerant_find(const struct hk_patch_file *f, const struct lines *old,
                          struct matches *m)
{
    for (size_t p = 0; old->n && p + old->n <= f->norig; p++) {
        size_t k = 0;
        while (k < old->n && hk_patch_line_eq_loose(&f->orig[p + k], &old->v[k], 1))
            k++;
        if (k == old->n) {
            push(m, p);
            p += old->n - 1;
        }
    }
}

static size_t distance(const char *a, size_t na, const char *b, size_t nb)
{
    size_t *row = hk_xmalloc((nb + 1) * sizeof *row);
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[nb];
    free(row);
    return d;
}

static void trimmed(const struct hk_patch_line *l, const char **s, size_t *n)
{
    size_t i = indent_len(l), e = l->len;
    while (e > i && (l->text[e - 1] == ' ' || l->text[e - 1] == '\t' || l->text[e - 1] == '\r'))
        e--;
    *s = l->text + i;
    *n = e - i > 200 ? 200 : e - i;
}

static char *not_found(const struct hk_patch_file *f, const struct lines *old)
{
    const char *want, *got;
    size_t nwant, ngot, best = (size_t)-1, at = 0;
    trimmed(&old->v[0], &want, &nwant);
    for (size_t i = 0; i < f->norig && i < 20000; i++) {
        trimmed(&f->orig[i], &got, &ngot);
        size_t d = distance(want, nwant, got, ngot);
        if (d < best)
            best = d, at = i;
    }
    if (best == (size_t)-1 || best * 2 > nwant)
        return hk_xasprintf("old_string was not found in '%s'", f->path);
    trimmed(&f->orig[at], &got, &ngot);
    return hk_xasprintf("old_string was not found in '%s'; the closest line is %zu: '%.*s'",
                        f->path, at + 1, (int)ngot, got);
}

static int tolerant(struct hk_patch_file *f, const char *old_s, const char *new_s,
                    int replace_all, char **err)
{
    struct lines old = {0}, nw = {0};
    struct matches m = {0};
    int rc = -1;
    hk_patch_lines_split(&old, old_s, strlen(old_s));
    trim_blank_edges(&old);
    if (!old.n) {
        *err = hk_xasprintf("old_string is only blank lines and was not found in '%s'", f->path);
        goto out;
    }
    tolerant_find(f, &old, &m);
    if (!m.n) {
        *err = not_found(f, &old);
        goto out;
    }
    for (size_t i = 0; i < m.n; i++)
        m.v[i]++;
    if (m.n > 1 && !replace_all) {
        *err = ambiguous(f->path, m.v, m.n);
        goto out;
    }
    for (size_t i = 0; i < m.n; i++) {
        hk_patch_lines_split(&nw, new_s, strlen(new_s));
        trim_blank_edges(&nw);
        reindent(&nw, &old.v[0], &f->orig[m.v[i] - 1]);
        set_hunk(f, m.v[i] - 1, old.n, &nw, 1);
        hk_patch_lines_free(&nw);
    }
    rc = 0;
out:
    hk_patch_lines_free(&old);
    free(m.v);
    return rc;
}

int hk_patch_locate_edit(struct hk_patch_file *f, const char *old_s, const char *new_s, int replace_all,
                char **err)
{
    size_t len, olen = strlen(old_s);
    char *data = hk_patch_lines_join(f->orig, f->norig, &len);
    size_t *starts = hk_xmalloc((f->norig + 1) * sizeof *starts);
    struct matches m = {0};
    int rc = -1;
    for (size_t i = 0, off = 0; i < f->norig; off += f->orig[i].len + 1, i++)
        starts[i] = off;
    for (const char *p = data; (p = strstr(p, old_s)) != NULL; p += olen)
        push(&m, (size_t)(p - data));
    if (!m.n) {
        rc = tolerant(f, old_s, new_s, replace_all, err);
        goto out;
    }
    if (m.n > 1 && !replace_all) {
        for (size_t i = 0; i < m.n; i++)
            m.v[i] = line_of(starts, f->norig, m.v[i]) + 1;
        *err = ambiguous(f->path, m.v, m.n);
        goto out;
    }
    exact_hunks(f, data, starts, &m, olen, new_s);
    rc = 0;
out:
    free(m.v);
    free(starts);
    free(data);
    return rc;
}
