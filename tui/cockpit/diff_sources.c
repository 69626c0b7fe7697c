/* Filling diff views from proposals and repository diffs. */
#include "diff_sources.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum hk_dv_state state_of(enum hk_hunk_state s)
{
    switch (s) {
    case HK_HUNK_APPROVED: return HK_DV_APPROVED;
    case HK_HUNK_REJECTED: return HK_DV_REJECTED;
    case HK_HUNK_EDITED: return HK_DV_EDITED;
    default: return HK_DV_PENDING;
    }
}

static enum hk_dv_status status_of_file(enum hk_file_status s)
{
    switch (s) {
    case HK_FILE_ADDED: return HK_DV_ADDED;
    case HK_FILE_DELETED: return HK_DV_DELETED;
    case HK_FILE_RENAMED:
    case HK_FILE_COPIED: return HK_DV_RENAMED;
    default: return HK_DV_MODIFIED;
    }
}

static void set_text(char **slot, char *text)
{
    free(*slot);
    *slot = text;
}

/* The line under a hunk's header when there is more to say than its state. */
static char *note_of(const struct hk_hunk *h)
{
    if (h->meta)
        return hk_xstrdup(h->meta);
    if (h->result == HK_HUNK_FAILED)
        return h->already ? hk_xstrdup("already applied: its change is in the file")
                          : hk_xasprintf("does not apply: %s", h->reason ? h->reason : "");
    char *where = hk_patch_hunk_placement(h);
    char *note = *where ? hk_xasprintf("placed %s", where) : NULL;
    free(where);
    return note;
}

static void hunk_notes(struct hk_dv_hunk *dh, const struct hk_hunk *h, const char *pid, int flat,
                       const cJSON *reasons)
{
    dh->state = state_of(h->state);
    set_text(&dh->note, note_of(h));
    char key[64];
    snprintf(key, sizeof key, "%s:%d", pid, flat);
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(reasons, key);
    if (!cJSON_IsString(why)) {
        snprintf(key, sizeof key, "%s:-1", pid);
        why = cJSON_GetObjectItemCaseSensitive(reasons, key);
    }
    set_text(&dh->reason, dh->state == HK_DV_REJECTED && cJSON_IsString(why) ? hk_xstrdup(why->valuestring) : NULL);
}

static void add_lines(struct hk_dv_file *df, struct hk_dv_hunk *dh, const struct hk_hunk *h)
{
    int old_no = h->old_start, new_no = h->new_start;
    for (size_t i = 0; i < h->nlines; i++) {
        const struct hk_patch_line *l = &h->lines[i];
        enum hk_dv_kind kind = l->kind == HK_LINE_ADD ? HK_DV_ADD : l->kind == HK_LINE_DEL ? HK_DV_DEL : HK_DV_CONTEXT;
        size_t len = l->len && l->text[l->len - 1] == '\r' ? l->len - 1 : l->len;
        hk_diffview_add_line(df, dh, kind, kind == HK_DV_ADD ? 0 : old_no, kind == HK_DV_DEL ? 0 : new_no,
                             l->text, (int)len);
        old_no += kind != HK_DV_ADD;
        new_no += kind != HK_DV_DEL;
    }
}

/* "playlist.c: hunk 1 pending; a.c: hunk 2 rejected": each hunk's state word. */
static void add_words(struct hk_buf *b, const struct hk_proposal *p)
{
    for (size_t f = 0; f < p->nfiles; f++) {
        const struct hk_patch_file *pf = &p->files[f];
        for (size_t h = 0; h < pf->nhunks; h++) {
            const char *word = hk_hunk_word_name(hk_patch_hunk_word(p, &pf->hunks[h]));
            if (pf->hunks[h].meta)
                hk_buf_printf(b, "%s%s: %s %s", b->len ? "; " : "", pf->path, pf->hunks[h].meta, word);
            else
                hk_buf_printf(b, "%s%s: hunk %zu %s", b->len ? "; " : "", pf->path, h + 1, word);
        }
    }
}

/* The heading keeps what the front end put before the first ':' ("Proposal
 * p2 (2 of 3)") and says each hunk's state as it is now. */
static void set_heading(struct hk_diffview *dv, const struct hk_proposal *p)
{
    const char *colon = dv->summary ? strchr(dv->summary, ':') : NULL;
    struct hk_buf words = {0};
    add_words(&words, p);
    char *head = colon ? hk_xstrndup(dv->summary, (size_t)(colon - dv->summary))
                       : hk_xasprintf("Proposal %s", p->id);
    set_text(&dv->summary, hk_xasprintf("%s: %s", head, words.data ? words.data : ""));
    free(head);
    hk_buf_free(&words);
}

static void add_hunk(struct hk_dv_file *df, const struct hk_patch_file *pf, const struct hk_hunk *h)
{
    char *function = hk_patch_hunk_function(pf, h);
    struct hk_dv_hunk *dh = hk_diffview_add_hunk(df, h->old_start, h->old_count, h->new_start, h->new_count, function);
    free(function);
    add_lines(df, dh, h);
}

/* An edit (or its undo) replaced the hunk's lines in the proposal: show
 * those, not the model's. */
