/* Helpers for the patch engine's unit tests: real files in a temp directory. */
#ifndef HK_PATCH_FIXTURE_H
#define HK_PATCH_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "patch.h"
#include "util.h"

static inline char *fx_tmpdir(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *d = hk_xasprintf("%s/honk-patch.XXXXXX", base);
    if (!mkdtemp(d))
        abort();
    return d;
}

static inline void fx_put_bytes(const char *dir, const char *rel, const char *data, size_t len)
{
    char *path = hk_xasprintf("%s/%s", dir, rel);
    for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(path, 0777);
        *s = '/';
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, len, f);
    fclose(f);
    free(path);
}

static inline void fx_put(const char *dir, const char *rel, const char *s)
{
    fx_put_bytes(dir, rel, s, strlen(s));
}

/* The file's bytes (NUL-terminated) or NULL when it does not exist. */
static inline char *fx_get(const char *dir, const char *rel)
{
    char *path = hk_xasprintf("%s/%s", dir, rel);
    struct hk_buf b = {0};
    int rc = hk_read_file(path, &b);
    free(path);
    if (rc != 0) {
        hk_buf_free(&b);
        return NULL;
    }
    return hk_buf_steal(&b);
}

static inline int fx_exists(const char *dir, const char *rel)
{
    char *path = hk_xasprintf("%s/%s", dir, rel);
    struct stat st;
    int rc = lstat(path, &st) == 0;
    free(path);
    return rc;
}

static inline unsigned fx_mode(const char *dir, const char *rel)
{
    char *path = hk_xasprintf("%s/%s", dir, rel);
    struct stat st;
    unsigned m = stat(path, &st) == 0 ? (unsigned)(st.st_mode & 0777) : 0;
    free(path);
    return m;
}

static inline int fx_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static inline void fx_rmtree(char *dir)
{
    nftw(dir, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

/* Compares a file with the expected bytes; frees what it read. */
static inline int fx_is(const char *dir, const char *rel, const char *want)
{
    char *got = fx_get(dir, rel);
    int same = got && want && strcmp(got, want) == 0;
    if (!same)
        printf("# %s: got \"%s\", want \"%s\"\n", rel, got ? got : "(none)",
               want ? want : "(none)");
    free(got);
    return same;
}

static inline int fx_apply(const char *dir, const char *patch, int partial, struct hk_proposal **p,
                    char **err)
{
    struct hk_patch_opts o;
    hk_patch_opts_init(&o);
    o.partial = partial;
    *err = NULL;
    return hk_patch_apply_text(dir, NULL, patch, &o, p, err);
}

static inline char *fx_numbers(int from, int to)
{
    struct hk_buf b = {0};
    for (int i = from; i <= to; i++)
        hk_buf_printf(&b, "line %d\n", i);
    return hk_buf_steal(&b);
}

#endif
