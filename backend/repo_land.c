/* Committing a task's work on its branch, landing it (a fast-forward of
 * the branch the task came from, or a sentence saying what to run), and
 * whether its work is anywhere else yet (honk discard, honk gc). */
#include "repo_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int has_trailer_block(const char *msg)
{
    git_message_trailer_array arr = {0};
    if (!strstr(msg, "\n\n") || git_message_trailers(&arr, msg) < 0) {
        git_error_clear();
        return 0;
    }
    int found = arr.count > 0;
    git_message_trailer_array_free(&arr);
    return found;
}

/* The caller's message, tidied, with a Honk-Session trailer at its end. */
static char *commit_message(const char *message, const char *session)
{
    git_buf clean = GIT_BUF_INIT;
    char *body;
    if (message && git_message_prettify(&clean, message, 0, '#') == 0 && clean.size)
        body = hk_xstrndup(clean.ptr, clean.size);
    else
        body = hk_xstrdup("honk task\n");
    git_buf_dispose(&clean);
    const char *sep = has_trailer_block(body) ? "" : "\n";
    char *msg = hk_xasprintf("%s%sHonk-Session: %s\n", body, sep, session);
    free(body);
    return msg;
}

int hk_repo_stage_all(git_repository *wt, git_oid *tree)
{
    git_index *index = NULL;
    int rc = git_repository_index(&index, wt);
    if (rc == 0)
        rc = git_index_add_all(index, NULL, GIT_INDEX_ADD_DEFAULT, NULL, NULL);
    if (rc == 0)
        rc = git_index_update_all(index, NULL, NULL, NULL);
    if (rc == 0)
        rc = git_index_write(index);
    if (rc == 0)
        rc = git_index_write_tree(tree, index);
    git_index_free(index);
    return rc;
}

/* The commit goes on the task's base: a branch that holds the session's
 * work so far as commits (published as it went) is squashed into one, and
 * one that is no longer based on what its session says is refused. */
static int squash_parent(git_repository *wt, const struct hk_task *task, git_oid *parent, char **err)
{
    git_oid base;
    if (!task->squash || git_oid_fromstr(&base, task->base_commit) < 0 || git_oid_equal(&base, parent))
        return 0;
    if (git_graph_descendant_of(wt, parent, &base) != 1) {
        git_error_clear();
        *err = hk_xasprintf("%s is no longer based on %.12s, the commit its session started from; honk does "
                            "not commit it. Look at it with: git log %.12s..%s",
                            task->branch, task->base_commit, task->base_commit, task->branch);
        return -1;
    }
    git_oid_cpy(parent, &base);
    return 0;
}

/* The branch moves only from where it was: another writer in between fails it. */
static int move_branch(git_repository *wt, const struct hk_task *task, const git_oid *from, const git_oid *to)
{
    char *name = hk_xasprintf("refs/heads/%s", task->branch);
    git_reference *ref = NULL;
    int rc = git_reference_create_matching(&ref, wt, name, to, 1, from, "honk: commit");
    git_reference_free(ref);
    free(name);
    return rc;
}

