/* honk review: decisions kept per hunk, then carried out with the patch
 * engine (for a patch) or written out as a .rej file (for both). */
#include "review.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct decision {
    enum hk_hunk_state state;
    char *edited;
    char *reason; /* why it was rejected, on one line */
};

struct hk_review {
    char *title;
    char *root;
    char *patch_path;
    char *patch_text;
    struct hk_proposal *proposal; /* located with dry_run: nothing written yet */
    struct hk_diff *diff;
    struct decision *decisions;
    size_t nhunks;
    int *undo;                    /* hunks in the order they were decided */
    size_t nundo;
};

static struct hk_review *review_new(const char *title, size_t nhunks)
{
    struct hk_review *r = hk_xcalloc(1, sizeof *r);
    r->title = hk_xstrdup(title);
    r->nhunks = nhunks;
    r->decisions = hk_xcalloc(nhunks + 1, sizeof *r->decisions);
    r->undo = hk_xcalloc(nhunks * 2 + 2, sizeof *r->undo);
    return r;
}

int hk_review_patch(const char *root, const char *patch_path, struct hk_review **out, char **err)
{
    *out = NULL;
    struct hk_buf buf = {0};
    if (hk_read_file(patch_path, &buf) != 0) {
        *err = hk_xasprintf("cannot read %s: %s", patch_path, strerror(errno));
        hk_buf_free(&buf);
        return -1;
    }
    char *text = hk_buf_steal(&buf);
    struct hk_patch_opts opts;
    hk_patch_opts_init(&opts);
    opts.dry_run = 1;
    struct hk_proposal *p = NULL;
    if (hk_patch_apply_text(root, "review", text, &opts, &p, err) < 0) {
        free(text);
        return -1;
    }
    free(*err); /* hunks that do not apply show as such */
    *err = NULL;
    size_t n = 0;
    for (size_t f = 0; f < p->nfiles; f++)
        n += p->files[f].nhunks;
    struct hk_review *r = review_new(patch_path, n);
    r->root = hk_xstrdup(root);
    r->patch_path = hk_xstrdup(patch_path);
    r->patch_text = text;
    r->proposal = p;
    *out = r;
    return 0;
}

/* A sentence for a revision that is not there, or NULL when it is. */
static char *missing_rev(struct hk_repo *repo, const char *rev)
{
    if (hk_rev_exists(repo, rev))
        return NULL;
    if (!hk_repo_has_commits(repo) && !strcmp(rev, "HEAD"))
        return hk_xasprintf("this repository has no commits yet, so there is no %s to review "
                            "(honk review PATCH reviews a patch file)", rev);
    if (!hk_repo_has_commits(repo))
        return hk_xasprintf("there is no file '%s', and this repository has no commits yet", rev);
    return hk_xasprintf("'%s' is neither a file nor a revision of this repository", rev);
}

int hk_review_revs(struct hk_repo *repo, const char *range, struct hk_review **out, char **err)
{
    *out = NULL;
    const char *dots = strstr(range, "..");
    char *old_rev = dots ? hk_xstrndup(range, (size_t)(dots - range)) : hk_xasprintf("%s^", range);
    const char *new_rev = dots ? dots + 2 : range;
    if (dots && !*old_rev) {
        free(old_rev);
        old_rev = hk_xstrdup("HEAD");
    }
    if (!*new_rev)
        new_rev = "HEAD";
    if ((*err = missing_rev(repo, new_rev)) || (dots && (*err = missing_rev(repo, old_rev)))) {
        free(old_rev);
        return -1;
    }
    /* A root commit has no parent: its change is everything, from the empty tree. */
    const char *from = dots || hk_rev_exists(repo, old_rev) ? old_rev : NULL;
    struct hk_diff *d = NULL;
    int rc = hk_diff_revs(repo, from, new_rev, &d, err);
    free(old_rev);
    if (rc != 0)
        return -1;
    size_t n = 0;
    for (size_t f = 0; f < d->nfiles; f++)
        n += d->files[f].nhunks;
    struct hk_review *r = review_new(range, n);
    r->diff = d;
    *out = r;
    return 0;
}

