/* The hunks a proposal left out of the files, as a .rej patch that git apply
 * (and GNU patch) read against the files as they are now: headers whose
 * numbers are counted from the lines themselves, never a corrupt one. */
#include "patch_internal.h"
#include "path.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not in the files: rejected, failed, or never written (an all-or-nothing
 * apply that stopped); a hunk already applied is in them. */
static int left_out(const struct hk_proposal *p, const struct hk_hunk *h)
{
    return !h->already &&
           (!p->written || h->result == HK_HUNK_FAILED || h->state == HK_HUNK_REJECTED);
}

/* The file as it is now has the proposal's change in it. */
static int on_disk(const struct hk_proposal *p, const struct hk_patch_file *f)
{
    return p->written && hk_patch_file_in_effect(f);
}

static void counts(const struct hk_hunk *h, int *old_n, int *new_n)
{
    *old_n = *new_n = 0;
    for (size_t i = 0; i < h->nlines; i++) {
        *old_n += h->lines[i].kind != HK_LINE_ADD;
        *new_n += h->lines[i].kind != HK_LINE_DEL;
    }
}

/* Where the hunk's old side starts in the file as it is now: a placed hunk in
 * a file that changed knows it (new_start numbers the current file, where a
 * rejected hunk keeps its old lines); otherwise the file is the original, and
 * a failed hunk keeps what the patch said. */
static int start_now(const struct hk_proposal *p, const struct hk_patch_file *f,
                     const struct hk_hunk *h, int old_n)
{
    if (h->result == HK_HUNK_FAILED)
        return old_n && h->old_start < 1 ? 1 : h->old_start < 0 ? 0 : h->old_start;
    return on_disk(p, f) ? h->new_start : h->old_start;
}

static void hunk_text(struct hk_buf *b, const struct hk_proposal *p, const struct hk_patch_file *f,
                      const struct hk_hunk *h, int *delta)
{
    int old_n, new_n;
    counts(h, &old_n, &new_n);
    int old_s = start_now(p, f, h, old_n);
    int new_s = old_s + *delta + (!old_n && new_n ? 1 : 0) - (old_n && !new_n ? 1 : 0);
    if (new_s < 0)
        new_s = 0;
    char *function = hk_patch_hunk_function(f, h);
    hk_buf_printf(b, "@@ -%d,%d +%d,%d @@%s%s\n", old_s, old_n, new_s, new_n, function ? " " : "",
                  function ? function : "");
    free(function);
    *delta += new_n - old_n;
    for (size_t i = 0; i < h->nlines; i++) {
        const struct hk_patch_line *l = &h->lines[i];
        hk_buf_addc(b, l->kind == HK_LINE_ADD ? '+' : l->kind == HK_LINE_DEL ? '-' : ' ');
        hk_buf_add(b, l->text, l->len);
        hk_buf_addc(b, '\n');
        if (l->noeol)
            hk_buf_adds(b, "\\ No newline at end of file\n");
    }
}

static unsigned git_mode(unsigned m)
{
    return 0100000 | ((m & 0111) ? 0755 : 0644);
}

/* The git header: the file as it is now on the old side, as the patch wants
 * it on the new side; a rename or creation left out is said as such. */
static void file_text(struct hk_buf *b, const struct hk_proposal *p, const struct hk_patch_file *f)
{
    int live = on_disk(p, f);
    int moved = (f->status == HK_FILE_RENAMED || f->status == HK_FILE_COPIED) && !live && f->old_path;
    const char *from = moved ? f->old_path : f->path;
    int created = f->status == HK_FILE_ADDED && !live;
    int deleted = f->status == HK_FILE_DELETED && !live;
    hk_buf_printf(b, "diff --git a/%s b/%s\n", from, f->path);
    if (moved) {
        const char *verb = f->status == HK_FILE_RENAMED ? "rename" : "copy";
        hk_buf_printf(b, "%s from %s\n%s to %s\n", verb, f->old_path, verb, f->path);
    }
    if (created)
        hk_buf_printf(b, "new file mode %06o\n", git_mode(f->new_mode ? f->new_mode : 0644));
    else if (deleted)
        hk_buf_printf(b, "deleted file mode %06o\n", git_mode(f->orig_mode));
    else if (f->new_mode && !live && git_mode(f->new_mode) != git_mode(f->orig_mode))
        hk_buf_printf(b, "old mode %06o\nnew mode %06o\n", git_mode(f->orig_mode),
                      git_mode(f->new_mode));
}

static int has_lines(const struct hk_proposal *p, const struct hk_patch_file *f)
{
    for (size_t k = 0; k < f->nhunks; k++)
        if (left_out(p, &f->hunks[k]) && !f->hunks[k].meta && f->hunks[k].nlines)
            return 1;
    return 0;
}

char *hk_patch_rej(const struct hk_proposal *p, size_t file)
{
    const struct hk_patch_file *f = &p->files[file];
    size_t n = 0;
    for (size_t k = 0; k < f->nhunks; k++)
        n += left_out(p, &f->hunks[k]);
    if (!n)
        return NULL;
    struct hk_buf b = {0};
    file_text(&b, p, f);
    if (has_lines(p, f)) {
        int live = on_disk(p, f);
        int created = f->status == HK_FILE_ADDED && !live;
        int deleted = f->status == HK_FILE_DELETED && !live;
        int moved = f->old_path && !live;
        hk_buf_printf(&b, "--- %s%s\n+++ %s%s\n", created ? "" : "a/",
                      created ? "/dev/null" : moved ? f->old_path : f->path, deleted ? "" : "b/",
                      deleted ? "/dev/null" : f->path);
    }
    int delta = 0;
    for (size_t k = 0; k < f->nhunks; k++)
        if (left_out(p, &f->hunks[k]) && !f->hunks[k].meta && f->hunks[k].nlines)
            hunk_text(&b, p, f, &f->hunks[k], &delta);
    return hk_buf_steal(&b);
}

static int put_file(const char *abs, const char *text)
{
    FILE *out = fopen(abs, "wb");
    if (!out)
        return -1;
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, out) != n;
    return (fclose(out) != 0 || bad) ? -1 : 0;
}

int hk_patch_write_rej(const struct hk_proposal *p, size_t file, char **where, char **err)
{
    *where = NULL;
    char *text = hk_patch_rej(p, file);
    if (!text)
        return 0;
    const char *path = p->files[file].path;
    char *rel = hk_xasprintf("%s.rej", path), *abs = NULL, *why = NULL;
    int rc = hk_path_resolve(p->root, rel, &abs, &why) == 0 ? put_file(abs, text) : -1;
    if (rc < 0) { /* beside the file is outside the tree or has no directory: at the top */
        for (char *s = rel; *s; s++)
            *s = *s == '/' ? '_' : *s;
        free(abs);
        abs = hk_xasprintf("%s/%s", p->root, rel);
        rc = put_file(abs, text);
    }
    if (rc < 0)
        *err = hk_xasprintf("cannot write %s: %s", abs, strerror(errno));
    else /* said as the caller named the root */
        *where = strcmp(p->root, ".") ? hk_xasprintf("%s/%s", p->root, rel) : hk_xstrdup(rel);
    free(why);
    free(abs);
    free(rel);
    free(text);
    return rc;
}