int hk_task_commit(struct hk_repo *repo, const struct hk_task *task, const char *message,
                   const char *session, char **commit_hex, char **note, char **err)
{
    (void)repo;
    git_repository *wt = NULL;
    git_commit *parent = NULL;
    git_tree *tree = NULL;
    git_signature *sig = NULL;
    git_oid tree_id, parent_id, id;
    char *msg = commit_message(message, session ? session : task->id);
    int rc = -1;
    if (!task->worktree) {
        hk_repo_say(err, "the task has no worktree to commit from");
        goto out;
    }
    if (git_repository_open(&wt, task->worktree) < 0 || hk_repo_stage_all(wt, &tree_id) < 0 ||
        git_reference_name_to_id(&parent_id, wt, "HEAD") < 0) {
        hk_repo_fail(err, "cannot stage the task's changes");
        goto out;
    }
    git_oid head_id = parent_id;
    if (squash_parent(wt, task, &parent_id, err) < 0)
        goto out;
    if (git_commit_lookup(&parent, wt, &parent_id) < 0) {
        hk_repo_fail(err, "cannot stage the task's changes");
        goto out;
    }
    if (git_oid_equal(&tree_id, git_commit_tree_id(parent))) {
        hk_repo_say(err, "There is nothing to commit: the task's files match its last commit.");
        goto out;
    }
    const git_commit *parents[1] = {parent};
    if (hk_repo_signature(wt, &sig, note) < 0 || git_tree_lookup(&tree, wt, &tree_id) < 0 ||
        git_commit_create(&id, wt, NULL, sig, sig, NULL, msg, tree, 1, parents) < 0 ||
        move_branch(wt, task, &head_id, &id) < 0) {
        hk_repo_fail(err, "cannot commit the task's changes");
        goto out;
    }
    *commit_hex = hk_xstrdup(git_oid_tostr_s(&id));
    rc = 0;
out:
    git_signature_free(sig);
    git_tree_free(tree);
    git_commit_free(parent);
    git_repository_free(wt);
    free(msg);
    return rc;
}

/* Where the engineer stands relative to the base branch. */
struct land_state {
    git_reference *base;  /* NULL when the branch does not exist (unborn) */
    git_oid tip;          /* task branch */
    int on_base;          /* the engineer's HEAD is on the base branch */
    int dirty;
    char *head_name;      /* the branch the engineer is on, or NULL */
};

static enum hk_land_result manual(char **msg, char *sentence)
{
    *msg = sentence;
    return HK_LAND_MANUAL;
}

static int read_state(struct hk_repo *repo, const struct hk_task *task, struct land_state *s,
                      char **err)
{
    char *basename = hk_xasprintf("refs/heads/%s", task->base_branch);
    char *tipname = hk_xasprintf("refs/heads/%s", task->branch);
    git_reference *head = NULL;
    int rc = git_reference_name_to_id(&s->tip, repo->git, tipname);
    if (rc < 0) {
        hk_repo_fail(err, "cannot find the task's branch");
        goto out;
    }
    rc = git_reference_lookup(&s->base, repo->git, basename);
    if (rc == GIT_ENOTFOUND)
        rc = 0;
    if (rc == 0 && git_reference_lookup(&head, repo->git, "HEAD") == 0 &&
        git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
        const char *target = git_reference_symbolic_target(head);
        s->on_base = strcmp(target, basename) == 0;
        if (strncmp(target, "refs/heads/", 11) == 0)
            s->head_name = hk_xstrdup(target + 11);
    }
    if (rc == 0)
        rc = s->dirty = hk_repo_dirty(repo, NULL, err);
    else
        hk_repo_fail(err, "cannot read the base branch");
out:
    git_error_clear();
    git_reference_free(head);
    free(basename);
    free(tipname);
    return rc < 0 ? -1 : 0;
}

static int checkout_tip(struct hk_repo *repo, const git_oid *tip, char **err)
{
    git_checkout_options co;
    git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
    git_commit *commit = NULL;
    co.checkout_strategy = GIT_CHECKOUT_SAFE;
    int rc = git_commit_lookup(&commit, repo->git, tip);
    if (rc == 0)
        rc = git_checkout_tree(repo->git, (const git_object *)commit, &co);
    if (rc < 0)
        hk_repo_fail(err, "cannot update your checkout");
    git_commit_free(commit);
    return rc;
}

/* Moves the base branch from its old tip (or from nothing) to the task's tip. */
static int move_base(struct hk_repo *repo, const struct hk_task *task, struct land_state *s,
                     char **err)
{
    char *name = hk_xasprintf("refs/heads/%s", task->base_branch);
    char *log = hk_xasprintf("honk: land %s (fast-forward)", task->branch);
    git_reference *moved = NULL;
    int rc;
    if (s->base)
        rc = git_reference_create_matching(&moved, repo->git, name, &s->tip, 1,
                                           git_reference_target(s->base), log);
    else
        rc = git_reference_create(&moved, repo->git, name, &s->tip, 0, log);
    if (rc < 0)
        hk_repo_fail(err, "cannot move the base branch");
    git_reference_free(moved);
    free(name);
    free(log);
    return rc;
}