void hk_review_free(struct hk_review *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nhunks; i++) {
        free(r->decisions[i].edited);
        free(r->decisions[i].reason);
    }
    free(r->decisions);
    free(r->undo);
    hk_patch_free(r->proposal);
    hk_diff_free(r->diff);
    free(r->title);
    free(r->root);
    free(r->patch_path);
    free(r->patch_text);
    free(r);
}

const struct hk_proposal *hk_review_proposal(const struct hk_review *r) { return r->proposal; }
const struct hk_diff *hk_review_diff(const struct hk_review *r) { return r->diff; }
const char *hk_review_title(const struct hk_review *r) { return r->title; }
size_t hk_review_hunk_count(const struct hk_review *r) { return r->nhunks; }

enum hk_hunk_state hk_review_state(const struct hk_review *r, size_t hunk)
{
    return hunk < r->nhunks ? r->decisions[hunk].state : HK_HUNK_PENDING;
}

static void set_reason(struct decision *d, const char *reason)
{
    free(d->reason);
    d->reason = hk_xstrdup(reason);
    for (char *c = d->reason; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' '; /* one comment line in the .rej */
}

void hk_review_set_reason(struct hk_review *r, int hunk, const char *reason)
{
    if (!reason || !*reason)
        return;
    if (hunk >= 0 && (size_t)hunk < r->nhunks) {
        set_reason(&r->decisions[hunk], reason);
        return;
    }
    for (size_t i = 0; hunk < 0 && i < r->nhunks; i++)
        if (r->decisions[i].state == HK_HUNK_REJECTED && !r->decisions[i].reason)
            set_reason(&r->decisions[i], reason);
}

/* The proposal's hunk at a flat index (patch reviews only). */
static const struct hk_hunk *patch_hunk(const struct hk_review *r, size_t flat, size_t *file)
{
    for (size_t f = 0; r->proposal && f < r->proposal->nfiles; f++) {
        if (flat < r->proposal->files[f].nhunks) {
            if (file)
                *file = f;
            return &r->proposal->files[f].hunks[flat];
        }
        flat -= r->proposal->files[f].nhunks;
    }
    return NULL;
}

static int decide_one(struct hk_review *r, size_t hunk, enum hk_verdict verdict, const char *edited, char **err)
{
    const struct hk_hunk *h = patch_hunk(r, hunk, NULL);
    if (verdict != HK_VERDICT_REJECT && h && h->already) {
        *err = hk_xasprintf("hunk %zu is already applied: the file has its change", hunk + 1);
        return -1;
    }
    if (verdict != HK_VERDICT_REJECT && h && h->result == HK_HUNK_FAILED) {
        *err = hk_xasprintf("hunk %zu does not apply (%s); it can only be rejected", hunk + 1,
                            h->reason ? h->reason : "its context is not in the file");
        return -1;
    }
    struct decision *d = &r->decisions[hunk];
    d->state = verdict == HK_VERDICT_APPROVE ? HK_HUNK_APPROVED
               : verdict == HK_VERDICT_REJECT ? HK_HUNK_REJECTED : HK_HUNK_EDITED;
    free(d->edited);
    d->edited = verdict == HK_VERDICT_EDIT ? hk_xstrdup(edited ? edited : "") : NULL;
    free(d->reason);
    d->reason = NULL;
    r->undo[r->nundo++] = (int)hunk;
    return (int)d->state;
}

int hk_review_decide(struct hk_review *r, int hunk, enum hk_verdict verdict, const char *edited, char **err)
{
    *err = NULL;
    if (hunk >= (int)r->nhunks) {
        *err = hk_xasprintf("there is no hunk %d", hunk + 1);
        return -1;
    }
    if (hunk >= 0)
        return decide_one(r, (size_t)hunk, verdict, edited, err);
    int rc = 0;
    r->nundo = 0; /* a decision on everything is not undone hunk by hunk */
    for (size_t i = 0; i < r->nhunks; i++) {
        const struct hk_hunk *h = patch_hunk(r, i, NULL);
        if (h && h->already)
            continue; /* in the file already: neither approved nor rejected */
        int one = decide_one(r, i, h && h->result == HK_HUNK_FAILED ? HK_VERDICT_REJECT : verdict, edited, err);
        rc = rc < 0 ? rc : one;
    }
    r->nundo = 0;
    return rc;
}

int hk_review_undo(struct hk_review *r)
{
    if (!r->nundo)
        return -1;
    int hunk = r->undo[--r->nundo];
    r->decisions[hunk].state = HK_HUNK_PENDING;
    free(r->decisions[hunk].edited);
    r->decisions[hunk].edited = NULL;
    free(r->decisions[hunk].reason);
    r->decisions[hunk].reason = NULL;
    return hunk;
}

/* --- carrying the decisions out ------------------------------------------- */

/* A file's header as git writes it; NULL stands for /dev/null. */
static void file_header(struct hk_buf *b, const char *old_path, const char *new_path)
{
    hk_buf_printf(b, "--- %s%s\n+++ %s%s\n", old_path ? "a/" : "", old_path ? old_path : "/dev/null",
                  new_path ? "b/" : "", new_path ? new_path : "/dev/null");
}

static void rej_diff_hunk(struct hk_buf *b, const struct hk_diff_hunk *h)
{
    hk_buf_printf(b, "%s\n", h->header);
    for (size_t i = 0; i < h->nlines; i++) {
        const struct hk_diff_line *l = &h->lines[i];
        if (l->kind == HK_DIFF_LINE_NO_NEWLINE) {
            hk_buf_adds(b, "\\ No newline at end of file\n");
            continue;
        }
        hk_buf_addc(b, l->kind == HK_DIFF_LINE_ADD ? '+' : l->kind == HK_DIFF_LINE_DELETE ? '-' : ' ');
        hk_buf_add(b, l->content, l->len);
        hk_buf_addc(b, '\n');
    }
}

static int write_rej(const char *path, const struct hk_buf *b, char **err)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
        *err = hk_xasprintf("cannot write %s: %s", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    return 0;
}

static int apply_decision(struct hk_proposal *p, size_t f, size_t h, const struct decision *d, char **err)
{
    if (p->files[f].hunks[h].result == HK_HUNK_FAILED)
        return 0;
    if (d->state == HK_HUNK_APPROVED)
        return hk_patch_approve(p, f, h, err);
    if (d->state == HK_HUNK_EDITED)
        return hk_patch_edit_hunk(p, f, h, d->edited, err);
    return hk_patch_reject(p, f, h, err);
}

/* One file's part of a .rej: a comment line per reason (git apply and
 * patch skip text before a file's header), then the header and the hunks. */
struct rej_file {
    struct hk_buf notes, hunks;
};

static void rej_reason(struct rej_file *rf, struct hk_buf *said, const char *path, size_t nth, const char *reason)
{
    if (!reason)
        return;
    hk_buf_printf(&rf->notes, "# %s: hunk %zu rejected: %s\n", path, nth, reason);
    hk_buf_printf(said, "\n  %s: hunk %zu rejected: %s", path, nth, reason);
}

static void rej_flush(struct hk_buf *rej, struct rej_file *rf, const char *old_path, const char *new_path)
{
    if (rf->hunks.len) {
        if (rf->notes.len)
            hk_buf_add(rej, rf->notes.data, rf->notes.len);
        file_header(rej, old_path, new_path);
        hk_buf_add(rej, rf->hunks.data, rf->hunks.len);
    }
    hk_buf_free(&rf->notes);
    hk_buf_free(&rf->hunks);
}

static int apply_decisions(struct hk_review *r, struct hk_proposal *p, char **err)
{
    size_t flat = 0;
    for (size_t f = 0; f < p->nfiles; f++)
        for (size_t h = 0; h < p->files[f].nhunks; h++, flat++)
            if (apply_decision(p, f, h, &r->decisions[flat], err) < 0)
                return -1;
    return 0;
}

static char *finish_sentence(size_t applied, size_t already, size_t rejected, const char *rej_path,
                             const char *reasons)
{
    struct hk_buf b = {0};
    hk_buf_printf(&b, "honk: %zu hunk%s applied", applied, applied == 1 ? "" : "s");
    if (already)
        hk_buf_printf(&b, "; %zu %s already applied (left as %s)", already,
                      already == 1 ? "was" : "were", already == 1 ? "it is" : "they are");
    if (rejected)
        hk_buf_printf(&b, "; %zu written to %s", rejected, rej_path);
    if (reasons)
        hk_buf_adds(&b, reasons);
    return hk_buf_steal(&b);
}

static int finish_patch(struct hk_review *r, char **report, char **err)
{
    struct hk_patch_opts opts;
    hk_patch_opts_init(&opts);
    opts.partial = 1; /* hunks that do not apply go to the .rej file */
    struct hk_proposal *p = NULL;
    if (hk_patch_apply_text(r->root, "review", r->patch_text, &opts, &p, err) < 0)
        return -1;
    free(*err);
    *err = NULL;
    int rc = apply_decisions(r, p, err);
    struct hk_buf rej = {0}, said = {0};
    size_t flat = 0, applied = 0, already = 0, rejected = 0;
    for (size_t f = 0; f < p->nfiles && rc == 0; f++) {
        const struct hk_patch_file *pf = &p->files[f];
        struct rej_file rf = {0};
        for (size_t h = 0; h < pf->nhunks; h++, flat++) {
            enum hk_hunk_word w = hk_patch_hunk_word(p, &pf->hunks[h]);
            applied += w == HK_WORD_APPLIED;
            already += w == HK_WORD_ALREADY_APPLIED;
            rejected += w == HK_WORD_REJECTED;
            if (w == HK_WORD_REJECTED)
                rej_reason(&rf, &said, pf->path, h + 1, r->decisions[flat].reason);
        }
        char *text = hk_patch_rej(p, f);
        if (text) {
            if (rf.notes.len)
                hk_buf_add(&rej, rf.notes.data, rf.notes.len);
            hk_buf_adds(&rej, text);
        }
        free(text);
        hk_buf_free(&rf.notes);
        hk_buf_free(&rf.hunks);
    }
    char *rej_path = hk_xasprintf("%s.rej", r->patch_path);
    if (rc == 0 && rejected)
        rc = write_rej(rej_path, &rej, err);
    if (rc == 0)
        *report = finish_sentence(applied, already, rejected, rej_path, said.data);
    free(rej_path);
    hk_buf_free(&rej);
    hk_buf_free(&said);
    hk_patch_free(p);
    return rc;
}

static int finish_revs(struct hk_review *r, char **report, char **err)
{
    struct hk_buf rej = {0}, said = {0};
    size_t flat = 0, rejected = 0, undecided = 0;
    for (size_t f = 0; f < r->diff->nfiles; f++) {
        const struct hk_diff_file *df = &r->diff->files[f];
        const char *path = df->new_path ? df->new_path : df->old_path;
        struct rej_file rf = {0};
        for (size_t h = 0; h < df->nhunks; h++, flat++) {
            undecided += r->decisions[flat].state == HK_HUNK_PENDING;
            if (r->decisions[flat].state != HK_HUNK_REJECTED)
                continue;
            rej_reason(&rf, &said, path, h + 1, r->decisions[flat].reason);
            rej_diff_hunk(&rf.hunks, &df->hunks[h]);
            rejected++;
        }
        rej_flush(&rej, &rf, df->status == HK_DIFF_ADDED ? NULL : df->old_path ? df->old_path : df->new_path,
                  df->status == HK_DIFF_DELETED ? NULL : path);
    }
    int rc = 0;
    if (rejected)
        rc = write_rej("honk-review.rej", &rej, err);
    if (rc == 0)
        *report = hk_xasprintf("honk: reviewed %s: %zu of %zu hunks rejected%s%s%s", r->title, rejected, r->nhunks,
                               rejected ? ", written to honk-review.rej (git apply -R honk-review.rej takes them out)" : "",
                               undecided ? "; some were left undecided" : "", said.data ? said.data : "");
    hk_buf_free(&rej);
    hk_buf_free(&said);
    return rc;
}

int hk_review_finish(struct hk_review *r, char **report, char **err)
{
    *report = NULL;
    *err = NULL;
    return r->proposal ? finish_patch(r, report, err) : finish_revs(r, report, err);
}
