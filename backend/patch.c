/* Proposals: built from edit_file, write_file or apply_patch, applied all or
 * nothing (or partially on request), then decided hunk by hunk with undo. */
#include "patch_internal.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void hk_patch_opts_init(struct hk_patch_opts *o)
{
    memset(o, 0, sizeof *o);
    o->fuzz = 2;
    o->strip = -1;
}

struct hk_proposal *hk_patch_proposal_new(const char *root, const char *id, enum hk_patch_kind kind)
{
    static unsigned counter;
    struct hk_proposal *p = hk_xcalloc(1, sizeof *p);
    p->id = id ? hk_xstrdup(id) : hk_xasprintf("p%u", ++counter);
    p->root = hk_xstrdup(root);
    p->kind = kind;
    hk_patch_opts_init(&p->opts);
    return p;
}

struct hk_patch_file *hk_patch_proposal_add_file(struct hk_proposal *p, const char *path)
{
    p->files = hk_patch_grow(p->files, p->nfiles, sizeof *p->files);
    struct hk_patch_file *f = &p->files[p->nfiles++];
    memset(f, 0, sizeof *f);
    f->path = hk_xstrdup(path);
    return f;
}

static void hunk_free(struct hk_hunk *h)
{
    hk_patch_lines_free_array(h->lines, h->nlines);
    free(h->reason);
    free(h->meta);
    free(h->function);
}

void hk_patch_free(struct hk_proposal *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nfiles; i++) {
        struct hk_patch_file *f = &p->files[i];
        for (size_t k = 0; k < f->nhunks; k++)
            hunk_free(&f->hunks[k]);
        free(f->hunks);
        for (size_t k = 0; k < f->nmade; k++)
            free(f->made_dirs[k]);
        free(f->made_dirs);
        hk_patch_lines_free_array(f->orig, f->norig);
        free(f->path);
        free(f->old_path);
        free(f->abs);
        free(f->old_abs);
    }
    for (size_t i = 0; i < p->nundo; i++)
        hk_patch_lines_free_array(p->undo[i].lines, p->undo[i].nlines);
    free(p->undo);
    free(p->files);
    cJSON_Delete(p->input);
    free(p->id);
    free(p->root);
    free(p);
}

static struct hk_hunk *push_hunk(struct hk_patch_file *f)
{
    f->hunks = hk_patch_grow(f->hunks, f->nhunks, sizeof *f->hunks);
    struct hk_hunk *h = &f->hunks[f->nhunks++];
    memset(h, 0, sizeof *h);
    return h;
}

static void add_meta(struct hk_patch_file *f, char *meta)
{
    push_hunk(f)->meta = meta;
}

/* Every hunk of the file fails with the same reason; nothing will touch it. */
static void file_fail(struct hk_patch_file *f, const struct spec_file *sf, const char *why)
{
    for (size_t k = 0; k < f->nhunks; k++)
        hunk_free(&f->hunks[k]);
    f->nhunks = 0;
    for (size_t k = 0; k < (sf ? sf->nhunks : 0); k++) {
        struct hk_hunk *h = push_hunk(f);
        h->lines = hk_patch_lines_pack(sf->hunks[k].lines.v, sf->hunks[k].lines.n);
        h->nlines = sf->hunks[k].lines.n;
    }
    if (!f->nhunks)
        add_meta(f, hk_xstrdup("file change"));
    for (size_t k = 0; k < f->nhunks; k++) {
        f->hunks[k].result = HK_HUNK_FAILED;
        f->hunks[k].state = HK_HUNK_REJECTED;
        f->hunks[k].reason = hk_xstrdup(why);
    }
    free(f->abs);
    free(f->old_abs);
    f->abs = f->old_abs = NULL;
}

static enum hk_file_status status_of(const struct spec_file *sf)
{
    return sf->is_new ? HK_FILE_ADDED : sf->is_delete ? HK_FILE_DELETED
         : sf->is_rename ? HK_FILE_RENAMED : sf->is_copy ? HK_FILE_COPIED : HK_FILE_MODIFIED;
}

static char *existence_error(const struct hk_patch_file *f)
{
    const char *src = f->old_path ? f->old_path : f->path;
    const char *fmt = NULL, *name = f->path;
    if (f->status == HK_FILE_ADDED && f->orig_exists)
        fmt = "'%s' already exists";
    else if (f->status != HK_FILE_ADDED && !f->orig_exists)
        fmt = "'%s' does not exist", name = src;
    else if (f->old_path && f->dest_exists)
        fmt = "'%s' already exists";
    if (!fmt)
        return NULL;
    char *n = hk_patch_shown_name(name), *msg = hk_xasprintf(fmt, n);
    free(n);
    return msg;
}

