/* Path confinement: every path a model names must resolve inside the worktree root. */
#ifndef HK_PATH_H
#define HK_PATH_H

/* Resolves the relative path inside root, following symlinks that stay inside it.
 * Refuses absolute paths, `..` that leaves root, symlinks (any component, dangling
 * or not) that point outside, and anything under a `.git` component (any case).
 * Returns 0 and a malloc'd absolute path in *abs_out, or -1 and a sentence in
 * *err_out ("path '../x' is outside the worktree"). The path need not exist. */
int hk_path_resolve(const char *root, const char *path, char **abs_out, char **err_out);

#endif
