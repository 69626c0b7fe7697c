/* Building and freeing diff views, and their word spans. */
#include "diffview.h"
#include "repo.h" /* hk_diff_word_spans */

#include "util.h"

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
