/* A task's life in git: its branch honk/<id> and worktree under
 * .git/honk/worktrees/<id>, committing its work, landing it on the branch it
 * came from, and discarding it. The engineer's checkout is only ever written
 * by a clean fast-forward land. */
#include "repo_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>


#include "util.h"

/* Records what git itself does not: where the task started and where it lands. */
static char *task_file(struct hk_repo *repo, const char *id)
{
    return hk_xasprintf("%shonk/tasks/%s", repo->commondir, id);
}

static int mkdir_p(const char *path)
{
    char *p = hk_xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; *s && rc == 0; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            rc = -1;
        *s = '/';
    }
    if (rc == 0 && mkdir(p, 0755) != 0 && errno != EEXIST)
        rc = -1;
    free(p);
    return rc;
}

static int task_file_write(struct hk_repo *repo, const struct hk_task *t, char **err)
{
    char *dir = hk_xasprintf("%shonk/tasks", repo->commondir);
    char *path = task_file(repo, t->id);
    git_config *cfg = NULL;
    int rc = mkdir_p(dir);
    if (rc == 0)
        rc = git_config_open_ondisk(&cfg, path);
    if (rc == 0)
        rc = git_config_set_string(cfg, "task.base", t->base_commit);
    if (rc == 0 && t->base_branch)
        rc = git_config_set_string(cfg, "task.branch", t->base_branch);
    if (rc < 0)
        hk_repo_fail(err, "cannot record the task");
    git_config_free(cfg);
    free(dir);
    free(path);
    return rc < 0 ? -1 : 0;
}

static void task_file_read(struct hk_repo *repo, struct hk_task *t)
{
    char *path = task_file(repo, t->id);
    git_config *cfg = NULL, *snap = NULL;
    const char *v;
    if (access(path, F_OK) == 0 && git_config_open_ondisk(&cfg, path) == 0 &&
        git_config_snapshot(&snap, cfg) == 0) {
        if (git_config_get_string(&v, snap, "task.base") == 0)
            snprintf(t->base_commit, sizeof t->base_commit, "%s", v);
        if (git_config_get_string(&v, snap, "task.branch") == 0)
            t->base_branch = hk_xstrdup(v);
    }
    git_error_clear();
    git_config_free(snap);
    git_config_free(cfg);
    free(path);
}

void hk_task_free(struct hk_task *task)
{
    if (!task)
        return;
    free(task->branch);
    free(task->worktree);
    free(task->base_branch);
    free(task);
}

static int branch_exists(struct hk_repo *repo, const char *id)
{
    git_reference *ref = NULL;
    char *name = hk_xasprintf("refs/heads/honk/%s", id);
    int rc = git_reference_lookup(&ref, repo->git, name);
    git_reference_free(ref);
    free(name);
    git_error_clear();
    return rc == 0;
}

static int worktree_exists(struct hk_repo *repo, const char *id)
{
    char *admin = hk_xasprintf("%sworktrees/%s", repo->commondir, id);
    char *dir = hk_xasprintf("%shonk/worktrees/%s", repo->commondir, id);
    int rc = access(admin, F_OK) == 0 || access(dir, F_OK) == 0;
    free(admin);
    free(dir);
    return rc;
}

static int valid_id(const char *id);

