/* A proposal as JSON for the journal, and back: the originals are recovered from
 * the files on disk by walking back through the hunks that are in effect. */
#include "patch_internal.h"
#include "json.h"
#include "path.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {"edit_file", "write_file", "apply_patch"};
static const char *const states[] = {"pending", "approved", "rejected", "edited"};
static const char *const results[] = {"exact", "offset", "fuzz", "failed"};
static const char *const statuses[] = {"modified", "added", "deleted", "renamed", "copied"};

static int index_of(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* The journal holds valid UTF-8 only (json.c), so a line that is not keeps
 * its exact bytes in hex beside its readable text: resuming walks back
 * through these lines and must find the bytes that are on disk. */
static void add_line_text(cJSON *l, const struct hk_patch_line *v)
{
    struct hk_buf clean = {0};
    size_t bad = hk_buf_add_utf8(&clean, v->text, v->len);
    cJSON_AddItemToArray(l, cJSON_CreateString(clean.data));
    hk_buf_clear(&clean);
    for (size_t i = 0; bad && i < v->len; i++)
        hk_buf_printf(&clean, "%02x", (unsigned char)v->text[i]);
    if (bad)
        cJSON_AddItemToArray(l, cJSON_CreateString(clean.data ? clean.data : ""));
    hk_buf_free(&clean);
}

static cJSON *lines_json(const struct hk_patch_line *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        char k[3] = {"c+-"[v[i].kind], v[i].noeol ? '$' : '\0', '\0'};
        cJSON *l = cJSON_CreateArray();
        cJSON_AddItemToArray(l, cJSON_CreateString(k));
        add_line_text(l, &v[i]);
        cJSON_AddItemToArray(a, l);
    }
    return a;
}

/* A line's bytes: from the hex when the line has it, else its text. */
static char *line_bytes(const cJSON *l, size_t *len)
{
    const char *t = cJSON_GetStringValue(cJSON_GetArrayItem(l, 1));
    const char *hex = cJSON_GetStringValue(cJSON_GetArrayItem(l, 2));
    if (!t)
        return NULL;
    if (!hex || strlen(hex) % 2) {
        *len = strlen(t);
        return hk_xstrdup(t);
    }
    *len = strlen(hex) / 2;
    char *b = hk_xmalloc(*len + 1);
    for (size_t i = 0; i < *len; i++) {
        unsigned byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            free(b);
            return NULL;
        }
        b[i] = (char)byte;
    }
    b[*len] = '\0';
    return b;
}

static cJSON *hunk_json(const struct hk_proposal *p, const struct hk_hunk *h)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "pos", (double)h->pos);
    cJSON_AddNumberToObject(o, "nold", (double)h->nold);
    cJSON_AddNumberToObject(o, "old_start", h->old_start);
    cJSON_AddNumberToObject(o, "old_count", h->old_count);
    cJSON_AddNumberToObject(o, "new_start", h->new_start);
    cJSON_AddNumberToObject(o, "new_count", h->new_count);
    cJSON_AddStringToObject(o, "state", states[h->state]);
    cJSON_AddStringToObject(o, "result", results[h->result]);
    /* for the front ends that read JSON: the word they show (not read back) */
    cJSON_AddStringToObject(o, "word", hk_hunk_word_name(hk_patch_hunk_word(p, h)));
    cJSON_AddNumberToObject(o, "offset", h->offset);
    cJSON_AddNumberToObject(o, "fuzz", h->fuzz);
    cJSON_AddBoolToObject(o, "whitespace", h->whitespace);
    if (h->already)
        cJSON_AddBoolToObject(o, "already", 1);
    if (h->reason)
        cJSON_AddStringToObject(o, "reason", h->reason);
    if (h->meta)
        cJSON_AddStringToObject(o, "meta", h->meta);
    cJSON_AddItemToObject(o, "lines", lines_json(h->lines, h->nlines));
    return o;
}

