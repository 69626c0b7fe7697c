/* Opening the engineer's repository and looking at their checkout; the
 * libgit2 library is initialised per open handle (libgit2 counts itself). */
#include "repo_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void hk_repo_say(char **err, const char *msg)
{
    if (err)
        *err = hk_xstrdup(msg);
}

void hk_repo_fail(char **err, const char *what)
{
    const git_error *e = git_error_last();
    if (!err)
        return;
    if (e && e->message && *e->message)
        *err = hk_xasprintf("%s: %s", what, e->message);
    else
        *err = hk_xasprintf("%s", what);
}

static char *with_slash(const char *path)
{
    size_t n = strlen(path);
    if (n && path[n - 1] == '/')
        return hk_xstrdup(path);
    return hk_xasprintf("%s/", path);
}

static char *absolute(const char *dir)
{
    char buf[PATH_MAX];
    if (realpath(dir, buf))
        return hk_xstrdup(buf);
    return hk_xstrdup(dir);
}

int hk_repo_open(struct hk_repo **out, const char *dir, char **err)
{
    *out = NULL;
    hk_git_init();
    struct hk_repo *repo = hk_xcalloc(1, sizeof *repo);
    int rc = git_repository_open_ext(&repo->git, dir, 0, NULL);
    if (rc == GIT_ENOTFOUND) {
        char *abs = absolute(dir);
        *err = hk_xasprintf("not inside a git repository: %s", abs);
        free(abs);
        goto fail;
    }
    if (rc < 0) {
        hk_repo_fail(err, "cannot open the git repository");
        goto fail;
    }
    if (git_repository_is_bare(repo->git) || !git_repository_workdir(repo->git)) {
        hk_repo_say(err, "honk needs a working tree; this repository is bare");
        goto fail;
    }
    repo->workdir = with_slash(git_repository_workdir(repo->git));
    repo->commondir = with_slash(git_repository_commondir(repo->git));
    *out = repo;
    return 0;
fail:
    hk_repo_close(repo);
    return -1;
}

void hk_repo_close(struct hk_repo *repo)
{
    if (!repo)
        return;
    git_repository_free(repo->git);
    free(repo->workdir);
    free(repo->commondir);
    free(repo);
    git_libgit2_shutdown();
}

const char *hk_repo_workdir(const struct hk_repo *repo)
{
    return repo->workdir;
}

const char *hk_repo_gitdir(const struct hk_repo *repo)
{
    return repo->commondir;
}

static char *dirty_summary(size_t changed, size_t untracked)
{
    if (!changed && !untracked)
        return hk_xstrdup("no changes");
    struct hk_buf b = {0};
    if (changed)
        hk_buf_printf(&b, "%zu file%s changed", changed, changed == 1 ? "" : "s");
    if (changed && untracked)
        hk_buf_adds(&b, ", ");
    if (untracked)
        hk_buf_printf(&b, "%zu untracked", untracked);
    return hk_buf_steal(&b);
}

int hk_repo_dirty(struct hk_repo *repo, char **summary, char **err)
{
    git_status_options opts;
    git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
    git_status_list *list = NULL;
    if (git_status_list_new(&list, repo->git, &opts) < 0) {
        hk_repo_fail(err, "cannot read the status of your checkout");
        return -1;
    }
    size_t n = git_status_list_entrycount(list), changed = 0, untracked = 0;
    for (size_t i = 0; i < n; i++) {
        const git_status_entry *e = git_status_byindex(list, i);
        if (e->status == GIT_STATUS_WT_NEW)
            untracked++;
        else if (e->status != GIT_STATUS_CURRENT && !(e->status & GIT_STATUS_IGNORED))
            changed++;
    }
    git_status_list_free(list);
    if (summary)
        *summary = dirty_summary(changed, untracked);
    return changed + untracked > 0;
}

int hk_repo_signature(git_repository *git, git_signature **out, char **note)
{
    if (git_signature_default(out, git) == 0)
        return 0;
    git_error_clear();
    if (note)
        *note = hk_xstrdup("No git identity is configured (user.name and user.email), "
                           "so honk committed as honk <honk@localhost>.");
    return git_signature_now(out, "honk", "honk@localhost");
}

char *hk_repo_commit_of(struct hk_repo *repo, const char *rev)
{
    git_object *obj = NULL;
    char *out = NULL;
    if (git_revparse_single(&obj, repo->git, rev) == 0) {
        git_object *commit = NULL;
        if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0)
            out = hk_xstrdup(git_oid_tostr_s(git_object_id(commit)));
        git_object_free(commit);
    }
    git_object_free(obj);
    git_error_clear();
    return out;
}

char *hk_repo_remote_url(struct hk_repo *repo, const char *name)
{
    /* Not git_remote_lookup, which leaks in libgit2 1.5.1 (see
     * hk_repo_conn_open): the remote's url from a config snapshot. */
    git_config *cfg = NULL;
    const char *url = NULL;
    char *key = hk_xasprintf("remote.%s.url", name), *out = NULL;
    if (git_repository_config_snapshot(&cfg, repo->git) == 0 && git_config_get_string(&url, cfg, key) == 0 && *url)
        out = hk_xstrdup(url);
    git_config_free(cfg);
    free(key);
    git_error_clear();
    return out;
}