static int new_id(struct hk_repo *repo, const char *given, char id[9], char **err)
{
    if (given) {
        if (!valid_id(given)) {
            *err = hk_xasprintf("a session id is 8 hex digits, not \"%s\"", given);
            return -1;
        }
        if (branch_exists(repo, given) || worktree_exists(repo, given)) {
            *err = hk_xasprintf("session %s exists already", given);
            return -1;
        }
        memcpy(id, given, 9);
        return 0;
    }
    for (int tries = 0; tries < 64; tries++) {
        unsigned char r[4];
        if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
            break;
        snprintf(id, 9, "%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
        if (!branch_exists(repo, id) && !worktree_exists(repo, id))
            return 0;
    }
    hk_repo_say(err, "cannot pick a new task id");
    return -1;
}

/* The short name of the branch HEAD is on, even an unborn one; NULL if detached. */
static char *head_branch(struct hk_repo *repo)
{
    git_reference *head = NULL;
    char *name = NULL;
    if (git_reference_lookup(&head, repo->git, "HEAD") == 0 &&
        git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
        const char *target = git_reference_symbolic_target(head);
        if (strncmp(target, "refs/heads/", 11) == 0)
            name = hk_xstrdup(target + 11);
    }
    git_reference_free(head);
    git_error_clear();
    return name;
}

static int commit_tree(git_repository *git, const char *update_ref, const git_oid *tree_id,
                       const git_commit *parent, const char *message, git_oid *out,
                       char **note)
{
    git_signature *sig = NULL;
    git_tree *tree = NULL;
    const git_commit *parents[1] = {parent};
    int rc = hk_repo_signature(git, &sig, note);
    if (rc == 0)
        rc = git_tree_lookup(&tree, git, tree_id);
    if (rc == 0)
        rc = git_commit_create(out, git, update_ref, sig, sig, NULL, message, tree,
                               parent ? 1 : 0, parents);
    git_tree_free(tree);
    git_signature_free(sig);
    return rc;
}

/* A tree of the engineer's working directory (tracked, modified and untracked
 * but not ignored files), built in an index that lives only in memory, on a
 * second handle so the engineer's index is never loaded for writing. */
static int workdir_tree(struct hk_repo *repo, const git_commit *head, git_oid *out)
{
    git_repository *git = NULL;
    git_index *index = NULL;
    git_tree *tree = NULL;
    int rc = git_repository_open(&git, repo->workdir);
    if (rc == 0)
        rc = git_index_new(&index);
    if (rc == 0)
        rc = git_repository_set_index(git, index);
    if (rc == 0 && head)
        rc = git_commit_tree(&tree, head);
    if (rc == 0 && tree)
        rc = git_index_read_tree(index, tree);
    if (rc == 0)
        rc = git_index_add_all(index, NULL, GIT_INDEX_ADD_DEFAULT, NULL, NULL);
    if (rc == 0)
        rc = git_index_update_all(index, NULL, NULL, NULL);
    if (rc == 0)
        rc = git_index_write_tree_to(out, index, git);
    git_tree_free(tree);
    git_index_free(index);
    git_repository_free(git);
    return rc;
}

static int empty_tree(git_repository *git, git_oid *out)
{
    git_treebuilder *tb = NULL;
    int rc = git_treebuilder_new(&tb, git, NULL);
    if (rc == 0)
        rc = git_treebuilder_write(out, tb);
    git_treebuilder_free(tb);
    return rc;
}

/* HEAD's commit, or NULL in a repository without commits. */
static int head_commit(struct hk_repo *repo, git_commit **out, char **err)
{
    *out = NULL;
    git_oid id;
    int rc = git_reference_name_to_id(&id, repo->git, "HEAD");
    if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH) {
        git_error_clear();
        return 0;
    }
    if (rc == 0)
        rc = git_commit_lookup(out, repo->git, &id);
    if (rc < 0)
        hk_repo_fail(err, "cannot read HEAD");
    return rc < 0 ? -1 : 0;
}

/* Picks the base commit and the branch to land on, per the options. */
static int resolve_base(struct hk_repo *repo, const struct hk_task_options *opts,
                        git_commit **base, char **branch, char **err)
{
    *branch = NULL;
    if (!opts || !opts->base) {
        *branch = head_branch(repo);
        return head_commit(repo, base, err);
    }
    git_object *obj = NULL;
    git_reference *ref = NULL;
    int rc = git_revparse_ext(&obj, &ref, repo->git, opts->base);
    if (rc == 0)
        rc = git_object_peel((git_object **)base, obj, GIT_OBJECT_COMMIT);
    if (rc < 0) {
        char *what = hk_xasprintf("cannot use %s as the base of a task", opts->base);
        hk_repo_fail(err, what);
        free(what);
    } else if (ref && git_reference_is_branch(ref)) {
        *branch = hk_xstrdup(git_reference_shorthand(ref));
    } else {
        *branch = head_branch(repo);
    }
    git_reference_free(ref);
    git_object_free(obj);
    return rc < 0 ? -1 : 0;
}

/* The commit the task branch starts from: the base itself, a snapshot of
 * the engineer's uncommitted work on top of it, or an empty first commit. */
static int start_commit(struct hk_repo *repo, const struct hk_task_options *opts,
                        git_commit *base, git_oid *out, char **err)
{
    int dirty = 0;
    if (opts && opts->with_changes) {
        dirty = hk_repo_dirty(repo, NULL, err);
        if (dirty < 0)
            return -1;
    }
    if (dirty && opts->base) {
        hk_repo_say(err, "Uncommitted changes can only be carried into a task that starts "
                      "from HEAD; leave out the base revision.");
        return -1;
    }
    if (!dirty && base) {
        git_oid_cpy(out, git_commit_id(base));
        return 0;
    }
    git_oid tree;
    int rc = dirty ? workdir_tree(repo, base, &tree) : empty_tree(repo->git, &tree);
    const char *msg = dirty ? "honk: snapshot of uncommitted changes\n" : "honk: empty base\n";
    if (rc == 0)
        rc = commit_tree(repo->git, NULL, &tree, base, msg, out, NULL);
    if (rc < 0)
        hk_repo_fail(err, dirty ? "cannot snapshot your uncommitted changes"
                             : "cannot create the task's base commit");
    return rc < 0 ? -1 : 0;
}