static char *meta_text(const struct hk_patch_file *f)
{
    if (f->status == HK_FILE_RENAMED)
        return hk_xasprintf("rename %s -> %s", f->old_path, f->path);
    if (f->status == HK_FILE_COPIED)
        return hk_xasprintf("copy %s -> %s", f->old_path, f->path);
    if (f->status == HK_FILE_ADDED)
        return hk_xstrdup("new empty file");
    if (f->status == HK_FILE_DELETED)
        return hk_xstrdup("delete file");
    return hk_xasprintf("mode %03o -> %03o", f->orig_mode & 0777, f->new_mode);
}

/* A hunk that fails but whose reverse fits exactly is already in the file (as
 * GNU patch detects a previously applied patch); nothing is placed for it. */
static int already_applied(struct hk_patch_file *f, const struct spec_hunk *sh, int last_off,
                           size_t cursor)
{
    struct spec_hunk r = *sh;
    struct lines rl = {0};
    for (size_t j = 0; j < sh->lines.n; j++) {
        const struct hk_patch_line *l = &sh->lines.v[j];
        enum hk_line_kind k = l->kind == HK_LINE_ADD ? HK_LINE_DEL
                              : l->kind == HK_LINE_DEL ? HK_LINE_ADD : HK_LINE_CONTEXT;
        hk_patch_lines_push(&rl, k, l->text, l->len, l->noeol);
    }
    r.lines = rl;
    r.old_start = sh->new_start, r.old_count = sh->new_count;
    r.new_start = sh->old_start, r.new_count = sh->old_count;
    struct placed pl;
    hk_patch_placed_init(&pl, f);
    struct hk_hunk h = {0};
    int changes = 0;
    for (size_t j = 0; j < rl.n; j++)
        changes += rl.v[j].kind != HK_LINE_CONTEXT;
    int found = changes && hk_patch_locate_hunk(f, &pl, &r, 0, &last_off, &cursor, &h) == 0;
    hk_patch_lines_free_array(h.lines, h.nlines);
    free(h.reason);
    hk_patch_placed_free(&pl);
    hk_patch_lines_free(&rl);
    return found;
}

static void locate_all(struct hk_patch_file *f, const struct spec_file *sf, int fuzz)
{
    int last_off = 0;
    size_t cursor = 0;
    struct placed pl;
    hk_patch_placed_init(&pl, f);
    for (size_t k = 0; k < sf->nhunks; k++) {
        struct hk_hunk h = {0};
        if (hk_patch_locate_hunk(f, &pl, &sf->hunks[k], fuzz, &last_off, &cursor, &h) < 0) {
            h.result = HK_HUNK_FAILED; /* never placed, so never written */
            h.state = HK_HUNK_REJECTED;
            if (already_applied(f, &sf->hunks[k], last_off, cursor)) {
                h.already = 1;
                free(h.reason);
                h.reason = hk_xstrdup("already applied: the file has its change");
            }
            h.lines = hk_patch_lines_pack(sf->hunks[k].lines.v, sf->hunks[k].lines.n);
            h.nlines = sf->hunks[k].lines.n;
            h.old_start = sf->hunks[k].old_start;
            h.old_count = sf->hunks[k].old_count;
        }
        *push_hunk(f) = h;
    }
    hk_patch_placed_free(&pl);
}

/* A deletion without hunks (the envelope's Delete File) removes every line. */
static void delete_everything(struct hk_patch_file *f)
{
    if (!f->norig) {
        add_meta(f, meta_text(f));
        return;
    }
    struct hk_hunk *h = push_hunk(f);
    struct lines l = {0};
    for (size_t i = 0; i < f->norig; i++)
        hk_patch_lines_push(&l, HK_LINE_DEL, f->orig[i].text, f->orig[i].len, f->orig[i].noeol);
    h->lines = hk_patch_lines_pack(l.v, l.n);
    h->nlines = l.n;
    hk_patch_lines_free(&l);
    h->nold = f->norig;
    h->old_start = 1;
    h->old_count = (int)f->norig;
}

