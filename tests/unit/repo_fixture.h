/* Helpers for the repo tests: fresh temp directories, a private HOME so the
 * user's git config never leaks in, shell commands for setup and checks. */
#ifndef HK_REPO_FIXTURE_H
#define HK_REPO_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static char fx_root[4096]; /* the test's temp dir; HOME is fx_root/home */

/* Runs a shell command; returns its exit status. */
__attribute__((format(printf, 1, 2), unused)) static int sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char cmd[8192];
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return rc == -1 ? -1 : (rc >> 8) & 0xff;
}

/* Runs a shell command and returns its stdout without trailing newlines. */
__attribute__((format(printf, 1, 2), unused)) static char *sh_out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char cmd[8192];
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    struct hk_buf b = {0};
    char chunk[4096];
    size_t n;
    while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0)
        hk_buf_add(&b, chunk, n);
    if (p)
        pclose(p);
    while (b.len && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    return hk_buf_steal(&b);
}

static __attribute__((unused)) void write_file(const char *dir, const char *rel, const char *content)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    sh("mkdir -p '%s'", path);
    *slash = '/';
    FILE *f = fopen(path, "wb");
    fputs(content, f);
    fclose(f);
}

static __attribute__((unused)) char *read_file_all(const char *path)
{
    struct hk_buf b = {0};
    if (hk_read_file(path, &b) != 0) {
        hk_buf_free(&b);
        return NULL;
    }
    return hk_buf_steal(&b);
}

/* A fresh temp dir with a private HOME (identity "Test User"). */
static __attribute__((unused)) const char *fx_begin(int with_identity)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(fx_root, sizeof fx_root, "%s/honk-repo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx_root))
        abort();
    char home[4200];
    snprintf(home, sizeof home, "%s/home", fx_root);
    mkdir(home, 0755);
    setenv("HOME", home, 1);
    unsetenv("XDG_CONFIG_HOME");
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_CEILING_DIRECTORIES", fx_root, 1);
    unsetenv("GIT_DIR");
    unsetenv("GIT_WORK_TREE");
    unsetenv("GIT_INDEX_FILE");
    if (with_identity)
        sh("git config --global user.name 'Test User' && "
           "git config --global user.email test@example.com");
    return fx_root;
}

static __attribute__((unused)) void fx_end(void)
{
    sh("rm -rf '%s'", fx_root);
}

/* git with an identity on the command line, for test setup only. */
#define GIT "git -c user.name=Setup -c user.email=setup@example.com -c init.defaultBranch=main"

/* A repository at fx_root/r with one commit holding a.txt; returns its path. */
static __attribute__((unused)) char *fx_repo(void)
{
    char *dir = hk_xasprintf("%s/r", fx_root);
    sh(GIT " init -q '%s'", dir);
    write_file(dir, "a.txt", "one\ntwo\nthree\n");
    sh("cd '%s' && " GIT " add -A && " GIT " commit -qm first", dir);
    return dir;
}

/* Everything of the engineer's that honk must not write: every file in the
 * work tree, the index, HEAD, the current branch's tip and the stash. */
static __attribute__((unused)) char *fx_state(const char *dir)
{
    return sh_out("cd '%s' && { find . -path ./.git -prune -o -type f -print0 | sort -z | "
                  "xargs -0 sha1sum; sha1sum .git/index .git/HEAD 2>&1; "
                  "git rev-parse HEAD 2>&1; git rev-parse refs/stash 2>&1; "
                  "find . -path ./.git -prune -o -print | sort; }",
                  dir);
}

#endif