static cJSON *file_json(const struct hk_proposal *p, const struct hk_patch_file *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", f->path);
    if (f->old_path)
        cJSON_AddStringToObject(o, "old_path", f->old_path);
    cJSON_AddStringToObject(o, "status", statuses[f->status]);
    cJSON_AddNumberToObject(o, "new_mode", f->new_mode);
    cJSON_AddNumberToObject(o, "orig_mode", f->orig_mode);
    cJSON_AddBoolToObject(o, "orig_exists", f->orig_exists);
    /* read back for loaded files only: an unloaded one's lines are not kept */
    cJSON_AddBoolToObject(o, "orig_noeol", f->abs && f->norig && f->orig[f->norig - 1].noeol);
    cJSON_AddBoolToObject(o, "loaded", f->abs != NULL);
    /* What rejecting needs besides the original lines: whether a rename's
     * destination was there before, and the directories the proposal made
     * (relative to the real root they were resolved from), so that a
     * rebuilt proposal removes them too. */
    cJSON_AddBoolToObject(o, "dest_exists", f->dest_exists);
    cJSON *dirs = cJSON_AddArrayToObject(o, "made_dirs");
    char *root = realpath(p->root, NULL);
    size_t root_len = root ? strlen(root) : 0;
    for (size_t i = 0; root && i < f->nmade; i++)
        if (!strncmp(f->made_dirs[i], root, root_len) && f->made_dirs[i][root_len] == '/')
            cJSON_AddItemToArray(dirs, cJSON_CreateString(f->made_dirs[i] + root_len + 1));
    free(root);
    cJSON *hs = cJSON_AddArrayToObject(o, "hunks");
    for (size_t k = 0; k < f->nhunks; k++) {
        cJSON *h = hunk_json(p, &f->hunks[k]);
        /* for the front ends that cannot read the file (an attached cockpit) */
        char *function = hk_patch_hunk_function(f, &f->hunks[k]);
        if (function)
            cJSON_AddStringToObject(h, "function", function);
        free(function);
        cJSON_AddItemToArray(hs, h);
    }
    return o;
}

cJSON *hk_patch_to_json(const struct hk_proposal *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", p->id);
    cJSON_AddStringToObject(o, "kind", kinds[p->kind]);
    cJSON_AddItemToObject(o, "input", p->input ? cJSON_Duplicate(p->input, 1)
                                               : cJSON_CreateObject());
    cJSON *opts = cJSON_AddObjectToObject(o, "opts");
    cJSON_AddNumberToObject(opts, "fuzz", p->opts.fuzz);
    cJSON_AddNumberToObject(opts, "strip", p->opts.strip);
    cJSON_AddBoolToObject(opts, "reverse", p->opts.reverse);
    cJSON_AddBoolToObject(opts, "partial", p->opts.partial);
    cJSON_AddBoolToObject(o, "written", p->written);
    cJSON *fs = cJSON_AddArrayToObject(o, "files");
    for (size_t i = 0; i < p->nfiles; i++)
        cJSON_AddItemToArray(fs, file_json(p, &p->files[i]));
    return o;
}

/* ---- rebuilding ---- */

static int hunk_from(const cJSON *o, struct hk_hunk *h)
{
    int st = index_of(states, 4, hk_json_str(o, "state")), res = index_of(results, 4, hk_json_str(o, "result"));
    const cJSON *ls = cJSON_GetObjectItemCaseSensitive(o, "lines"), *l;
    if (st < 0 || res < 0 || !cJSON_IsArray(ls))
        return -1;
    h->pos = (size_t)hk_json_int(o, "pos", 0);
    h->nold = (size_t)hk_json_int(o, "nold", 0);
    h->old_start = hk_json_int(o, "old_start", 0);
    h->old_count = hk_json_int(o, "old_count", 0);
    h->new_start = hk_json_int(o, "new_start", 0);
    h->new_count = hk_json_int(o, "new_count", 0);
    h->state = (enum hk_hunk_state)st;
    h->result = (enum hk_hunk_result)res;
    h->offset = hk_json_int(o, "offset", 0);
    h->fuzz = hk_json_int(o, "fuzz", 0);
    h->whitespace = hk_json_true(o, "whitespace");
    h->already = hk_json_true(o, "already");
    h->reason = hk_json_str(o, "reason") ? hk_xstrdup(hk_json_str(o, "reason")) : NULL;
    h->meta = hk_json_str(o, "meta") ? hk_xstrdup(hk_json_str(o, "meta")) : NULL;
    h->function = hk_json_str(o, "function") ? hk_xstrdup(hk_json_str(o, "function")) : NULL;
    struct lines out = {0};
    cJSON_ArrayForEach(l, ls) {
        const char *k = cJSON_GetStringValue(cJSON_GetArrayItem(l, 0));
        size_t len = 0;
        char *t = k && k[0] && strchr("c+-", k[0]) ? line_bytes(l, &len) : NULL;
        if (!t)
            return hk_patch_lines_free(&out), -1;
        enum hk_line_kind kind = k[0] == '+' ? HK_LINE_ADD : k[0] == '-' ? HK_LINE_DEL
                                                                         : HK_LINE_CONTEXT;
        hk_patch_lines_push(&out, kind, hk_patch_lines_own(&out, t), len, k[1] == '$');
    }
    h->lines = hk_patch_lines_pack(out.v, out.n);
    h->nlines = out.n;
    hk_patch_lines_free(&out);
    return 0;
}