static int only_additions(const struct spec_file *sf)
{
    for (size_t k = 0; k < sf->nhunks; k++)
        for (size_t j = 0; j < sf->hunks[k].lines.n; j++)
            if (sf->hunks[k].lines.v[j].kind != HK_LINE_ADD)
                return 0;
    return sf->nhunks > 0;
}

/* A deletion whose hunks add lines is no deletion (git calls such a patch
 * corrupt): taken as one, its hunks could not be decided one by one. */
static int deletion_adds(const struct spec_file *sf)
{
    for (size_t k = 0; sf->is_delete && k < sf->nhunks; k++)
        for (size_t j = 0; j < sf->hunks[k].lines.n; j++)
            if (sf->hunks[k].lines.v[j].kind == HK_LINE_ADD)
                return 1;
    return 0;
}

/* A plain modification of a file the proposal already modifies (models write two
 * sections for one file): its hunks join that file's, located in the same original. */
static struct hk_patch_file *same_file(struct hk_proposal *p, const struct spec_file *sf)
{
    if (status_of(sf) != HK_FILE_MODIFIED || sf->binary || sf->new_mode)
        return NULL;
    for (size_t i = 0; i < p->nfiles; i++) {
        struct hk_patch_file *f = &p->files[i];
        if (f->status == HK_FILE_MODIFIED && f->abs && !f->new_mode &&
            strcmp(f->path, sf->new_path) == 0)
            return f;
    }
    return NULL;
}

/* A path and where it comes in the patch, to find repeated paths by sorting. */
struct named {
    const char *path;
    size_t i;
};

static int by_name(const void *x, const void *y)
{
    const struct named *a = x, *b = y;
    int c = strcmp(a->path, b->path);
    return c ? c : (a->i > b->i) - (a->i < b->i);
}

/* repeated[i]: an earlier section of the patch names the same path, so only then
 * can same_file find a file to join (saves comparing every pair of files). */
static char *repeated_paths(const struct spec *s)
{
    struct named *v = hk_xmalloc((s->nfiles + 1) * sizeof *v);
    char *repeated = hk_xcalloc(s->nfiles + 1, 1);
    for (size_t i = 0; i < s->nfiles; i++)
        v[i] = (struct named){s->files[i].new_path ? s->files[i].new_path
                                                   : s->files[i].old_path, i};
    qsort(v, s->nfiles, sizeof *v, by_name);
    for (size_t i = 1; i < s->nfiles; i++)
        repeated[v[i].i] = strcmp(v[i - 1].path, v[i].path) == 0;
    free(v);
    return repeated;
}

static void build_file(struct hk_proposal *p, const struct spec_file *sf, int repeated)
{
    const char *path = sf->new_path ? sf->new_path : sf->old_path;
    struct hk_patch_file *f = repeated ? same_file(p, sf) : NULL;
    if (f) {
        locate_all(f, sf, p->opts.fuzz);
        return;
    }
    f = hk_patch_proposal_add_file(p, path);
    f->status = status_of(sf);
    if ((sf->is_rename || sf->is_copy) && sf->old_path)
        f->old_path = hk_xstrdup(sf->old_path);
    if (sf->new_mode && sf->new_mode != sf->old_mode && !sf->is_delete)
        f->new_mode = sf->new_mode;
    char *err = NULL;
    if (repeated) { /* not a plain modification to join: two files of one name */
        char *n = hk_patch_shown_name(path);
        err = hk_xasprintf("the patch names '%s' twice, in ways that cannot be joined", n);
        free(n);
    } else if (sf->binary)
        err = hk_xasprintf("binary patch for '%s' cannot be applied: honk edits text files only",
                           path);
    else if (hk_patch_file_load(p, f, &err) == 0) {
        if (f->status == HK_FILE_MODIFIED && !f->orig_exists && only_additions(sf))
            f->status = HK_FILE_ADDED; /* a new file written without /dev/null */
        err = existence_error(f);
        if (!err && deletion_adds(sf)) {
            char *n = hk_patch_shown_name(f->path);
            err = hk_xasprintf("the deletion of '%s' adds lines: not a deletion", n);
            free(n);
        }
    }
    if (err) {
        file_fail(f, sf, err);
        free(err);
        return;
    }
    if (f->status == HK_FILE_DELETED && !sf->nhunks)
        delete_everything(f);
    locate_all(f, sf, p->opts.fuzz);
    if (!f->nhunks)
        add_meta(f, meta_text(f));
}

