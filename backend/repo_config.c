/* honk's configuration: git-config files read through libgit2, with the
 * team's committed .honk/config slotted below the user's own settings. */
#include "repo_internal.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* libgit2 orders config files by level only, and has no slot between system
 * and the user's files; so honk builds its own stack and shifts the user's
 * levels up by one to make room for the team file. */
enum {
    LVL_PROGRAMDATA = GIT_CONFIG_LEVEL_PROGRAMDATA,
    LVL_SYSTEM = GIT_CONFIG_LEVEL_SYSTEM,
    LVL_TEAM = GIT_CONFIG_LEVEL_XDG,
    LVL_XDG = GIT_CONFIG_LEVEL_GLOBAL,
    LVL_GLOBAL = GIT_CONFIG_LEVEL_LOCAL,
    LVL_LOCAL = GIT_CONFIG_LEVEL_APP,
};

typedef int (*find_fn)(git_buf *out);

static int add_found(git_config *cfg, find_fn find, int level, const git_repository *git)
{
    git_buf path = GIT_BUF_INIT;
    int rc = 0;
    if (find(&path) == 0)
        rc = git_config_add_file_ondisk(cfg, path.ptr, (git_config_level_t)level, git, 0);
    git_buf_dispose(&path);
    return rc;
}

static int add_if_exists(git_config *cfg, const char *path, int level, const git_repository *git)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    return git_config_add_file_ondisk(cfg, path, (git_config_level_t)level, git, 0);
}

int repo_config_load(struct hk_repo *repo, char **err)
{
    git_config *cfg = NULL;
    char *team = hk_xasprintf("%s.honk/config", repo->workdir);
    char *local = hk_xasprintf("%sconfig", repo->commondir);
    int rc = git_config_new(&cfg);
    if (rc == 0)
        rc = add_found(cfg, git_config_find_programdata, LVL_PROGRAMDATA, repo->git);
    if (rc == 0)
        rc = add_found(cfg, git_config_find_system, LVL_SYSTEM, repo->git);
    if (rc == 0)
        rc = add_if_exists(cfg, team, LVL_TEAM, repo->git);
    if (rc == 0)
        rc = add_found(cfg, git_config_find_xdg, LVL_XDG, repo->git);
    if (rc == 0)
        rc = add_found(cfg, git_config_find_global, LVL_GLOBAL, repo->git);
    if (rc == 0)
        rc = add_if_exists(cfg, local, LVL_LOCAL, repo->git);
    free(team);
    free(local);
    if (rc < 0) {
        repo_fail(err, "cannot read the git configuration");
        git_config_free(cfg);
        return -1;
    }
    repo->config = cfg;
    return 0;
}

/* The repository's stack, or the user's default config outside a repository.
 * *owned is set when the caller must free the result. */
static git_config *config_for(struct hk_repo *repo, git_config **owned, char **err)
{
    *owned = NULL;
    if (repo)
        return repo->config;
    git_libgit2_init();
    if (git_config_open_default(owned) < 0) {
        repo_fail(err, "cannot read the git configuration");
        git_libgit2_shutdown();
        return NULL;
    }
    return *owned;
}

static void config_done(git_config *owned)
{
    if (!owned)
        return;
    git_config_free(owned);
    git_libgit2_shutdown();
}

/* Maps a getter's libgit2 result to 1 found, 0 absent, -1 error. */
static int getter_result(int rc, const char *name, char **err)
{
    if (rc == GIT_ENOTFOUND) {
        git_error_clear();
        return 0;
    }
    if (rc < 0) {
        char *what = hk_xasprintf("config %s", name);
        repo_fail(err, what);
        free(what);
        return -1;
    }
    return 1;
}

int hk_repo_config_get_string(struct hk_repo *repo, const char *name, char **out, char **err)
{
    git_config *owned;
    git_config *cfg = config_for(repo, &owned, err);
    if (!cfg)
        return -1;
    git_buf buf = GIT_BUF_INIT;
    int rc = getter_result(git_config_get_string_buf(&buf, cfg, name), name, err);
    if (rc == 1)
        *out = hk_xstrdup(buf.ptr ? buf.ptr : "");
    git_buf_dispose(&buf);
    config_done(owned);
    return rc;
}

int hk_repo_config_get_bool(struct hk_repo *repo, const char *name, int *out, char **err)
{
    git_config *owned;
    git_config *cfg = config_for(repo, &owned, err);
    if (!cfg)
        return -1;
    int rc = getter_result(git_config_get_bool(out, cfg, name), name, err);
    config_done(owned);
    return rc;
}

int hk_repo_config_get_int(struct hk_repo *repo, const char *name, long long *out, char **err)
{
    git_config *owned;
    git_config *cfg = config_for(repo, &owned, err);
    if (!cfg)
        return -1;
    int64_t v = 0;
    int rc = getter_result(git_config_get_int64(&v, cfg, name), name, err);
    if (rc == 1)
        *out = (long long)v;
    config_done(owned);
    return rc;
}

static void push_entry(struct hk_config_entry **out, size_t *count, size_t *cap,
                       const git_config_entry *e)
{
    if (*count == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *out = hk_xrealloc(*out, *cap * sizeof **out);
    }
    (*out)[*count].name = hk_xstrdup(e->name);
    (*out)[*count].value = hk_xstrdup(e->value ? e->value : "");
    (*count)++;
}

/* Matches with fnmatch rather than libgit2's regex iterator, which leaks in
 * libgit2 1.5.1 on every entry that does not match (fixed upstream later). */
int hk_repo_config_get_all(struct hk_repo *repo, const char *glob,
                           struct hk_config_entry **out, size_t *count, char **err)
{
    *out = NULL;
    *count = 0;
    git_config *owned;
    git_config *cfg = config_for(repo, &owned, err);
    if (!cfg)
        return -1;
    git_config_iterator *it = NULL;
    git_config_entry *e;
    size_t cap = 0;
    int rc = git_config_iterator_new(&it, cfg);
    while (rc == 0 && (rc = git_config_next(&e, it)) == 0)
        if (fnmatch(glob, e->name, 0) == 0)
            push_entry(out, count, &cap, e);
    git_config_iterator_free(it);
    if (rc != GIT_ITEROVER) {
        repo_fail(err, "cannot read the git configuration");
        hk_config_entries_free(*out, *count);
        *out = NULL;
        *count = 0;
        rc = -1;
    } else {
        git_error_clear();
        rc = 0;
    }
    config_done(owned);
    return rc;
}

void hk_config_entries_free(struct hk_config_entry *entries, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(entries[i].name);
        free(entries[i].value);
    }
    free(entries);
}
