/* Building and freeing diff views; unified diff text to a view; word spans. */
#include "diffview.h"
#include "repo.h" /* hk_diff_word_spans */

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROW(arr, n, cap)                                                         \
    do {                                                                          \
        if ((n) == (cap)) {                                                       \
            (cap) = (cap) ? (cap) * 2 : 8;                                        \
            (arr) = hk_xrealloc((arr), (size_t)(cap) * sizeof *(arr));            \
        }                                                                         \
    } while (0)

struct hk_diffview *hk_diffview_new(const char *proposal_id, const char *summary)
{
    struct hk_diffview *dv = hk_xcalloc(1, sizeof *dv);
    dv->proposal_id = hk_xstrdup(proposal_id ? proposal_id : "");
    dv->summary = summary ? hk_xstrdup(summary) : NULL;
    return dv;
}

void hk_diffview_free(struct hk_diffview *dv)
{
    if (!dv)
        return;
    for (int i = 0; i < dv->nfiles; i++) {
        struct hk_dv_file *f = &dv->files[i];
        for (int j = 0; j < f->nhunks; j++) {
            struct hk_dv_hunk *h = &f->hunks[j];
            for (int k = 0; k < h->nlines; k++) {
                free(h->lines[k].text);
                free(h->lines[k].spans);
            }
            free(h->lines), free(h->context), free(h->note), free(h->reason);
        }
        free(f->hunks), free(f->path), free(f->old_path);
    }
    free(dv->files), free(dv->proposal_id), free(dv->summary);
    free(dv);
}

struct hk_dv_file *hk_diffview_add_file(struct hk_diffview *dv, const char *path,
                                        const char *old_path, enum hk_dv_status status)
{
    GROW(dv->files, dv->nfiles, dv->cap);
    struct hk_dv_file *f = &dv->files[dv->nfiles++];
    memset(f, 0, sizeof *f);
    f->path = hk_xstrdup(path);
    f->old_path = old_path ? hk_xstrdup(old_path) : NULL;
    f->status = status;
    return f;
}

struct hk_dv_hunk *hk_diffview_add_hunk(struct hk_dv_file *f, int old_start, int old_count,
                                        int new_start, int new_count, const char *context)
{
    GROW(f->hunks, f->nhunks, f->cap);
    struct hk_dv_hunk *h = &f->hunks[f->nhunks++];
    memset(h, 0, sizeof *h);
    h->old_start = old_start, h->old_count = old_count;
    h->new_start = new_start, h->new_count = new_count;
    h->context = context && *context ? hk_xstrdup(context) : NULL;
    return h;
}

struct hk_dv_line *hk_diffview_add_line(struct hk_dv_file *f, struct hk_dv_hunk *h,
                                        enum hk_dv_kind kind, int old_no, int new_no,
                                        const char *text, int len)
{
    GROW(h->lines, h->nlines, h->cap);
    struct hk_dv_line *l = &h->lines[h->nlines++];
    memset(l, 0, sizeof *l);
    l->kind = kind, l->old_no = old_no, l->new_no = new_no;
    l->text = hk_xstrndup(text, (size_t)len);
    l->len = len;
    f->adds += kind == HK_DV_ADD;
    f->dels += kind == HK_DV_DEL;
    return l;
}

static void add_span(struct hk_dv_line *l, int start, int end)
{
    if (end <= start)
        return;
    l->spans = hk_xrealloc(l->spans, (size_t)(l->nspans + 1) * sizeof *l->spans);
    l->spans[l->nspans++] = (struct hk_dv_span){start, end};
}

/* The word-level changes of a deleted/added line pair, as the repository
 * diff computes them (one tokenizer and LCS for every diff honk shows). */
static void pair_spans(struct hk_dv_line *del, struct hk_dv_line *add)
{
    free(del->spans);
    free(add->spans);
    del->spans = add->spans = NULL;
    del->nspans = add->nspans = 0;
    struct hk_diff_span a[32], b[32];
    unsigned na = 0, nb = 0;
    hk_diff_word_spans(del->text, (unsigned)del->len, add->text, (unsigned)add->len, a, &na, b, &nb, 32);
    for (unsigned i = 0; i < na; i++)
        add_span(del, (int)a[i].start, (int)a[i].end);
    for (unsigned i = 0; i < nb; i++)
        add_span(add, (int)b[i].start, (int)b[i].end);
}

void hk_diffview_word_spans(struct hk_diffview *dv)
{
    for (int i = 0; i < dv->nfiles; i++)
        for (int j = 0; j < dv->files[i].nhunks; j++) {
            struct hk_dv_hunk *h = &dv->files[i].hunks[j];
            for (int k = 0; k < h->nlines;) {
                int d0 = k;
                while (k < h->nlines && h->lines[k].kind == HK_DV_DEL)
                    k++;
                int a0 = k;
                while (k < h->nlines && h->lines[k].kind == HK_DV_ADD)
                    k++;
                for (int n = 0; n < a0 - d0 && n < k - a0; n++)
                    pair_spans(&h->lines[d0 + n], &h->lines[a0 + n]);
                if (k == d0)
                    k++;
            }
        }
}

