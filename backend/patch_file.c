/* A proposal's files on disk: loading originals, computing each file from its
 * original and its hunks' states, and writing or removing it to match. */
#include "patch_internal.h"
#include "path.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads to the end into one buffer sized by what stat said (plus a NUL). */
static size_t read_fd(int fd, size_t size, char **data)
{
    size_t cap = size + 2, n = 0; /* room to see the end without growing */
    char *buf = hk_xmalloc(cap);
    for (;;) {
        if (n + 1 == cap)
            buf = hk_xrealloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *data = buf;
    return n;
}

/* Reads a regular file: 0 read, 1 absent, -1 error with *err. */
static int read_all(const char *abs, const char *path, char **data, size_t *len, unsigned *mode,
                    char **err)
{
    struct stat st;
    if (stat(abs, &st) < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 1;
        *err = hk_xasprintf("'%s' cannot be read: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        *err = hk_xasprintf("'%s' is not a regular file", path);
        return -1;
    }
    int fd = open(abs, O_RDONLY);
    if (fd < 0) {
        *err = hk_xasprintf("'%s' cannot be read: %s", path, strerror(errno));
        return -1;
    }
    *len = read_fd(fd, (size_t)st.st_size, data);
    close(fd);
    *mode = st.st_mode & 07777;
    return 0;
}

static int load(struct hk_proposal *p, struct hk_patch_file *f, char **err)
{
    if (hk_path_resolve(p->root, f->path, &f->abs, err) < 0)
        return -1;
    if (f->old_path && hk_path_resolve(p->root, f->old_path, &f->old_abs, err) < 0)
        return -1;
    const char *src = f->old_abs ? f->old_abs : f->abs;
    const char *name = f->old_path ? f->old_path : f->path;
    char *data = NULL;
    size_t len = 0;
    int rc = read_all(src, name, &data, &len, &f->orig_mode, err);
    if (rc < 0)
        return -1;
    f->orig_exists = rc == 0;
    if (rc == 0 && hk_patch_is_binary(data, len)) {
        free(data);
        *err = hk_xasprintf("'%s' is a binary file; honk patches text files only", name);
        return -1;
    }
    f->orig = hk_patch_lines_from_bytes(data ? data : "", len, &f->norig);
    free(data);
    if (!f->orig_exists)
        f->orig_mode = 0644;
    if (f->old_abs)
        f->dest_exists = access(f->abs, F_OK) == 0;
    return 0;
}

/* On failure the file has no absolute path, so that nothing ever writes it. */
int hk_patch_file_load(struct hk_proposal *p, struct hk_patch_file *f, char **err)
{
    if (load(p, f, err) == 0)
        return 0;
    free(f->abs);
    free(f->old_abs);
    f->abs = f->old_abs = NULL;
    return -1;
}

static int hunk_live(const struct hk_hunk *h)
{
    return h->result != HK_HUNK_FAILED && h->state != HK_HUNK_REJECTED;
}

int hk_patch_file_in_effect(const struct hk_patch_file *f)
{
    for (size_t i = 0; i < f->nhunks; i++)
        if (hunk_live(&f->hunks[i]))
            return 1;
    return 0;
}

static int by_pos(const void *a, const void *b)
{
    const struct hk_hunk *x = *(struct hk_hunk *const *)a, *y = *(struct hk_hunk *const *)b;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void emit(struct hk_buf *b, const struct hk_patch_line *l, int last)
{
    hk_buf_add(b, l->text, l->len);
    if (!(l->noeol && last))
        hk_buf_addc(b, '\n');
}

/* Collects the lines of the file as the hunks' states make it. */
static const struct hk_patch_line **file_lines(const struct hk_patch_file *f, size_t *n)
{
    struct hk_hunk **order = hk_xmalloc((f->nhunks + 1) * sizeof *order);
    size_t no = 0, cap = f->norig + 1, out = 0, at = 0;
    for (size_t i = 0; i < f->nhunks; i++) {
        if (f->hunks[i].result != HK_HUNK_FAILED && !f->hunks[i].meta)
            order[no++] = &f->hunks[i];
        cap += f->hunks[i].nlines;
    }
    qsort(order, no, sizeof *order, by_pos);
    const struct hk_patch_line **v = hk_xmalloc(cap * sizeof *v);
    for (size_t k = 0; k < no; k++) {
        struct hk_hunk *h = order[k];
        /* (bounded by the original: a proposal read from a damaged journal
         * may place a hunk past the file's end, or over another) */
        while (at < h->pos && at < f->norig)
            v[out++] = &f->orig[at++];
        size_t start = out;
        int live = hunk_live(h);
        for (size_t j = 0; j < h->nlines; j++)
            if (h->lines[j].kind != (live ? HK_LINE_DEL : HK_LINE_ADD))
                v[out++] = &h->lines[j];
        h->new_count = (int)(out - start);
        h->new_start = (int)(h->new_count ? start + 1 : start);
        if (h->pos + h->nold > at)
            at = h->pos + h->nold;
    }
    while (at < f->norig)
        v[out++] = &f->orig[at++];
    free(order);
    *n = out;
    return v;
}

char *hk_patch_file_build(const struct hk_patch_file *f, size_t *len)
{
    size_t n;
    const struct hk_patch_line **v = file_lines(f, &n);
    struct hk_buf b = {0};
    for (size_t i = 0; i < n; i++)
        emit(&b, v[i], i == n - 1);
    free(v);
    *len = b.len;
    return hk_buf_steal(&b);
}

static void note_dir(struct hk_patch_file *f, const char *dir)
{
    for (size_t i = 0; i < f->nmade; i++)
        if (strcmp(f->made_dirs[i], dir) == 0)
            return;
    f->made_dirs = hk_patch_grow(f->made_dirs, f->nmade, sizeof *f->made_dirs);
    f->made_dirs[f->nmade++] = hk_xstrdup(dir);
}

static int make_parents(struct hk_patch_file *f, const char *abs, const char *path, char **err)
{
    char *d = hk_xstrdup(abs);
    int rc = 0;
    for (char *s = strchr(d + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(d, 0777) == 0)
            note_dir(f, d);
        else if (errno != EEXIST) {
            *err = hk_xasprintf("cannot create the directory for '%s': %s", path, strerror(errno));
            rc = -1;
            break;
        }
        *s = '/';
    }
    free(d);
    return rc;
}

static int same_on_disk(const char *abs, const char *data, size_t len, unsigned mode)
{
    char *cur = NULL, *err = NULL;
    size_t clen;
    unsigned cmode;
    struct stat st;
    if (stat(abs, &st) < 0 || (size_t)st.st_size != len || (st.st_mode & 07777) != mode)
        return 0; /* no need to read what cannot be the same */
    int same = read_all(abs, "", &cur, &clen, &cmode, &err) == 0 && clen == len &&
               memcmp(cur, data, len) == 0 && cmode == mode;
    free(cur);
    free(err);
    return same;
}

static int put(struct hk_patch_file *f, const char *abs, const char *path, const char *data,
               size_t len, unsigned mode, char **err)
{
    if (same_on_disk(abs, data, len, mode))
        return 0;
    char *tmp = hk_xasprintf("%s.honk-XXXXXX", abs);
    int fd = mkstemp(tmp), rc = -1;
    if (fd < 0 && errno == ENOENT) { /* a new directory: only now make the parents */
        if (make_parents(f, abs, path, err) < 0)
            goto out;
        memcpy(tmp + strlen(tmp) - 6, "XXXXXX", 6);
        fd = mkstemp(tmp);
    }
    if (fd < 0) {
        *err = hk_xasprintf("cannot write '%s': %s", path, strerror(errno));
        goto out;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    int bad = off < len || fchmod(fd, mode) < 0;
    bad = close(fd) < 0 || bad;
    if (bad || rename(tmp, abs) < 0) {
        *err = hk_xasprintf("cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    return rc;
}

static int drop(struct hk_patch_file *f, const char *abs, const char *path, char **err)
{
    if (unlink(abs) < 0 && errno != ENOENT) {
        *err = hk_xasprintf("cannot remove '%s': %s", path, strerror(errno));
        return -1;
    }
    for (size_t i = f->nmade; i-- > 0;)
        rmdir(f->made_dirs[i]);
    return 0;
}

static unsigned mode_after(const struct hk_patch_file *f)
{
    if (f->new_mode & 0111)
        return f->orig_mode | ((f->orig_mode & 0444) >> 2);
    if (f->new_mode)
        return f->orig_mode & ~0111u;
    return f->orig_mode;
}

static int put_orig(struct hk_patch_file *f, const char *abs, const char *path, char **err)
{
    if (!f->orig_exists)
        return drop(f, abs, path, err);
    size_t len;
    char *data = hk_patch_lines_join(f->orig, f->norig, &len);
    int rc = put(f, abs, path, data, len, f->orig_mode, err);
    free(data);
    return rc;
}

static int file_sync(struct hk_patch_file *f, char **err)
{
    int live = hk_patch_file_in_effect(f);
    if (f->status == HK_FILE_RENAMED && live && drop(f, f->old_abs, f->old_path, err) < 0)
        return -1;
    if (f->status == HK_FILE_RENAMED && !live && put_orig(f, f->old_abs, f->old_path, err) < 0)
        return -1;
    if (!live && f->old_abs)
        return f->dest_exists ? 0 : drop(f, f->abs, f->path, err);
    if (!live)
        return put_orig(f, f->abs, f->path, err);
    if (f->status == HK_FILE_DELETED)
        return drop(f, f->abs, f->path, err);
    size_t len;
    char *data = hk_patch_file_build(f, &len);
    int rc = put(f, f->abs, f->path, data, len, mode_after(f), err);
    free(data);
    return rc;
}

int hk_patch_proposal_sync(struct hk_proposal *p, char **err)
{
    if (p->opts.dry_run) {
        /* Nothing is written, but the hunks' new-side numbers must still be
         * those of the file as it would be, not the patch's own claims. */
        for (size_t i = 0; i < p->nfiles; i++) {
            size_t n;
            free(file_lines(&p->files[i], &n));
        }
        return 0;
    }
    for (size_t i = 0; i < p->nfiles; i++) {
        if (!p->files[i].abs)
            continue;
        if (file_sync(&p->files[i], err) < 0)
            return -1;
    }
    /* A directory one file made can hold another's (new/a and new/dir/b):
     * emptied only once both are gone, it goes then. Only directories this
     * proposal made, and only empty ones, are removed. */
    for (size_t i = p->nfiles; i-- > 0;)
        for (size_t k = p->files[i].nmade; k-- > 0;)
            rmdir(p->files[i].made_dirs[k]);
    p->written = 1;
    return 0;
}