static int live(const struct hk_hunk *h)
{
    return h->result != HK_HUNK_FAILED && h->state != HK_HUNK_REJECTED && !h->meta;
}

static int by_pos(const void *a, const void *b)
{
    const struct hk_hunk *x = *(struct hk_hunk *const *)a, *y = *(struct hk_hunk *const *)b;
    return x->pos != y->pos ? (x->pos < y->pos ? -1 : 1) : (x < y ? -1 : x > y);
}

/* Walks the current lines back to the original ones through the live hunks. */
static int walk_back(struct hk_patch_file *f, const struct hk_patch_line *cur, size_t ncur,
                     struct lines *orig)
{
    struct hk_hunk **order = hk_xmalloc((f->nhunks + 1) * sizeof *order);
    size_t no = 0, d = 0, at = 0;
    int rc = -1;
    for (size_t i = 0; i < f->nhunks; i++)
        if (f->hunks[i].result != HK_HUNK_FAILED && !f->hunks[i].meta)
            order[no++] = &f->hunks[i];
    qsort(order, no, sizeof *order, by_pos);
    for (size_t k = 0; k < no; k++) {
        const struct hk_hunk *h = order[k];
        for (; at < h->pos; at++, d++) {
            if (d >= ncur)
                goto out;
            hk_patch_lines_push(orig, 0, cur[d].text, cur[d].len, cur[d].noeol);
        }
        for (size_t j = 0; j < h->nlines; j++) {
            const struct hk_patch_line *l = &h->lines[j];
            if (live(h) && l->kind != HK_LINE_DEL) {
                if (d >= ncur || !hk_patch_line_eq(&cur[d], l))
                    goto out;
                d++;
            }
            if (l->kind != HK_LINE_ADD) {
                if (!live(h) && (d >= ncur || !hk_patch_line_eq(&cur[d++], l)))
                    goto out;
                hk_patch_lines_push(orig, 0, l->text, l->len, l->noeol);
            }
        }
        at += h->nold;
    }
    for (; d < ncur; d++)
        hk_patch_lines_push(orig, 0, cur[d].text, cur[d].len, cur[d].noeol);
    rc = 0;
out:
    free(order);
    return rc;
}

/* Which file on disk holds the current state, given the decisions. */
static const char *current_source(const struct hk_patch_file *f, int in_effect)
{
    if (f->status == HK_FILE_COPIED)
        return f->old_abs;
    if (in_effect)
        return f->status == HK_FILE_DELETED ? NULL : f->abs;
    if (f->status == HK_FILE_ADDED)
        return NULL;
    return f->old_abs ? f->old_abs : f->abs;
}

/* A journal written before these facts were kept has neither: the
 * destination is then taken as it is found. Directories resolve inside the
 * root like any path, so a damaged journal cannot point outside. */
static void read_undo_facts(struct hk_proposal *p, struct hk_patch_file *f, const cJSON *jf)
{
    const cJSON *dest = cJSON_GetObjectItemCaseSensitive(jf, "dest_exists"), *d;
    if (cJSON_IsBool(dest))
        f->dest_exists = cJSON_IsTrue(dest);
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(jf, "made_dirs")) {
        char *abs = NULL, *err = NULL;
        if (!cJSON_IsString(d) || hk_path_resolve(p->root, d->valuestring, &abs, &err) < 0) {
            free(err);
            continue;
        }
        f->made_dirs = hk_patch_grow(f->made_dirs, f->nmade, sizeof *f->made_dirs);
        f->made_dirs[f->nmade++] = abs;
    }
}

static int recover(struct hk_proposal *p, struct hk_patch_file *f, const cJSON *jf, char **err)
{
    char *load_err = NULL;
    if (hk_patch_file_load(p, f, &load_err) < 0) {
        free(load_err); /* the journal says what happened to it; keep the hunks */
        read_undo_facts(p, f, jf); /* and what undoing it needs */
        return 0;
    }
    /* A proposal never written (a hunk failed, not partial) left the files
     * as they were: its live hunks are not on disk to walk back through. */
    int in_effect = p->written && hk_patch_file_in_effect(f);
    const char *src = current_source(f, in_effect);
    int walk = f->status != HK_FILE_COPIED && in_effect;
    struct lines cur = {0}, orig = {0};
    if (src && src == f->abs && f->old_abs) {
        /* a live rename: hk_patch_file_load read the old name; the content is at the new one */
        hk_patch_lines_free_array(f->orig, f->norig);
        f->orig = NULL;
        f->norig = 0;
        struct hk_patch_file tmp = {.path = f->path};
        if (hk_patch_file_load(p, &tmp, err) < 0)
            return -1;
        f->orig = tmp.orig;
        f->norig = tmp.norig;
        free(tmp.abs);
    }
    if (!src) {
        hk_patch_lines_free_array(f->orig, f->norig);
        f->orig = NULL;
        f->norig = 0;
    }
    cur.v = f->orig;
    cur.n = f->norig;
    if (walk && walk_back(f, cur.v, cur.n, &orig) < 0) {
        hk_patch_lines_free(&orig);
        *err = hk_xasprintf("'%s' changed since proposal %s was made", f->path, p->id);
        return -1;
    }
    if (walk) {
        f->orig = hk_patch_lines_pack(orig.v, orig.n);
        f->norig = orig.n;
        hk_patch_lines_free(&orig);
        hk_patch_lines_free_array(cur.v, cur.n);
    }
    for (size_t i = 0; i < f->norig; i++)
        f->orig[i].noeol = i == f->norig - 1 && hk_json_true(jf, "orig_noeol");
    f->orig_exists = hk_json_true(jf, "orig_exists");
    f->orig_mode = (unsigned)hk_json_int(jf, "orig_mode", 0);
    read_undo_facts(p, f, jf);
    return 0;
}