static int path_in(const struct hk_diff *d, const char *path)
{
    for (size_t i = 0; path && i < d->nfiles; i++)
        if ((d->files[i].old_path && !strcmp(d->files[i].old_path, path)) ||
            (d->files[i].new_path && !strcmp(d->files[i].new_path, path)))
            return 1;
    return 0;
}

/* The checkout's uncommitted files that the task changed too, as "a.c, b.c"
 * (NULL when none): git merge --ff-only refuses to overwrite them.
 * *untracked tells whether one of them is untracked (git stash needs -u). */
static char *dirty_overlap(struct hk_repo *repo, const struct land_state *s, int *untracked)
{
    struct hk_diff *d = NULL;
    git_status_list *list = NULL;
    git_status_options opts;
    git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
    char base[41], tip[41];
    git_oid_tostr(base, sizeof base, git_reference_target(s->base));
    git_oid_tostr(tip, sizeof tip, &s->tip);
    struct hk_buf names = {0};
    *untracked = 0;
    if (hk_diff_revs(repo, base, tip, &d, NULL) == 0 && git_status_list_new(&list, repo->git, &opts) == 0) {
        for (size_t i = 0; i < git_status_list_entrycount(list); i++) {
            const git_status_entry *e = git_status_byindex(list, i);
            const git_diff_delta *dd = e->index_to_workdir ? e->index_to_workdir : e->head_to_index;
            const char *path = dd ? dd->new_file.path : NULL;
            if (!path || !path_in(d, path) || (e->status & GIT_STATUS_IGNORED))
                continue;
            hk_buf_printf(&names, "%s%s", names.len ? ", " : "", path);
            *untracked |= e->status == GIT_STATUS_WT_NEW;
        }
    }
    git_error_clear();
    git_status_list_free(list);
    hk_diff_free(d);
    return hk_buf_steal(&names);
}

/* The checkout is on the base branch with uncommitted changes: the command
 * that works, which is a plain fast-forward unless the task changed one of
 * the dirty files. */
static enum hk_land_result dirty_checkout(struct hk_repo *repo, const struct hk_task *task,
                                          const struct land_state *s, char **msg)
{
    const char *t = task->branch;
    int untracked = 0;
    char *both = s->base ? dirty_overlap(repo, s, &untracked) : NULL;
    if (!both || !*both) {
        free(both);
        return manual(msg, hk_xasprintf("Your checkout has uncommitted changes, none in a file the task "
                                        "changed; the task is on branch %s. To land it: git merge "
                                        "--ff-only %s", t, t));
    }
    enum hk_land_result r = manual(
        msg, hk_xasprintf("Your checkout has uncommitted changes in %s, which the task changed too, so "
                          "git merge --ff-only %s would refuse to overwrite them. To land it: git stash%s && "
                          "git merge --ff-only %s && git stash pop (the pop may ask you to merge your "
                          "changes with the task's by hand).", both, t, untracked ? " -u" : "", t));
    free(both);
    return r;
}

static enum hk_land_result land_ff(struct hk_repo *repo, const struct hk_task *task,
                                   struct land_state *s, char **msg, char **err)
{
    const char *b = task->base_branch, *t = task->branch;
    if (s->on_base && s->dirty)
        return dirty_checkout(repo, task, s, msg);
    if (!s->on_base && s->base && git_branch_is_checked_out(s->base) == 1)
        return manual(msg, hk_xasprintf("%s is checked out in another worktree; the task is on "
                                        "branch %s. To land it there: git merge --ff-only %s",
                                        b, t, t));
    if (s->on_base && checkout_tip(repo, &s->tip, err) < 0)
        return HK_LAND_ERROR;
    if (move_base(repo, task, s, err) < 0)
        return HK_LAND_ERROR;
    char abbrev[8];
    git_oid_tostr(abbrev, sizeof abbrev, &s->tip);
    if (s->on_base)
        *msg = hk_xasprintf("Landed %s on %s (fast-forward to %s); your checkout is updated.",
                            t, b, abbrev);
    else
        *msg = hk_xasprintf("Landed %s on %s (fast-forward to %s); your checkout is on %s, so "
                            "its files were not changed.", t, b, abbrev,
                            s->head_name ? s->head_name : "a detached HEAD");
    return HK_LAND_DONE;
}

