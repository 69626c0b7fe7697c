/* Path confinement: every way out of the worktree, one by one. */
#include "check.h"
#include "patch_fixture.h"
#include "path.h"

static char *refused(const char *root, const char *path)
{
    char *abs = NULL, *err = NULL;
    if (hk_path_resolve(root, path, &abs, &err) == 0) {
        free(abs);
        return NULL;
    }
    return err;
}

#define REFUSED(root, path, want)                                        \
    do {                                                                 \
        char *e_ = refused(root, path);                                  \
        CHECK(e_ != NULL, "'%s' was accepted", path);                  \
        if (e_)                                                          \
            CHECK(strstr(e_, want) != NULL, "'%s': %s", path, e_);      \
        free(e_);                                                        \
    } while (0)

static char *root_with_outside(char **outside)
{
    char *d = fx_tmpdir();
    *outside = fx_tmpdir();
    fx_put(d, "src/a.c", "a\n");
    fx_put(*outside, "secret", "s\n");
    return d;
}

TEST(absolute_path)
{
    char *out, *d = root_with_outside(&out);
    REFUSED(d, "/etc/passwd", "path '/etc/passwd' is outside the worktree");
    fx_rmtree(d);
    fx_rmtree(out);
}

TEST(dotdot_leaving_root)
{
    char *out, *d = root_with_outside(&out);
    REFUSED(d, "../x", "path '../x' is outside the worktree");
    REFUSED(d, "a/../../x", "path 'a/../../x' is outside the worktree");
    REFUSED(d, "src/../../x", "is outside the worktree");
    fx_rmtree(d);
    fx_rmtree(out);
}

TEST(symlinked_dir_pointing_out)
{
    char *out, *d = root_with_outside(&out);
    char *l = hk_xasprintf("%s/linkdir", d);
    CHECK(symlink(out, l) == 0, "symlink");
    REFUSED(d, "linkdir/secret", "is outside the worktree");
    REFUSED(d, "linkdir/new/file", "is outside the worktree");
    free(l);
    fx_rmtree(d);
    fx_rmtree(out);
}

TEST(symlinked_file_pointing_out)
{
    char *out, *d = root_with_outside(&out);
    char *l = hk_xasprintf("%s/src/link.c", d), *t = hk_xasprintf("%s/secret", out);
    CHECK(symlink(t, l) == 0, "symlink");
    REFUSED(d, "src/link.c", "is outside the worktree");
    free(l);
    free(t);
    fx_rmtree(d);
    fx_rmtree(out);
}

TEST(dangling_symlink_pointing_out)
{
    char *out, *d = root_with_outside(&out);
    char *l = hk_xasprintf("%s/dangle", d), *l2 = hk_xasprintf("%s/dangle2", d);
    CHECK(symlink("/nonexistent/honk/x", l) == 0, "symlink");
    CHECK(symlink("../../nowhere", l2) == 0, "symlink");
    REFUSED(d, "dangle", "is outside the worktree");
    REFUSED(d, "dangle2", "is outside the worktree");
    free(l);
    free(l2);
    fx_rmtree(d);
    fx_rmtree(out);
}

TEST(git_directory_any_case_any_depth)
{
    char *out, *d = root_with_outside(&out);
    REFUSED(d, ".git/config", "is inside .git");
    REFUSED(d, "sub/.git/x", "is inside .git");
    REFUSED(d, ".GIT/config", "is inside .git");
    REFUSED(d, "src/../.Git/HEAD", "is inside .git");
    fx_rmtree(d);
    fx_rmtree(out);
}

TEST(allowed_paths)
{
    char *out, *d = root_with_outside(&out);
    char *abs = NULL, *err = NULL, *real = realpath(d, NULL);
    CHECK(hk_path_resolve(d, "new/dir/file.c", &abs, &err) == 0, "%s", err);
    char *want = hk_xasprintf("%s/new/dir/file.c", real);
    CHECK_STR(abs, want);
    free(abs);
    free(want);
    char *l = hk_xasprintf("%s/inlink", d);
    CHECK(symlink("src", l) == 0, "symlink");
    CHECK(hk_path_resolve(d, "inlink/a.c", &abs, &err) == 0, "%s", err);
    want = hk_xasprintf("%s/src/a.c", real);
    CHECK_STR(abs, want);
    free(abs);
    free(want);
    CHECK(hk_path_resolve(d, "./src/./x/../a.c", &abs, &err) == 0, "%s", err);
    free(abs);
    CHECK(hk_path_resolve(d, ".gitignore", &abs, &err) == 0, "%s", err);
    free(abs);
    free(l);
    free(real);
    fx_rmtree(d);
    fx_rmtree(out);
}

/* list_files and search look in a place: the worktree itself is one, and
 * the same ways out are refused as for a file. */
TEST(scope_confined_like_a_file)
{
    char *out, *d = root_with_outside(&out);
    char *rel = NULL, *err = NULL;
    CHECK(hk_path_resolve_scope(d, NULL, &rel, &err) == 0 && !strcmp(rel, ""), "%s", err);
    free(rel);
    CHECK(hk_path_resolve_scope(d, ".", &rel, &err) == 0 && !strcmp(rel, ""), "%s", err);
    free(rel);
    CHECK(hk_path_resolve_scope(d, "src/../src/", &rel, &err) == 0 && !strcmp(rel, "src"), "%s", err);
    free(rel);
    char *l = hk_xasprintf("%s/linkdir", d);
    CHECK(symlink(out, l) == 0, "symlink");
    const char *bad[] = {"..", "/etc", "../x", ".git", "linkdir", "src/../.."};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK(hk_path_resolve_scope(d, bad[i], &rel, &err) == -1 && err, "'%s' accepted as %s", bad[i], rel);
        free(err);
        err = NULL;
    }
    free(l);
    fx_rmtree(d);
    fx_rmtree(out);
}

TEST(readable_only_inside)
{
    char *out, *d = root_with_outside(&out);
    char *l = hk_xasprintf("%s/cfg", d), *t = hk_xasprintf("%s/secret", out), *in = hk_xasprintf("%s/alias.c", d);
    CHECK(symlink(t, l) == 0 && symlink("src/a.c", in) == 0, "symlink");
    char *abs = hk_path_readable(d, "cfg");
    CHECK(abs == NULL, "cfg readable as %s", abs);
    free(abs);
    abs = hk_path_readable(d, "alias.c");
    CHECK(abs && strstr(abs, "/src/a.c"), "alias.c: %s", abs ? abs : "refused");
    free(abs);
    free(l);
    free(t);
    free(in);
    fx_rmtree(d);
    fx_rmtree(out);
}
