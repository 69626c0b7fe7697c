/* Shared by the libFuzzer harnesses: a sandbox directory per process (a
 * worktree root and, beside it, files the tools must never reach), a snapshot
 * of a directory tree to compare byte for byte, and a loud failure that
 * libFuzzer records as a crash with the input that caused it. */
#ifndef HK_FUZZ_H
#define HK_FUZZ_H

#include "util.h"

#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An invariant broke: say which, then abort so libFuzzer saves the input. */
#define FZ_ASSERT(cond, ...)                                                \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "fuzz invariant failed: %s:%d: %s: ", __FILE__, \
                    __LINE__, #cond);                                       \
            fprintf(stderr, __VA_ARGS__);                                   \
            fprintf(stderr, "\n");                                          \
            abort();                                                        \
        }                                                                   \
    } while (0)

/* --- the sandbox ------------------------------------------------------ */

/* sandbox/root is the worktree; sandbox/outside holds what must stay out of
 * reach, so root/cfg -> ../outside/secret.env is the escape a tool must refuse. */
static char *fz_sandbox, *fz_root, *fz_outside;

#define FZ_SECRET "TOPSECRET-7f3a"

static inline int fz_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    /* A fuzzed patch may leave a directory without write or search rights. */
    chmod(p, 0700);
    return remove(p);
}

static inline void fz_rmtree(const char *dir)
{
    nftw(dir, fz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes dir's contents, keeps dir. */
static inline void fz_empty(const char *dir)
{
    fz_rmtree(dir);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        abort();
}

static inline void fz_put(const char *rel, const char *data, size_t len)
{
    char *path = hk_xasprintf("%s/%s", fz_sandbox, rel);
    for (char *s = strchr(path + strlen(fz_sandbox) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (len && fwrite(data, 1, len, f) != len)
        abort();
    fclose(f);
    free(path);
}

/* A string literal's bytes, NULs included. */
#define FZ_PUT_LIT(rel, lit) fz_put(rel, lit, sizeof lit - 1)

static inline void fz_link(const char *target, const char *rel)
{
    char *path = hk_xasprintf("%s/%s", fz_sandbox, rel);
    if (symlink(target, path) != 0)
        abort();
    free(path);
}

static inline void fz_cleanup(void)
{
    if (fz_sandbox)
        fz_rmtree(fz_sandbox);
}

/* Makes the sandbox once per process; removed at exit. */
static inline void fz_sandbox_init(void)
{
    if (fz_sandbox)
        return;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    fz_sandbox = hk_xasprintf("%s/honk-fuzz.XXXXXX", tmp);
    if (!mkdtemp(fz_sandbox))
        abort();
    fz_root = hk_xasprintf("%s/root", fz_sandbox);
    fz_outside = hk_xasprintf("%s/outside", fz_sandbox);
    mkdir(fz_root, 0755);
    mkdir(fz_outside, 0755);
    fz_put("outside/secret.env", FZ_SECRET "=1\n", strlen(FZ_SECRET "=1\n"));
    atexit(fz_cleanup);
}

/* --- snapshots -------------------------------------------------------- */

/* Every entry under a directory as sorted text: path, type, mode, then
 * the bytes of a file or the target of a link. Equal snapshots are equal trees. */
struct fz_entry {
    char *path;
    char *desc;
    size_t len;
};

static struct fz_entry *fz_entries;
static size_t fz_nentries;
static size_t fz_base_len;

static inline int fz_add_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)flag, (void)ftw;
    struct hk_buf b = {0};
    hk_buf_printf(&b, "%s %o ", S_ISDIR(st->st_mode) ? "dir" : S_ISLNK(st->st_mode) ? "link" : "file",
                  (unsigned)(st->st_mode & 07777));
    if (S_ISLNK(st->st_mode)) {
        char target[4096];
        ssize_t n = readlink(p, target, sizeof target);
        hk_buf_add(&b, target, n > 0 ? (size_t)n : 0);
    } else if (S_ISREG(st->st_mode) && hk_read_file(p, &b) != 0) {
        hk_buf_adds(&b, "(unreadable)");
    }
    fz_entries = hk_xrealloc(fz_entries, (fz_nentries + 1) * sizeof *fz_entries);
    size_t len = b.len;
    fz_entries[fz_nentries++] = (struct fz_entry){hk_xstrdup(p + fz_base_len), hk_buf_steal(&b), len};
    return 0;
}

static inline int fz_cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct fz_entry *)a)->path, ((const struct fz_entry *)b)->path);
}

/* The snapshot of dir; caller frees (fz_same compares two). */
static inline struct hk_buf fz_snapshot(const char *dir)
{
    fz_entries = NULL;
    fz_nentries = 0;
    fz_base_len = strlen(dir);
    nftw(dir, fz_add_entry, 16, FTW_PHYS);
    qsort(fz_entries, fz_nentries, sizeof *fz_entries, fz_cmp_entry);
    struct hk_buf out = {0};
    for (size_t i = 0; i < fz_nentries; i++) {
        hk_buf_printf(&out, "%s\n%zu ", fz_entries[i].path, fz_entries[i].len);
        hk_buf_add(&out, fz_entries[i].desc, fz_entries[i].len);
        hk_buf_addc(&out, '\n');
        free(fz_entries[i].path);
        free(fz_entries[i].desc);
    }
    free(fz_entries);
    fz_entries = NULL;
    if (!out.data)
        hk_buf_adds(&out, "");
    return out;
}

static inline int fz_same(const struct hk_buf *a, const struct hk_buf *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* Fails the run when dir is not as before was, showing both. */
static inline void fz_check_same(const struct hk_buf *before, const char *dir, const char *when)
{
    struct hk_buf now = fz_snapshot(dir);
    if (!fz_same(before, &now))
        fprintf(stderr, "before:\n%.3000s\nafter:\n%.3000s\n", before->data, now.data);
    FZ_ASSERT(fz_same(before, &now), "%s changed %s", dir, when);
    hk_buf_free(&now);
}

/* A file's or buffer's bytes as a NUL-terminated copy. */
static inline char *fz_strndup(const uint8_t *data, size_t n)
{
    char *s = hk_xmalloc(n + 1);
    memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

/* Splits data at the first NUL: *head is the part before (a copy), the
 * rest goes on from *data. Without a NUL, all of it is the head. */
static inline char *fz_take_until_nul(const uint8_t **data, size_t *size)
{
    const uint8_t *nul = memchr(*data, '\0', *size);
    size_t n = nul ? (size_t)(nul - *data) : *size;
    char *head = fz_strndup(*data, n);
    *data += nul ? n + 1 : n;
    *size -= nul ? n + 1 : n;
    return head;
}

#endif