static int add_worktree(struct hk_repo *repo, struct hk_task *t, git_reference *branch,
                        char **err)
{
    char *parent = hk_xasprintf("%shonk/worktrees", repo->commondir);
    git_worktree_add_options wopts;
    git_worktree_add_options_init(&wopts, GIT_WORKTREE_ADD_OPTIONS_VERSION);
    git_worktree *wt = NULL;
    wopts.ref = branch;
    int rc = mkdir_p(parent);
    if (rc == 0)
        rc = git_worktree_add(&wt, repo->git, t->id, t->worktree, &wopts);
    if (rc < 0)
        hk_repo_fail(err, "cannot create the task's worktree");
    git_worktree_free(wt);
    free(parent);
    return rc < 0 ? -1 : 0;
}

/* Not git_branch_delete: in libgit2 1.5.1 it leaks in its regex match while
 * dropping the branch's config section (fixed upstream by libgit2 PR 6382),
 * and honk's branches never have one. The checked-out guard is kept. */
static void remove_branch(struct hk_repo *repo, const char *name)
{
    git_reference *ref = NULL;
    if (git_branch_lookup(&ref, repo->git, name, GIT_BRANCH_LOCAL) == 0 &&
        git_branch_is_checked_out(ref) == 0)
        git_reference_delete(ref);
    git_reference_free(ref);
    git_error_clear();
}

int hk_task_create(struct hk_repo *repo, const struct hk_task_options *opts,
                   struct hk_task **out, char **err)
{
    *out = NULL;
    struct hk_task *t = hk_xcalloc(1, sizeof *t);
    git_commit *base = NULL, *start = NULL;
    git_reference *branch = NULL;
    git_oid start_id;
    int rc = -1;
    if (new_id(repo, opts ? opts->id : NULL, t->id, err) < 0 || resolve_base(repo, opts, &base, &t->base_branch, err) < 0)
        goto out;
    if (start_commit(repo, opts, base, &start_id, err) < 0)
        goto out;
    git_oid_tostr(t->base_commit, sizeof t->base_commit, &start_id);
    t->branch = hk_xasprintf("honk/%s", t->id);
    t->worktree = hk_xasprintf("%shonk/worktrees/%s", repo->commondir, t->id);
    if (git_commit_lookup(&start, repo->git, &start_id) < 0 ||
        git_branch_create(&branch, repo->git, t->branch, start, 0) < 0) {
        hk_repo_fail(err, "cannot create the task's branch");
        goto out;
    }
    if (add_worktree(repo, t, branch, err) < 0 || task_file_write(repo, t, err) < 0) {
        hk_task_discard(repo, t, NULL);
        goto out;
    }
    *out = t;
    t = NULL;
    rc = 0;
out:
    git_reference_free(branch);
    git_commit_free(start);
    git_commit_free(base);
    hk_task_free(t);
    return rc;
}

static int valid_id(const char *id)
{
    if (strlen(id) != 8)
        return 0;
    for (int i = 0; i < 8; i++)
        if (!strchr("0123456789abcdef", id[i]))
            return 0;
    return 1;
}

int hk_task_open(struct hk_repo *repo, const char *id, struct hk_task **out, char **err)
{
    (void)err;
    *out = NULL;
    if (!valid_id(id) || !branch_exists(repo, id))
        return 0;
    struct hk_task *t = hk_xcalloc(1, sizeof *t);
    memcpy(t->id, id, 9);
    t->branch = hk_xasprintf("honk/%s", id);
    git_worktree *wt = NULL;
    if (git_worktree_lookup(&wt, repo->git, id) == 0)
        t->worktree = hk_xstrdup(git_worktree_path(wt));
    git_worktree_free(wt);
    git_error_clear();
    task_file_read(repo, t);
    *out = t;
    return 1;
}

int hk_task_list(struct hk_repo *repo, struct hk_task ***out, size_t *count, char **err)
{
    *out = NULL;
    *count = 0;
    git_branch_iterator *it = NULL;
    git_reference *ref;
    git_branch_t type;
    size_t cap = 0;
    int rc = git_branch_iterator_new(&it, repo->git, GIT_BRANCH_LOCAL);
    while (rc == 0 && (rc = git_branch_next(&ref, &type, it)) == 0) {
        const char *name = git_reference_shorthand(ref);
        struct hk_task *t = NULL;
        if (strncmp(name, "honk/", 5) == 0 && hk_task_open(repo, name + 5, &t, NULL) == 1) {
            if (*count == cap) {
                cap = cap ? cap * 2 : 8;
                *out = hk_xrealloc(*out, cap * sizeof **out);
            }
            (*out)[(*count)++] = t;
        }
        git_reference_free(ref);
    }
    git_branch_iterator_free(it);
    if (rc != GIT_ITEROVER) {
        hk_repo_fail(err, "cannot list honk's branches");
        hk_task_list_free(*out, *count);
        *out = NULL;
        *count = 0;
        return -1;
    }
    git_error_clear();
    return 0;
}