static char *strip_prefix(const char *line, size_t len)
{
    if (len >= 2 && (!strncmp(line, "a/", 2) || !strncmp(line, "b/", 2)))
        line += 2, len -= 2;
    while (len && (line[len - 1] == '\t' || line[len - 1] == ' '))
        len--;
    const char *tab = memchr(line, '\t', len);
    if (tab)
        len = (size_t)(tab - line);
    return hk_xstrndup(line, len);
}

struct parse {
    struct hk_diffview *dv;
    struct hk_dv_file *file;
    struct hk_dv_hunk *hunk;
    char *old_path;
    int old_no, new_no;
};

static void parse_line(struct parse *p, const char *s, size_t len)
{
    if (len >= 4 && !strncmp(s, "--- ", 4) && (!p->hunk || (p->old_no >= p->hunk->old_start + p->hunk->old_count && p->new_no >= p->hunk->new_start + p->hunk->new_count))) {
        free(p->old_path);
        p->old_path = strip_prefix(s + 4, len - 4);
        p->hunk = NULL;
        return;
    }
    if (len >= 4 && !strncmp(s, "+++ ", 4) && p->old_path) {
        char *path = strip_prefix(s + 4, len - 4);
        enum hk_dv_status st = !strcmp(p->old_path, "/dev/null") ? HK_DV_ADDED
                               : !strcmp(path, "/dev/null")     ? HK_DV_DELETED
                               : strcmp(path, p->old_path)      ? HK_DV_RENAMED
                                                                : HK_DV_MODIFIED;
        p->file = hk_diffview_add_file(p->dv, st == HK_DV_DELETED ? p->old_path : path,
                                       st == HK_DV_RENAMED ? p->old_path : NULL, st);
        free(path);
        free(p->old_path);
        p->old_path = NULL;
        p->hunk = NULL;
        return;
    }
    if (len >= 2 && !strncmp(s, "@@", 2) && p->file) {
        int os = 0, oc = 1, ns = 0, nc = 1;
        char *line = hk_xstrndup(s, len);
        if (sscanf(line, "@@ -%d,%d +%d,%d", &os, &oc, &ns, &nc) < 4) {
            oc = nc = 1;
            if (sscanf(line, "@@ -%d +%d,%d", &os, &ns, &nc) < 2 &&
                sscanf(line, "@@ -%d,%d +%d", &os, &oc, &ns) < 3)
                sscanf(line, "@@ -%d +%d", &os, &ns);
        }
        const char *ctx = strstr(line + 2, "@@");
        ctx = ctx ? ctx + 2 : "";
        while (*ctx == ' ')
            ctx++;
        p->hunk = hk_diffview_add_hunk(p->file, os, oc, ns, nc, ctx);
        p->old_no = os, p->new_no = ns;
        free(line);
        return;
    }
    if (!p->hunk || !len)
        return;
    if (s[0] == ' ')
        hk_diffview_add_line(p->file, p->hunk, HK_DV_CONTEXT, p->old_no++, p->new_no++, s + 1, (int)len - 1);
    else if (s[0] == '-')
        hk_diffview_add_line(p->file, p->hunk, HK_DV_DEL, p->old_no++, 0, s + 1, (int)len - 1);
    else if (s[0] == '+')
        hk_diffview_add_line(p->file, p->hunk, HK_DV_ADD, 0, p->new_no++, s + 1, (int)len - 1);
}

struct hk_diffview *hk_diffview_from_patch(const char *proposal_id, const char *summary,
                                           const char *text, char **err)
{
    struct parse p = {hk_diffview_new(proposal_id, summary), NULL, NULL, NULL, 0, 0};
    for (const char *s = text; *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        size_t l = len && s[len - 1] == '\r' ? len - 1 : len;
        parse_line(&p, s, l);
        s += len + (nl != NULL);
    }
    free(p.old_path);
    if (!p.dv->nfiles) {
        hk_diffview_free(p.dv);
        *err = hk_xstrdup("the patch names no file (expected --- and +++ lines)");
        return NULL;
    }
    hk_diffview_word_spans(p.dv);
    return p.dv;
}

char *hk_diffview_hunk_new_text(const struct hk_dv_hunk *h)
{
    struct hk_buf b = {0};
    for (int i = 0; i < h->nlines; i++) {
        if (h->lines[i].kind == HK_DV_DEL)
            continue;
        hk_buf_add(&b, h->lines[i].text, (size_t)h->lines[i].len);
        hk_buf_addc(&b, '\n');
    }
    return hk_buf_steal(&b);
}

const char *hk_diffview_state_name(enum hk_dv_state s)
{
    static const char *names[] = {"pending", "approved", "rejected", "edited"};
    return names[s];
}

int hk_diffview_parse_verdict(const char *s)
{
    if (!s)
        return -1;
    if (!strcmp(s, "approve") || !strcmp(s, "approved"))
        return HK_DV_APPROVED;
    if (!strcmp(s, "reject") || !strcmp(s, "rejected"))
        return HK_DV_REJECTED;
    if (!strcmp(s, "edit") || !strcmp(s, "edited"))
        return HK_DV_EDITED;
    if (!strcmp(s, "pending") || !strcmp(s, "undo"))
        return HK_DV_PENDING;
    return -1;
}