static size_t count_failed(const struct hk_proposal *p, size_t *already, size_t *total)
{
    size_t n = 0;
    *already = *total = 0;
    for (size_t i = 0; i < p->nfiles; i++) {
        for (size_t k = 0; k < p->files[i].nhunks; k++) {
            n += p->files[i].hunks[k].result == HK_HUNK_FAILED;
            *already += p->files[i].hunks[k].already;
        }
        *total += p->files[i].nhunks;
    }
    return n;
}

static char *failure_sentence(size_t failed, size_t already, size_t total, int changed,
                              int reverse)
{
    const char *tail = changed ? "" : ", so nothing was changed";
    if (already == total && reverse)
        return hk_xasprintf("the patch is not in the files: there is nothing to reverse%s", tail);
    if (already == total)
        return hk_xasprintf("the patch is already applied%s", tail);
    if (already == failed)
        return hk_xasprintf("%zu hunk%s already applied%s", already,
                            already == 1 ? " is" : "s are", tail);
    if (already)
        return hk_xasprintf("%zu hunk%s did not apply (%zu already applied)%s", failed,
                            failed == 1 ? "" : "s", already, tail);
    return hk_xasprintf("%zu hunk%s did not apply%s", failed, failed == 1 ? "" : "s", tail);
}

/* Writes the proposal unless hunks failed and partial application was not asked. */
static int finish(struct hk_proposal *p, struct hk_proposal **out, char **err)
{
    size_t already, total, failed = count_failed(p, &already, &total);
    *out = p;
    if (failed && !p->opts.partial) {
        *err = failure_sentence(failed, already, total, 0, p->opts.reverse);
        return 1;
    }
    if (hk_patch_proposal_sync(p, err) < 0)
        return 1;
    for (size_t i = 0; p->opts.approve && !p->opts.dry_run && i < p->nfiles; i++)
        for (size_t k = 0; k < p->files[i].nhunks; k++)
            if (p->files[i].hunks[k].result != HK_HUNK_FAILED)
                p->files[i].hunks[k].state = HK_HUNK_APPROVED;
    if (failed)
        *err = failure_sentence(failed, already, total, failed < total, p->opts.reverse);
    return failed ? 1 : 0;
}

static int reversible(const struct spec *s, char **err)
{
    for (size_t i = 0; i < s->nfiles; i++) {
        if (s->files[i].is_delete && !s->files[i].nhunks && s->files[i].old_path) {
            *err = hk_xasprintf("cannot reverse the deletion of '%s': the patch does not "
                                "carry its content", s->files[i].old_path);
            return -1;
        }
    }
    return 0;
}

int hk_patch_apply_text(const char *root, const char *id, const char *patch,
                        const struct hk_patch_opts *opts, struct hk_proposal **out, char **err)
{
    struct spec s;
    *out = NULL;
    *err = NULL;
    if (hk_patch_spec_parse(patch, opts->strip, &s, err) < 0)
        return -1;
    if (opts->reverse)
        hk_patch_spec_reverse(&s);
    if (opts->reverse && reversible(&s, err) < 0) {
        hk_patch_spec_free(&s);
        return -1;
    }
    struct hk_proposal *p = hk_patch_proposal_new(root, id, HK_PATCH_DIFF);
    p->opts = *opts;
    p->input = cJSON_CreateObject();
    cJSON_AddStringToObject(p->input, "patch", patch);
    char *repeated = repeated_paths(&s);
    for (size_t i = 0; i < s.nfiles; i++)
        build_file(p, &s.files[i], repeated[i]);
    free(repeated);
    hk_patch_spec_free(&s);
    return finish(p, out, err);
}

static int single_file(const char *root, const char *id, enum hk_patch_kind kind,
                       const char *path, struct hk_proposal **pp, char **err)
{
    struct hk_proposal *p = hk_patch_proposal_new(root, id, kind);
    struct hk_patch_file *f = hk_patch_proposal_add_file(p, path);
    *pp = p;
    if (hk_patch_file_load(p, f, err) < 0) {
        hk_patch_free(p);
        return -1;
    }
    f->status = f->orig_exists ? HK_FILE_MODIFIED : HK_FILE_ADDED;
    return 0;
}

static int crlf_file(const struct hk_patch_file *f)
{
    return f->norig && !f->orig[0].noeol && f->orig[0].len &&
           f->orig[0].text[f->orig[0].len - 1] == '\r';
}