void hk_task_list_free(struct hk_task **tasks, size_t count)
{
    for (size_t i = 0; i < count; i++)
        hk_task_free(tasks[i]);
    free(tasks);
}

int hk_task_discard(struct hk_repo *repo, const struct hk_task *task, char **err)
{
    git_worktree *wt = NULL;
    git_worktree_prune_options popts;
    git_worktree_prune_options_init(&popts, GIT_WORKTREE_PRUNE_OPTIONS_VERSION);
    popts.flags = GIT_WORKTREE_PRUNE_VALID | GIT_WORKTREE_PRUNE_WORKING_TREE;
    int rc = git_worktree_lookup(&wt, repo->git, task->id);
    if (rc == 0)
        rc = git_worktree_prune(wt, &popts);
    else if (rc == GIT_ENOTFOUND || !task->worktree)
        rc = 0; /* none to remove: libgit2 fails the lookup when .git/worktrees is missing */
    git_worktree_free(wt);
    if (rc < 0) {
        hk_repo_fail(err, "cannot remove the task's worktree");
        return -1;
    }
    remove_branch(repo, task->branch ? task->branch : "");
    char *path = task_file(repo, task->id);
    unlink(path);
    free(path);
    if (branch_exists(repo, task->id)) {
        if (err)
            *err = hk_xasprintf("The task's worktree is removed but its branch %s is checked out "
                                "elsewhere, so it was kept; switch away from it and run: "
                                "git branch -D %s", task->branch, task->branch);
        return -1;
    }
    return 0;
}

int hk_task_read_base(struct hk_repo *repo, const struct hk_task *task, const char *path,
                      char **data, size_t *len, char **err)
{
    git_oid id;
    git_commit *commit = NULL;
    git_tree *tree = NULL;
    git_tree_entry *entry = NULL;
    git_blob *blob = NULL;
    int rc = git_oid_fromstr(&id, task->base_commit);
    if (rc == 0)
        rc = git_commit_lookup(&commit, repo->git, &id);
    if (rc == 0)
        rc = git_commit_tree(&tree, commit);
    if (rc == 0)
        rc = git_tree_entry_bypath(&entry, tree, path);
    if (rc == 0 && git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
        rc = GIT_ENOTFOUND;
    if (rc == 0)
        rc = git_blob_lookup(&blob, repo->git, git_tree_entry_id(entry));
    if (rc == 0) {
        *len = (size_t)git_blob_rawsize(blob);
        *data = hk_xstrndup(git_blob_rawcontent(blob), *len);
        rc = 1;
    } else if (rc == GIT_ENOTFOUND) {
        git_error_clear();
        rc = 0;
    } else {
        char *what = hk_xasprintf("cannot read %s at the task's base", path);
        hk_repo_fail(err, what);
        free(what);
        rc = -1;
    }
    git_blob_free(blob);
    git_tree_entry_free(entry);
    git_tree_free(tree);
    git_commit_free(commit);
    return rc;
}

int hk_task_record(struct hk_repo *repo, const char *id, const char *base, const char *base_branch)
{
    struct hk_task t = {.base_branch = (char *)base_branch};
    snprintf(t.id, sizeof t.id, "%s", id);
    snprintf(t.base_commit, sizeof t.base_commit, "%s", base);
    char *err = NULL;
    int rc = task_file_write(repo, &t, &err);
    free(err);
    return rc;
}

int hk_task_add_worktree(struct hk_repo *repo, struct hk_task *task, char **err)
{
    git_reference *branch = NULL;
    char *name = hk_xasprintf("refs/heads/%s", task->branch);
    int rc = -1;
    free(task->worktree);
    task->worktree = hk_xasprintf("%shonk/worktrees/%s", repo->commondir, task->id);
    if (git_reference_lookup(&branch, repo->git, name) < 0)
        hk_repo_fail(err, "cannot find the task's branch");
    else
        rc = add_worktree(repo, task, branch, err);
    if (rc < 0) {
        free(task->worktree);
        task->worktree = NULL;
    }
    git_reference_free(branch);
    free(name);
    return rc;
}
