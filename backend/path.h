/* Path confinement: every path a model names must resolve inside the worktree root. */
#ifndef HK_PATH_H
#define HK_PATH_H

/* Resolves the relative path inside root, following symlinks that stay inside it.
 * Refuses absolute paths, `..` that leaves root, symlinks (any component, dangling
 * or not) that point outside, and anything under a `.git` component (any case).
 * Returns 0 and a malloc'd absolute path in *abs_out, or -1 and a sentence in
 * *err_out ("path '../x' is outside the worktree"). The path need not exist. */
int hk_path_resolve(const char *root, const char *path, char **abs_out, char **err_out);

/* The same confinement for a place to look in (list_files, search): the
 * worktree itself is allowed, and an empty path or "." names it. Returns 0
 * and the resolved path relative to root in *rel_out ("" for the root, no
 * trailing slash), or -1 and a sentence in *err_out. */
int hk_path_resolve_scope(const char *root, const char *path, char **rel_out, char **err_out);

/* For a path a listing names (libgit2's status walk lists a symlink as a
 * file and never looks where it points): the malloc'd absolute path to read,
 * or NULL when hk_path_resolve refuses it (a symlink leaving the worktree). */
char *hk_path_readable(const char *root, const char *rel);

#endif
