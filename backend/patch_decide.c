/* Decisions on an applied proposal's hunks (approve, reject, edit, undo) and the
 * sentences that describe each hunk's result. */
#include "patch_internal.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static struct hk_hunk *get(struct hk_proposal *p, size_t fi, size_t hi, char **err)
{
    if (!p->written) {
        *err = hk_xasprintf("proposal %s was not applied, so it has nothing to decide", p->id);
        return NULL;
    }
    if (fi >= p->nfiles || hi >= p->files[fi].nhunks) {
        *err = hk_xasprintf("proposal %s has no hunk %zu in file %zu", p->id, hi + 1, fi + 1);
        return NULL;
    }
    return &p->files[fi].hunks[hi];
}

static void record(struct hk_proposal *p, size_t fi, size_t hi, struct hk_patch_line *lines,
                   size_t nlines)
{
    p->undo = hk_patch_grow(p->undo, p->nundo, sizeof *p->undo);
    p->undo[p->nundo++] = (struct hk_undo){fi, hi, p->files[fi].hunks[hi].state, lines, nlines,
                                           p->group};
}

static int set_state(struct hk_proposal *p, size_t fi, size_t hi, enum hk_hunk_state st,
                     char **err)
{
    struct hk_hunk *h = get(p, fi, hi, err);
    if (!h)
        return -1;
    if (h->result == HK_HUNK_FAILED && st != HK_HUNK_REJECTED) {
        *err = hk_xasprintf("hunk %zu of '%s' did not apply (%s) and cannot be approved", hi + 1,
                            p->files[fi].path, h->reason);
        return -1;
    }
    p->group++;
    record(p, fi, hi, NULL, 0);
    h->state = st;
    return hk_patch_proposal_sync(p, err);
}

int hk_patch_approve(struct hk_proposal *p, size_t file, size_t hunk, char **err)
{
    return set_state(p, file, hunk, HK_HUNK_APPROVED, err);
}

int hk_patch_reject(struct hk_proposal *p, size_t file, size_t hunk, char **err)
{
    return set_state(p, file, hunk, HK_HUNK_REJECTED, err);
}

static int set_all(struct hk_proposal *p, enum hk_hunk_state st, char **err)
{
    if (!p->written) {
        *err = hk_xasprintf("proposal %s was not applied, so it has nothing to decide", p->id);
        return -1;
    }
    p->group++;
    for (size_t i = 0; i < p->nfiles; i++) {
        for (size_t k = 0; k < p->files[i].nhunks; k++) {
            struct hk_hunk *h = &p->files[i].hunks[k];
            if (h->result == HK_HUNK_FAILED || h->state == st ||
                (st == HK_HUNK_APPROVED && h->state == HK_HUNK_EDITED))
                continue;
            record(p, i, k, NULL, 0);
            h->state = st;
        }
    }
    return hk_patch_proposal_sync(p, err);
}

int hk_patch_approve_all(struct hk_proposal *p, char **err)
{
    return set_all(p, HK_HUNK_APPROVED, err);
}

int hk_patch_reject_all(struct hk_proposal *p, char **err)
{
    return set_all(p, HK_HUNK_REJECTED, err);
}

int hk_patch_edit_hunk(struct hk_proposal *p, size_t fi, size_t hi, const char *text, char **err)
{
    struct hk_hunk *h = get(p, fi, hi, err);
    if (!h)
        return -1;
    struct hk_patch_file *f = &p->files[fi];
    if (h->result == HK_HUNK_FAILED || h->meta) {
        *err = hk_xasprintf("hunk %zu of '%s' has no lines to edit", hi + 1, f->path);
        return -1;
    }
    struct lines nw = {0}, d = {0};
    hk_patch_lines_split(&nw, text, strlen(text));
    hk_patch_diff_lines(f->orig + h->pos, h->nold, nw.v, nw.n, &d);
    p->group++;
    record(p, fi, hi, h->lines, h->nlines);
    h->lines = hk_patch_lines_pack(d.v, d.n);
    h->nlines = d.n;
    hk_patch_lines_free(&d);
    hk_patch_lines_free(&nw);
    hk_patch_hunk_fix_eol(f, h);
    h->state = HK_HUNK_EDITED;
    return hk_patch_proposal_sync(p, err);
}