enum hk_land_result hk_task_land(struct hk_repo *repo, const struct hk_task *task, char **msg,
                                 char **err)
{
    const char *t = task->branch;
    *msg = NULL;
    if (!task->base_branch)
        return manual(msg, hk_xasprintf("The task started from a detached HEAD, so honk does not "
                                        "know which branch to land it on; the task is on branch "
                                        "%s. To land it: git merge --ff-only %s", t, t));
    struct land_state s = {0};
    enum hk_land_result r = HK_LAND_ERROR;
    if (read_state(repo, task, &s, err) < 0)
        goto out;
    const git_oid *base = s.base ? git_reference_target(s.base) : NULL;
    if (base && git_oid_equal(base, &s.tip)) {
        *msg = hk_xasprintf("%s is already on %s; nothing to land.", t, task->base_branch);
        r = HK_LAND_DONE;
    } else if (!base && !s.on_base) {
        r = manual(msg, hk_xasprintf("The branch %s no longer exists; the task is on branch %s. "
                                     "To land it: git branch %s %s",
                                     task->base_branch, t, task->base_branch, t));
    } else if (base && git_graph_descendant_of(repo->git, &s.tip, base) != 1) {
        r = manual(msg, hk_xasprintf("%s has moved on since the task started, so %s cannot be "
                                     "fast-forwarded; honk does not merge or rebase. To land it: "
                                     "git switch %s && git merge %s",
                                     task->base_branch, t, task->base_branch, t));
    } else {
        r = land_ff(repo, task, &s, msg, err);
    }
out:
    git_error_clear();
    git_reference_free(s.base);
    free(s.head_name);
    return r;
}

/* Whether another local branch (not honk's own) or HEAD contains tip. */
static int merged_elsewhere(struct hk_repo *repo, const git_oid *tip)
{
    git_branch_iterator *it = NULL;
    git_reference *ref;
    git_branch_t type;
    int merged = 0;
    git_oid head;
    if (git_reference_name_to_id(&head, repo->git, "HEAD") == 0 &&
        (git_oid_equal(&head, tip) || git_graph_descendant_of(repo->git, &head, tip) == 1))
        merged = 1;
    if (!merged && git_branch_iterator_new(&it, repo->git, GIT_BRANCH_LOCAL) == 0) {
        while (!merged && git_branch_next(&ref, &type, it) == 0) {
            const git_oid *t = git_reference_target(ref);
            if (strncmp(git_reference_shorthand(ref), "honk/", 5) != 0 && t &&
                (git_oid_equal(t, tip) || git_graph_descendant_of(repo->git, t, tip) == 1))
                merged = 1;
            git_reference_free(ref);
        }
    }
    git_branch_iterator_free(it);
    git_error_clear();
    return merged;
}

size_t hk_task_uncommitted(const struct hk_task *task)
{
    git_repository *wt = NULL;
    git_status_list *list = NULL;
    git_status_options opts;
    git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
    size_t n = 0;
    if (task->worktree && git_repository_open(&wt, task->worktree) == 0 && git_status_list_new(&list, wt, &opts) == 0)
        n = git_status_list_entrycount(list);
    git_status_list_free(list);
    git_repository_free(wt);
    git_error_clear();
    return n;
}

int hk_task_unmerged(struct hk_repo *repo, const struct hk_task *task)
{
    git_oid tip;
    char *ref = hk_xasprintf("refs/heads/%s", task->branch);
    int unmerged = git_reference_name_to_id(&tip, repo->git, ref) == 0 && !merged_elsewhere(repo, &tip);
    git_error_clear();
    free(ref);
    return unmerged;
}
