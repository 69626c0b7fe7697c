/* Building and freeing diff views, and their word spans. */
#include "diffview.h"
#include "patch.h" /* hk_hunk_state_name */
#include "repo.h" /* hk_diff_pair_lines, hk_diff_word_spans */

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
    l->pair = -1;
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
    struct hk_diff_span a[HK_DIFF_MAX_SPANS], b[HK_DIFF_MAX_SPANS];
    unsigned na = 0, nb = 0;
    hk_diff_word_spans(del->text, (unsigned)del->len, add->text, (unsigned)add->len, a, &na, b, &nb,
                       HK_DIFF_MAX_SPANS);
    for (unsigned i = 0; i < na; i++)
        add_span(del, (int)a[i].start, (int)a[i].end);
    for (unsigned i = 0; i < nb; i++)
        add_span(add, (int)b[i].start, (int)b[i].end);
}

static void hunk_word_spans(struct hk_dv_hunk *h)
{
    struct hk_diff_line *in = hk_xcalloc((size_t)h->nlines + 1, sizeof *in);
    int *pair = hk_xmalloc(((size_t)h->nlines + 1) * sizeof *pair);
    for (int k = 0; k < h->nlines; k++) {
        struct hk_dv_line *l = &h->lines[k];
        in[k].kind = l->kind == HK_DV_ADD ? HK_DIFF_LINE_ADD : l->kind == HK_DV_DEL ? HK_DIFF_LINE_DELETE
                                                                                   : HK_DIFF_LINE_CONTEXT;
        in[k].content = l->text;
        in[k].len = (unsigned)l->len;
        free(l->spans);
        l->spans = NULL;
        l->nspans = 0;
    }
    hk_diff_pair_lines(in, h->nlines, pair);
    for (int k = 0; k < h->nlines; k++) {
        h->lines[k].pair = pair[k];
        if (h->lines[k].kind == HK_DV_DEL && pair[k] >= 0)
            pair_spans(&h->lines[k], &h->lines[pair[k]]);
    }
    free(pair);
    free(in);
}

void hk_diffview_word_spans(struct hk_diffview *dv)
{
    for (int i = 0; i < dv->nfiles; i++)
        for (int j = 0; j < dv->files[i].nhunks; j++)
            hunk_word_spans(&dv->files[i].hunks[j]);
}

struct text_line {
    char *text;
    int len;
};

static int split_lines(const char *text, struct text_line **out)
{
    int n = 0;
    *out = NULL;
    for (const char *s = text; *s;) {
        const char *nl = strchr(s, '\n');
        int len = nl ? (int)(nl - s) : (int)strlen(s);
        *out = hk_xrealloc(*out, (size_t)(n + 1) * sizeof **out);
        (*out)[n++] = (struct text_line){hk_xstrndup(s, (size_t)len), len};
        s += len + (nl != NULL);
    }
    return n;
}

static bool same_text(const struct hk_dv_line *l, const struct text_line *t)
{
    return l->len == t->len && !memcmp(l->text, t->text, (size_t)t->len);
}

void hk_diffview_hunk_set_new_text(struct hk_dv_file *f, struct hk_dv_hunk *h, const char *text)
{
    struct hk_dv_line *old = h->lines;
    int nold_all = h->nlines, no = 0;
    for (int k = 0; k < nold_all; k++) { /* keep the old side; forget the rest */
        f->adds -= old[k].kind == HK_DV_ADD;
        f->dels -= old[k].kind == HK_DV_DEL;
        if (old[k].kind == HK_DV_ADD) {
            free(old[k].text);
            free(old[k].spans);
            continue;
        }
        free(old[k].spans);
        old[k].spans = NULL, old[k].nspans = 0;
        old[no++] = old[k];
    }
    struct text_line *nw;
    int nn = split_lines(text, &nw), pre = 0, suf = 0;
    while (pre < no && pre < nn && same_text(&old[pre], &nw[pre]))
        pre++;
    while (suf < no - pre && suf < nn - pre && same_text(&old[no - 1 - suf], &nw[nn - 1 - suf]))
        suf++;
    h->lines = NULL;
    h->nlines = h->cap = 0;
    h->new_count = nn;
    int on = h->old_start, nnum = h->new_start;
    for (int i = 0; i < pre; i++, on++, nnum++)
        hk_diffview_add_line(f, h, HK_DV_CONTEXT, on, nnum, old[i].text, old[i].len);
    for (int i = pre; i < no - suf; i++, on++)
        hk_diffview_add_line(f, h, HK_DV_DEL, on, 0, old[i].text, old[i].len);
    for (int i = pre; i < nn - suf; i++, nnum++)
        hk_diffview_add_line(f, h, HK_DV_ADD, 0, nnum, nw[i].text, nw[i].len);
    for (int i = no - suf; i < no; i++, on++, nnum++)
        hk_diffview_add_line(f, h, HK_DV_CONTEXT, on, nnum, old[i].text, old[i].len);
    for (int i = 0; i < no; i++)
        free(old[i].text);
    free(old);
    for (int i = 0; i < nn; i++)
        free(nw[i].text);
    free(nw);
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

/* The diff view's states are the hunk states, in the same order. */
_Static_assert((int)HK_DV_PENDING == (int)HK_HUNK_PENDING && (int)HK_DV_APPROVED == (int)HK_HUNK_APPROVED &&
                   (int)HK_DV_REJECTED == (int)HK_HUNK_REJECTED && (int)HK_DV_EDITED == (int)HK_HUNK_EDITED,
               "hk_dv_state follows hk_hunk_state");
const char *hk_diffview_state_name(enum hk_dv_state s)
{
    return hk_hunk_state_name((enum hk_hunk_state)s);
}
