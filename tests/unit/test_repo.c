/* Opening repositories and reading the engineer's checkout status. */
#include <limits.h>
#include <stdlib.h>

#include "check.h"
#include "repo.h"
#include "repo_fixture.h"

TEST(open_from_subdirectory)
{
    fx_begin(1);
    char *dir = fx_repo();
    sh("mkdir -p '%s/src/deep'", dir);
    char *sub = hk_xasprintf("%s/src/deep", dir);
    struct hk_repo *repo = NULL;
    char *err = NULL;
    CHECK(hk_repo_open(&repo, sub, &err) == 0, "open failed: %s", err);
    char real[PATH_MAX];
    CHECK(realpath(dir, real) != NULL, "realpath");
    char *want = hk_xasprintf("%s/", real);
    if (repo) {
        CHECK_STR(hk_repo_workdir(repo), want);
        char *gitdir = hk_xasprintf("%s.git/", want);
        CHECK_STR(hk_repo_gitdir(repo), gitdir);
        free(gitdir);
    }
    hk_repo_close(repo);
    free(want);
    free(sub);
    free(dir);
    fx_end();
}

TEST(outside_a_repository)
{
    const char *root = fx_begin(1);
    char *dir = hk_xasprintf("%s/plain", root);
    sh("mkdir -p '%s'", dir);
    struct hk_repo *repo = NULL;
    char *err = NULL;
    CHECK(hk_repo_open(&repo, dir, &err) == -1, "opened a plain directory");
    CHECK(repo == NULL, "repo set on failure");
    char real[PATH_MAX];
    realpath(dir, real);
    char *want = hk_xasprintf("not inside a git repository: %s", real);
    CHECK_STR(err, want);
    free(want);
    free(err);
    free(dir);
    fx_end();
}

TEST(bare_repository)
{
    const char *root = fx_begin(1);
    char *dir = hk_xasprintf("%s/bare.git", root);
    sh(GIT " init -q --bare '%s'", dir);
    struct hk_repo *repo = NULL;
    char *err = NULL;
    CHECK(hk_repo_open(&repo, dir, &err) == -1, "opened a bare repository");
    CHECK_STR(err, "honk needs a working tree; this repository is bare");
    free(err);
    free(dir);
    fx_end();
}

TEST(dirty_summary)
{
    fx_begin(1);
    char *dir = fx_repo();
    write_file(dir, "b.txt", "bee\n");
    write_file(dir, "c.txt", "sea\n");
    sh("cd '%s' && " GIT " add -A && " GIT " commit -qm second", dir);
    struct hk_repo *repo = NULL;
    char *err = NULL, *summary = NULL;
    CHECK(hk_repo_open(&repo, dir, &err) == 0, "open: %s", err);
    CHECK(hk_repo_dirty(repo, &summary, &err) == 0, "clean checkout reported dirty");
    CHECK_STR(summary, "no changes");
    free(summary);

    write_file(dir, "a.txt", "changed\n");           /* unstaged */
    write_file(dir, "b.txt", "staged\n");            /* staged */
    sh("cd '%s' && git add b.txt && rm c.txt", dir); /* deleted */
    write_file(dir, ".gitignore", "*.log\n");        /* untracked */
    write_file(dir, "build.log", "ignored\n");       /* ignored */
    CHECK(hk_repo_dirty(repo, &summary, &err) == 1, "dirty checkout reported clean");
    CHECK_STR(summary, "3 files changed, 1 untracked");
    free(summary);
    hk_repo_close(repo);
    free(dir);
    fx_end();
}