int hk_patch_undo(struct hk_proposal *p, char **err)
{
    if (!p->nundo) {
        *err = hk_xasprintf("proposal %s has no decision to undo", p->id);
        return -1;
    }
    unsigned g = p->undo[p->nundo - 1].group;
    while (p->nundo && p->undo[p->nundo - 1].group == g) {
        struct hk_undo *u = &p->undo[--p->nundo];
        struct hk_hunk *h = &p->files[u->file].hunks[u->hunk];
        h->state = u->prev;
        if (u->lines) {
            hk_patch_lines_free_array(h->lines, h->nlines);
            h->lines = u->lines;
            h->nlines = u->nlines;
        }
    }
    return hk_patch_proposal_sync(p, err);
}

enum hk_hunk_word hk_patch_hunk_word(const struct hk_proposal *p, const struct hk_hunk *h)
{
    if (h->result == HK_HUNK_FAILED)
        return h->already ? HK_WORD_ALREADY_APPLIED : HK_WORD_REJECTED;
    if (h->state == HK_HUNK_REJECTED)
        return HK_WORD_REJECTED;
    if (!p->written)
        return HK_WORD_FITS;
    return h->state == HK_HUNK_PENDING ? HK_WORD_PENDING : HK_WORD_APPLIED;
}

const char *hk_hunk_word_name(enum hk_hunk_word w)
{
#define HK_WORD_NAME(id, name) name,
    static const char *const names[] = {HK_HUNK_WORDS(HK_WORD_NAME)};
#undef HK_WORD_NAME
    return w < HK_WORD_COUNT ? names[w] : "?";
}

char *hk_patch_hunk_placement(const struct hk_hunk *h)
{
    const char *ws = h->whitespace ? " (ignoring whitespace)" : "";
    if (h->result == HK_HUNK_OFFSET)
        return hk_xasprintf("at offset %+d%s", h->offset, ws);
    if (h->result == HK_HUNK_FUZZ && h->offset)
        return hk_xasprintf("with fuzz %d at offset %+d%s", h->fuzz, h->offset, ws);
    if (h->result == HK_HUNK_FUZZ)
        return hk_xasprintf("with fuzz %d%s", h->fuzz, ws);
    return hk_xstrdup(h->result == HK_HUNK_FAILED ? "" : ws + (*ws == ' '));
}

char *hk_patch_hunk_result(const struct hk_proposal *p, const struct hk_hunk *h)
{
    enum hk_hunk_word w = hk_patch_hunk_word(p, h);
    const char *name = hk_hunk_word_name(w);
    if (h->result == HK_HUNK_FAILED && !h->already)
        return hk_xasprintf("%s: %s", name, h->reason ? h->reason : "did not apply");
    if (h->already && p->opts.reverse) /* the reversal is what is already there */
        return hk_xasprintf("%s: the file is without its change already", name);
    char *where = hk_patch_hunk_placement(h);
    char *r = hk_xasprintf("%s%s%s", name, *where && w != HK_WORD_REJECTED ? " " : "",
                           w != HK_WORD_REJECTED ? where : "");
    free(where);
    return r;
}

char *hk_patch_hunk_function(const struct hk_patch_file *f, const struct hk_hunk *h)
{
    enum { GIT_FUNCNAME_MAX = 80 }; /* what git keeps of the line */
    if (!f->abs) /* its lines are not here: what the process that read them said */
        return h->function ? hk_xstrdup(h->function) : NULL;
    if (h->result == HK_HUNK_FAILED || h->meta || h->pos > f->norig)
        return NULL;
    for (size_t i = h->pos; i-- > 0;) {
        const struct hk_patch_line *l = &f->orig[i];
        unsigned char c = l->len ? (unsigned char)l->text[0] : 0;
        if (!(isalpha(c) || c == '_' || c == '$'))
            continue;
        size_t len = l->len < GIT_FUNCNAME_MAX ? l->len : GIT_FUNCNAME_MAX;
        while (len && len < l->len && (l->text[len] & 0xC0) == 0x80) /* not inside a UTF-8 sequence */
            len--;
        while (len && isspace((unsigned char)l->text[len - 1]))
            len--;
        return hk_xstrndup(l->text, len);
    }
    return NULL;
}

char *hk_patch_report(const struct hk_proposal *p)
{
    struct hk_buf b = {0};
    for (size_t i = 0; i < p->nfiles; i++) {
        const struct hk_patch_file *f = &p->files[i];
        for (size_t k = 0; k < f->nhunks; k++) {
            char *r = hk_patch_hunk_result(p, &f->hunks[k]), *name = hk_patch_shown_name(f->path);
            if (f->hunks[k].meta)
                hk_buf_printf(&b, "%s: %s %s\n", name, f->hunks[k].meta, r);
            else
                hk_buf_printf(&b, "%s: hunk %zu %s\n", name, k + 1, r);
            free(name);
            free(r);
        }
    }
    return hk_buf_steal(&b);
}
