/* Path confinement: resolves a model-supplied path component by component inside
 * the worktree root, following symlinks by hand so that none can lead outside. */
#include "path.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_HOPS 40

/* A queue of path components still to walk. */
struct comps {
    char **v;
    size_t n;
};

static void comps_free(struct comps *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i]);
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

/* Puts the components of s in front of the queue. */
static void comps_prepend(struct comps *c, const char *s)
{
    struct comps in = {0};
    const char *p = s;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len && !(len == 1 && p[0] == '.')) {
            in.v = hk_xrealloc(in.v, (in.n + 1) * sizeof *in.v);
            in.v[in.n++] = hk_xstrndup(p, len);
        }
        p += len;
        if (*p == '/')
            p++;
    }
    in.v = hk_xrealloc(in.v, (in.n + c->n) * sizeof *in.v);
    for (size_t i = 0; i < c->n; i++)
        in.v[in.n + i] = c->v[i];
    in.n += c->n;
    free(c->v);
    *c = in;
}

static char *comps_pop(struct comps *c)
{
    char *first = c->v[0];
    memmove(c->v, c->v + 1, (c->n - 1) * sizeof *c->v);
    c->n--;
    return first;
}

static int is_git_dir_name(const char *c)
{
    return strcasecmp(c, ".git") == 0;
}

static int inside(const char *root, const char *p)
{
    size_t n = strlen(root);
    return strncmp(p, root, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

static void parent_of(char *cur)
{
    char *slash = strrchr(cur, '/');
    if (slash && slash != cur)
        *slash = '\0';
    else
        cur[1] = '\0';
}

/* Follows the symlink at link: queues its target's components and may move *cur. */
static int follow(const char *root, char **cur, const char *link, struct comps *q,
                  const char *path, char **err)
{
    char target[PATH_MAX];
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0) {
        *err = hk_xasprintf("path '%s' cannot be read: %s", path, strerror(errno));
        return -1;
    }
    target[n] = '\0';
    if (target[0] == '/') {
        if (!inside(root, target)) {
            *err = hk_xasprintf("path '%s' is outside the worktree (a symlink points to '%s')",
                                path, target);
            return -1;
        }
        free(*cur);
        *cur = hk_xstrdup(root);
        comps_prepend(q, target + strlen(root));
        return 0;
    }
    comps_prepend(q, target);
    return 0;
}

static int walk(const char *root, const char *path, int allow_root, char **abs_out, char **err)
{
    struct comps q = {0};
    char *cur = hk_xstrdup(root);
    int hops = 0, rc = -1;
    comps_prepend(&q, path);
    while (q.n) {
        char *c = comps_pop(&q);
        if (strcmp(c, "..") == 0) {
            free(c);
            if (strcmp(cur, root) == 0) {
                *err = hk_xasprintf("path '%s' is outside the worktree", path);
                goto out;
            }
            parent_of(cur);
            continue;
        }
        if (is_git_dir_name(c)) {
            free(c);
            *err = hk_xasprintf("path '%s' is inside .git, which honk never edits", path);
            goto out;
        }
        char *next = hk_xasprintf("%s/%s", strcmp(cur, "/") ? cur : "", c);
        free(c);
        struct stat st;
        if (lstat(next, &st) == 0 && S_ISLNK(st.st_mode)) {
            int bad = ++hops > MAX_HOPS;
            if (bad)
                *err = hk_xasprintf("path '%s' has too many levels of symlinks", path);
            if (bad || follow(root, &cur, next, &q, path, err) < 0) {
                free(next);
                goto out;
            }
            free(next);
            continue;
        }
        free(cur);
        cur = next;
    }
    if (!allow_root && strcmp(cur, root) == 0) {
        *err = hk_xasprintf("path '%s' names the worktree itself, not a file", path);
        goto out;
    }
    *abs_out = cur;
    cur = NULL;
    rc = 0;
out:
    free(cur);
    comps_free(&q);
    return rc;
}

/* The one confinement every tool goes through: hk_path_resolve,
 * hk_path_resolve_scope and hk_path_readable all end here. */
static int resolve(const char *root, const char *path, int allow_root, char **abs_out, char **err_out)
{
    *abs_out = NULL;
    *err_out = NULL;
    if (!path || !*path) {
        *err_out = hk_xstrdup("path is empty");
        return -1;
    }
    if (path[0] == '/') {
        *err_out = hk_xasprintf("path '%s' is outside the worktree (paths are relative to it)",
                                path);
        return -1;
    }
    char real[PATH_MAX];
    if (!realpath(root, real)) {
        *err_out = hk_xasprintf("worktree '%s' cannot be opened: %s", root, strerror(errno));
        return -1;
    }
    return walk(real, path, allow_root, abs_out, err_out);
}

int hk_path_resolve(const char *root, const char *path, char **abs_out, char **err_out)
{
    return resolve(root, path, 0, abs_out, err_out);
}

int hk_path_resolve_scope(const char *root, const char *path, char **rel_out, char **err_out)
{
    char *abs = NULL, real[PATH_MAX];
    *rel_out = NULL;
    if (resolve(root, path && *path ? path : ".", 1, &abs, err_out) != 0)
        return -1;
    if (!realpath(root, real)) { /* resolve() just did it; only a race gets here */
        *err_out = hk_xasprintf("worktree '%s' cannot be opened: %s", root, strerror(errno));
        free(abs);
        return -1;
    }
    const char *rel = abs + strlen(real);
    *rel_out = hk_xstrdup(*rel == '/' ? rel + 1 : rel);
    free(abs);
    return 0;
}

char *hk_path_readable(const char *root, const char *rel)
{
    char *abs = NULL, *err = NULL;
    if (resolve(root, rel, 0, &abs, &err) != 0) {
        free(err);
        return NULL;
    }
    return abs;
}