/* Content for a CRLF file written with LF only gets CRLF, so the file keeps them. */
static void write_hunks(struct hk_patch_file *f, const char *content)
{
    struct lines nw = {0};
    hk_patch_lines_split(&nw, content, strlen(content));
    for (size_t i = 0; crlf_file(f) && !strchr(content, '\r') && i < nw.n; i++) {
        if (nw.v[i].noeol)
            continue;
        struct hk_patch_line *l = &nw.v[i];
        l->text = hk_patch_lines_own(&nw, hk_xasprintf("%.*s\r", (int)l->len, l->text));
        l->len++;
    }
    hk_patch_hunks_from_diff(f, nw.v, nw.n);
    hk_patch_lines_free(&nw);
    if (!f->nhunks && f->status == HK_FILE_ADDED)
        add_meta(f, hk_xstrdup("new empty file"));
}

int hk_patch_write_file(const char *root, const char *id, const char *path,
                        const char *content, struct hk_proposal **out, char **err)
{
    struct hk_proposal *p;
    *out = NULL;
    *err = NULL;
    if (single_file(root, id, HK_PATCH_WRITE, path, &p, err) < 0)
        return -1;
    p->input = cJSON_CreateObject();
    cJSON_AddStringToObject(p->input, "path", path);
    cJSON_AddStringToObject(p->input, "content", content);
    write_hunks(&p->files[0], content);
    if (!p->files[0].nhunks) {
        *err = hk_xasprintf("'%s' already has exactly this content", path);
        hk_patch_free(p);
        return -1;
    }
    return finish(p, out, err);
}

static char *edit_precheck(const struct hk_patch_file *f, const char *old_s, const char *new_s)
{
    if (strcmp(old_s, new_s) == 0)
        return hk_xstrdup("old_string and new_string are the same; there is nothing to change");
    if (!f->orig_exists && *old_s)
        return hk_xasprintf("'%s' does not exist; use write_file to create it", f->path);
    if (!*old_s && f->norig)
        return hk_xasprintf("old_string is empty but '%s' is not; give the text to replace",
                            f->path);
    return NULL;
}

int hk_patch_edit_file(const char *root, const char *id, const char *path, const char *old_s,
                       const char *new_s, int replace_all, struct hk_proposal **out, char **err)
{
    struct hk_proposal *p;
    *out = NULL;
    *err = NULL;
    if (single_file(root, id, HK_PATCH_EDIT, path, &p, err) < 0)
        return -1;
    p->input = cJSON_CreateObject();
    cJSON_AddStringToObject(p->input, "path", path);
    cJSON_AddStringToObject(p->input, "old_string", old_s);
    cJSON_AddStringToObject(p->input, "new_string", new_s);
    cJSON_AddBoolToObject(p->input, "replace_all", replace_all);
    struct hk_patch_file *f = &p->files[0];
    if ((*err = edit_precheck(f, old_s, new_s)) != NULL)
        goto fail;
    if (!*old_s)
        write_hunks(f, new_s);
    else if (hk_patch_locate_edit(f, old_s, new_s, replace_all, err) < 0)
        goto fail;
    return finish(p, out, err);
fail:
    hk_patch_free(p);
    return -1;
}

static const char *str_of(const cJSON *in, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int hk_patch_from_tool(const char *root, const char *id, const char *tool,
                       const cJSON *input, struct hk_proposal **out, char **err)
{
    const char *path = str_of(input, "path");
    *out = NULL;
    if (strcmp(tool, "edit_file") == 0) {
        const char *o = str_of(input, "old_string"), *n = str_of(input, "new_string");
        if (!path || !o || !n) {
            *err = hk_xstrdup("edit_file needs string fields path, old_string and new_string");
            return -1;
        }
        const cJSON *all = cJSON_GetObjectItemCaseSensitive(input, "replace_all");
        return hk_patch_edit_file(root, id, path, o, n, cJSON_IsTrue(all), out, err);
    }
    if (strcmp(tool, "write_file") == 0) {
        const char *c = str_of(input, "content");
        if (!path || !c) {
            *err = hk_xstrdup("write_file needs string fields path and content");
            return -1;
        }
        return hk_patch_write_file(root, id, path, c, out, err);
    }
    const char *patch = str_of(input, "patch") ? str_of(input, "patch") : str_of(input, "input");
    if (strcmp(tool, "apply_patch") != 0 || !patch) {
        *err = hk_xasprintf("%s is not a patch tool, or its input has no string 'patch'", tool);
        return -1;
    }
    struct hk_patch_opts o;
    hk_patch_opts_init(&o);
    return hk_patch_apply_text(root, id, patch, &o, out, err);
}