static void refresh_lines(struct hk_dv_file *df, struct hk_dv_hunk *dh, const struct hk_hunk *h)
{
    for (int k = 0; k < dh->nlines; k++) {
        df->adds -= dh->lines[k].kind == HK_DV_ADD;
        df->dels -= dh->lines[k].kind == HK_DV_DEL;
        free(dh->lines[k].text);
        free(dh->lines[k].spans);
    }
    free(dh->lines);
    dh->lines = NULL;
    dh->nlines = dh->cap = 0;
    dh->old_start = h->old_start, dh->old_count = h->old_count;
    dh->new_start = h->new_start, dh->new_count = h->new_count;
    add_lines(df, dh, h);
}

struct hk_diffview *hk_diffview_from_proposal(const struct hk_proposal *p, const cJSON *reasons)
{
    struct hk_diffview *dv = hk_diffview_new(p->id, NULL);
    for (size_t f = 0; f < p->nfiles; f++) {
        const struct hk_patch_file *pf = &p->files[f];
        struct hk_dv_file *df = hk_diffview_add_file(dv, pf->path, pf->old_path, status_of_file(pf->status));
        for (size_t h = 0; h < pf->nhunks; h++)
            add_hunk(df, pf, &pf->hunks[h]);
    }
    hk_diffview_word_spans(dv);
    hk_diffview_update_states(dv, p, reasons);
    return dv;
}

void hk_diffview_update_states(struct hk_diffview *dv, const struct hk_proposal *p, const cJSON *reasons)
{
    int flat = 0, rejected = 0, total = 0;
    bool relined = false;
    for (size_t f = 0; f < p->nfiles && (int)f < dv->nfiles; f++) {
        for (size_t h = 0; h < p->files[f].nhunks && (int)h < dv->files[f].nhunks; h++, flat++) {
            struct hk_dv_hunk *dh = &dv->files[f].hunks[h];
            const struct hk_hunk *ph = &p->files[f].hunks[h];
            if (dh->state == HK_DV_EDITED || ph->state == HK_HUNK_EDITED) {
                refresh_lines(&dv->files[f], dh, ph);
                relined = true;
            }
            hunk_notes(dh, ph, p->id, flat, reasons);
            rejected += dv->files[f].hunks[h].state == HK_DV_REJECTED;
            total++;
        }
    }
    if (relined)
        hk_diffview_word_spans(dv);
    dv->state = total && rejected == total ? HK_DV_REJECTED : HK_DV_PENDING;
    set_heading(dv, p);
}

static enum hk_dv_status status_of_diff(enum hk_diff_status s)
{
    switch (s) {
    case HK_DIFF_ADDED: return HK_DV_ADDED;
    case HK_DIFF_DELETED: return HK_DV_DELETED;
    case HK_DIFF_RENAMED:
    case HK_DIFF_COPIED: return HK_DV_RENAMED;
    default: return HK_DV_MODIFIED;
    }
}

/* The hunk's lines, their word spans and their pairs (the repository diff
 * counts its "No newline" markers as lines; the view has none). */
static void add_diff_lines(struct hk_dv_file *vf, struct hk_dv_hunk *vh, const struct hk_diff_hunk *dh)
{
    int *at = hk_xmalloc((dh->nlines + 1) * sizeof *at); /* view index of each line */
    for (size_t i = 0; i < dh->nlines; i++) {
        const struct hk_diff_line *l = &dh->lines[i];
        at[i] = -1;
        if (l->kind == HK_DIFF_LINE_NO_NEWLINE)
            continue;
        enum hk_dv_kind kind = l->kind == HK_DIFF_LINE_ADD ? HK_DV_ADD
                               : l->kind == HK_DIFF_LINE_DELETE ? HK_DV_DEL : HK_DV_CONTEXT;
        at[i] = vh->nlines;
        struct hk_dv_line *vl = hk_diffview_add_line(vf, vh, kind, l->old_lineno > 0 ? l->old_lineno : 0,
                                                     l->new_lineno > 0 ? l->new_lineno : 0, l->content, (int)l->len);
        for (unsigned k = 0; k < l->nspans; k++) {
            vl->spans = hk_xrealloc(vl->spans, (size_t)(vl->nspans + 1) * sizeof *vl->spans);
            vl->spans[vl->nspans++] = (struct hk_dv_span){(int)l->spans[k].start, (int)l->spans[k].end};
        }
    }
    for (size_t i = 0; i < dh->nlines; i++)
        if (at[i] >= 0 && dh->lines[i].pair >= 0)
            vh->lines[at[i]].pair = at[dh->lines[i].pair];
    free(at);
}

struct hk_diffview *hk_diffview_from_diff(const struct hk_diff *d, const char *id, const char *summary)
{
    struct hk_diffview *dv = hk_diffview_new(id, summary);
    for (size_t f = 0; f < d->nfiles; f++) {
        const struct hk_diff_file *df = &d->files[f];
        const char *path = df->new_path ? df->new_path : df->old_path;
        int renamed = df->status == HK_DIFF_RENAMED || df->status == HK_DIFF_COPIED;
        struct hk_dv_file *vf = hk_diffview_add_file(dv, path, renamed ? df->old_path : NULL, status_of_diff(df->status));
        for (size_t h = 0; h < df->nhunks; h++) {
            const struct hk_diff_hunk *dh = &df->hunks[h];
            const char *ctx = dh->header ? strstr(dh->header + 2, "@@") : NULL;
            struct hk_dv_hunk *vh = hk_diffview_add_hunk(vf, dh->old_start, dh->old_lines, dh->new_start,
                                                         dh->new_lines, ctx && ctx[2] ? ctx + 3 : NULL);
            add_diff_lines(vf, vh, dh);
        }
    }
    return dv;
}