static int file_from(struct hk_proposal *p, const cJSON *jf, char **err)
{
    const char *path = hk_json_str(jf, "path");
    int st = index_of(statuses, 5, hk_json_str(jf, "status"));
    const cJSON *hs = cJSON_GetObjectItemCaseSensitive(jf, "hunks"), *h;
    if (!path || st < 0 || !cJSON_IsArray(hs)) {
        *err = hk_xasprintf("proposal %s: a file entry is incomplete", p->id);
        return -1;
    }
    struct hk_patch_file *f = hk_patch_proposal_add_file(p, path);
    f->old_path = hk_json_str(jf, "old_path") ? hk_xstrdup(hk_json_str(jf, "old_path")) : NULL;
    f->status = (enum hk_file_status)st;
    f->new_mode = (unsigned)hk_json_int(jf, "new_mode", 0);
    /* A file never loaded is never written; its facts still round-trip. */
    f->orig_exists = hk_json_true(jf, "orig_exists");
    f->orig_mode = (unsigned)hk_json_int(jf, "orig_mode", 0);
    bool numbered = true; /* journals before new_start/new_count were kept lack them */
    cJSON_ArrayForEach(h, hs) {
        numbered = numbered && cJSON_HasObjectItem(h, "new_count");
        f->hunks = hk_patch_grow(f->hunks, f->nhunks, sizeof *f->hunks);
        memset(&f->hunks[f->nhunks], 0, sizeof *f->hunks);
        if (hunk_from(h, &f->hunks[f->nhunks++]) < 0) {
            *err = hk_xasprintf("proposal %s: a hunk of '%s' is malformed", p->id, path);
            return -1;
        }
    }
    if (!hk_json_true(jf, "loaded")) {
        read_undo_facts(p, f, jf); /* never read from disk; its facts still round-trip */
        return 0;
    }
    if (recover(p, f, jf, err) < 0)
        return -1;
    /* An older journal has no new-side numbers: building the file sets them. */
    size_t len;
    if (!numbered)
        free(hk_patch_file_build(f, &len));
    return 0;
}

int hk_patch_from_json(const cJSON *json, const char *root, struct hk_proposal **out,
                       char **err)
{
    int kind = index_of(kinds, 3, hk_json_str(json, "kind"));
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(json, "files"), *f;
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(json, "opts");
    *out = NULL;
    *err = NULL;
    if (kind < 0 || !hk_json_str(json, "id") || !cJSON_IsArray(fs)) {
        *err = hk_xstrdup("a proposal in the journal is incomplete (id, kind or files missing)");
        return -1;
    }
    struct hk_proposal *p = hk_patch_proposal_new(root, hk_json_str(json, "id"), (enum hk_patch_kind)kind);
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(json, "input");
    p->input = in ? cJSON_Duplicate(in, 1) : NULL;
    p->opts.fuzz = hk_json_int(opts, "fuzz", 0);
    p->opts.strip = hk_json_int(opts, "strip", 0);
    p->opts.reverse = hk_json_true(opts, "reverse");
    p->opts.partial = hk_json_true(opts, "partial");
    p->written = hk_json_true(json, "written");
    cJSON_ArrayForEach(f, fs) {
        if (file_from(p, f, err) < 0) {
            hk_patch_free(p);
            return -1;
        }
    }
    *out = p;
    return 0;
}

const char *hk_hunk_state_name(enum hk_hunk_state s)
{
    return (unsigned)s < 4 ? states[s] : "unknown";
}

int hk_hunk_state_parse(const char *name)
{
    return index_of(states, 4, name);
}
