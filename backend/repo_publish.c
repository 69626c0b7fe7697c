/* A session as git refs: recording its work and journal as commits, and
 * pushing them (credentials as git finds them) without ever replacing
 * another's refs (see repo_publish.h for the refs; fetching is in
 * repo_fetch.c). */
#include "repo_publish.h"
#include "repo_internal.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *ref_name(const char *kind, const char *id)
{
    return hk_xasprintf("refs/%s/%s", kind, id);
}

/* 1 with *out when the ref exists, else 0. */
int hk_repo_ref_oid(git_repository *git, const char *name, git_oid *out)
{
    int found = git_reference_name_to_id(out, git, name) == 0;
    git_error_clear();
    return found;
}

int hk_repo_set_ref(git_repository *git, const char *name, const git_oid *id, const char *log)
{
    git_reference *ref = NULL;
    int rc = git_reference_create(&ref, git, name, id, 1, log);
    git_reference_free(ref);
    return rc;
}

static int commit_on(git_repository *git, const git_oid *tree_id, const git_oid *parent_id,
                     const char *message, git_oid *out)
{
    git_signature *sig = NULL;
    git_tree *tree = NULL;
    git_commit *parent = NULL;
    int rc = hk_repo_signature(git, &sig, NULL);
    if (rc == 0)
        rc = git_tree_lookup(&tree, git, tree_id);
    if (rc == 0 && parent_id)
        rc = git_commit_lookup(&parent, git, parent_id);
    const git_commit *parents[1] = {parent};
    if (rc == 0)
        rc = git_commit_create(out, git, NULL, sig, sig, NULL, message, tree, parent ? 1 : 0, parents);
    git_commit_free(parent);
    git_tree_free(tree);
    git_signature_free(sig);
    return rc;
}

/* Whether the commit at parent (if any) has this tree already. */
static int same_tree(git_repository *git, const git_oid *parent, const git_oid *tree)
{
    git_commit *c = NULL;
    int same = parent && git_commit_lookup(&c, git, parent) == 0 && git_oid_equal(git_commit_tree_id(c), tree);
    git_commit_free(c);
    git_error_clear();
    return same;
}

/* --- recording ------------------------------------------------------------ */

static int record_work(struct hk_repo *repo, const struct hk_task *task, const char *subject,
                       const char *what, char **err)
{
    git_repository *wt = NULL;
    git_oid tree, parent, base, id;
    char *name = ref_name("honk/wip", task->id);
    int rc = -1;
    if (!task->worktree || git_oid_fromstr(&base, task->base_commit) < 0) {
        rc = 0; /* nothing of the worktree to record: the branch is what there is */
        goto out;
    }
    if (!hk_repo_ref_oid(repo->git, name, &parent))
        git_oid_cpy(&parent, &base);
    if (git_repository_open(&wt, task->worktree) < 0 || hk_repo_stage_all(wt, &tree) < 0) {
        hk_repo_fail(err, "cannot read the session's worktree to publish it");
        goto out;
    }
    if (same_tree(repo->git, &parent, &tree)) {
        rc = 0;
        goto out;
    }
    char *msg = hk_xasprintf("%.72s\n\nWhat honk session %s has applied so far (%s); its final commit "
                             "squashes these.\n\nHonk-Session: %s\n", subject, task->id, what, task->id);
    rc = commit_on(repo->git, &tree, &parent, msg, &id);
    free(msg);
    if (rc == 0)
        rc = hk_repo_set_ref(repo->git, name, &id, "honk: the session's work so far");
    if (rc < 0)
        hk_repo_fail(err, "cannot record the session's work");
out:
    git_repository_free(wt);
    free(name);
    return rc < 0 ? -1 : 0;
}

static int record_journal(struct hk_repo *repo, const char *id, const char *journal_path, char **err)
{
    struct hk_buf text = {0};
    git_treebuilder *tb = NULL;
    git_oid blob, tree, parent, commit;
    char *name = ref_name("honk/sessions", id);
    int has_parent = hk_repo_ref_oid(repo->git, name, &parent), rc = -1;
    if (hk_read_file(journal_path, &text) < 0) {
        *err = hk_xasprintf("cannot read the journal %s to publish it: %s", journal_path, strerror(errno));
        goto out;
    }
    rc = git_blob_create_from_buffer(&blob, repo->git, text.data ? text.data : "", text.len);
    if (rc == 0)
        rc = git_treebuilder_new(&tb, repo->git, NULL);
    if (rc == 0)
        rc = git_treebuilder_insert(NULL, tb, HK_PUBLISH_JOURNAL, &blob, GIT_FILEMODE_BLOB);
    if (rc == 0)
        rc = git_treebuilder_write(&tree, tb);
    if (rc == 0 && !same_tree(repo->git, has_parent ? &parent : NULL, &tree)) {
        char *msg = hk_xasprintf("honk session %s: its journal\n", id);
        rc = commit_on(repo->git, &tree, has_parent ? &parent : NULL, msg, &commit);
        free(msg);
        if (rc == 0)
            rc = hk_repo_set_ref(repo->git, name, &commit, "honk: the session's journal");
    }
    if (rc < 0)
        hk_repo_fail(err, "cannot record the session's journal");
out:
    git_treebuilder_free(tb);
    hk_buf_free(&text);
    free(name);
    return rc < 0 ? -1 : 0;
}

int hk_publish_record(struct hk_repo *repo, const struct hk_task *task, const char *journal_path,
                      const char *subject, const char *what, char **err)
{
    if (record_work(repo, task, subject, what, err) < 0)
        return -1;
    return record_journal(repo, task->id, journal_path, err);
}

/* --- talking to the remote ------------------------------------------------ */

/* `git credential fill` for url: the helpers git itself would ask. */
static int credential_helper(git_credential **out, const char *url, const char *user)
{
    char *cmd = hk_xasprintf("printf 'url=%%s\\n%s%s\\n\\n' '%s' | GIT_TERMINAL_PROMPT=0 git credential fill 2>/dev/null",
                             user ? "username=" : "", user ? user : "", url);
    FILE *p = strchr(url, '\'') || (user && strchr(user, '\'')) ? NULL : popen(cmd, "r");
    free(cmd);
    if (!p)
        return GIT_PASSTHROUGH;
    char line[1024], *name = NULL, *pass = NULL;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "username=", 9))
            free(name), name = hk_xstrdup(line + 9);
        else if (!strncmp(line, "password=", 9))
            free(pass), pass = hk_xstrdup(line + 9);
    }
    int ok = pclose(p) == 0 && name && pass;
    int rc = ok ? git_credential_userpass_plaintext_new(out, name, pass) : GIT_PASSTHROUGH;
    free(name);
    free(pass);
    return rc;
}

/* Each kind of credential once: libgit2 asks again after a refusal. */
static int on_credentials(git_credential **out, const char *url, const char *user, unsigned int allowed,
                          void *payload)
{
    struct hk_repo_conn *c = payload;
    if ((allowed & GIT_CREDENTIAL_SSH_KEY) && user && !(c->tried & GIT_CREDENTIAL_SSH_KEY)) {
        c->tried |= GIT_CREDENTIAL_SSH_KEY;
        return git_credential_ssh_key_from_agent(out, user);
    }
    if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && !(c->tried & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
        c->tried |= GIT_CREDENTIAL_USERPASS_PLAINTEXT;
        return credential_helper(out, url, user);
    }
    if ((allowed & GIT_CREDENTIAL_USERNAME) && !(c->tried & GIT_CREDENTIAL_USERNAME)) {
        c->tried |= GIT_CREDENTIAL_USERNAME;
        return git_credential_username_new(out, user ? user : "git");
    }
    return GIT_PASSTHROUGH;
}

static int on_ref_status(const char *refname, const char *status, void *payload)
{
    struct hk_repo_conn *c = payload;
    if (status && !c->refused)
        c->refused = hk_xasprintf("%s: %s", refname, status);
    return 0;
}

void hk_repo_conn_callbacks(git_remote_callbacks *cb, struct hk_repo_conn *c)
{
    cb->credentials = on_credentials;
    cb->push_update_reference = on_ref_status;
    cb->payload = c;
}

int hk_repo_conn_open(struct hk_repo *repo, const char *remote, struct hk_repo_conn *c, char **err)
{
    memset(c, 0, sizeof *c);
    /* Not git_remote_lookup: in libgit2 1.5.1 it leaks in its regex match
     * over the remote's config (as git_branch_delete does, PR 6382). */
    git_config *cfg = NULL;
    const char *url = NULL;
    char *key = hk_xasprintf("remote.%s.url", remote);
    if (git_repository_config_snapshot(&cfg, repo->git) == 0 && git_config_get_string(&url, cfg, key) == 0)
        c->named = 1;
    /* url.insteadOf is not applied: its lookup leaks the same way. */
    git_remote_create_options o;
    git_remote_create_options_init(&o, GIT_REMOTE_CREATE_OPTIONS_VERSION);
    o.repository = repo->git;
    o.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
    int rc = git_remote_create_with_opts(&c->remote, c->named ? url : remote, &o);
    git_config_free(cfg);
    free(key);
    if (rc == 0)
        return 0;
    *err = hk_xasprintf("%s is neither a remote of this repository nor a URL git can reach", remote);
    git_error_clear();
    return -1;
}

void hk_repo_conn_close(struct hk_repo_conn *c)
{
    if (c->remote)
        git_remote_disconnect(c->remote);
    git_remote_free(c->remote);
    free(c->refused);
    git_error_clear();
}

static int connect_push(struct hk_repo_conn *c, const char *remote, char **err)
{
    git_remote_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.version = GIT_REMOTE_CALLBACKS_VERSION;
    hk_repo_conn_callbacks(&cb, c);
    if (git_remote_connect(c->remote, GIT_DIRECTION_PUSH, &cb, NULL, NULL) == 0)
        return 0;
    const git_error *e = git_error_last();
    *err = hk_xasprintf("cannot reach %s: %s", remote, e && e->message ? e->message : "unknown error");
    git_error_clear();
    return -1;
}

/* The remote's value of name: 1 with *out, 0 absent. */
static int remote_value(struct hk_repo_conn *c, const char *name, git_oid *out)
{
    const git_remote_head **heads;
    size_t n;
    if (git_remote_ls(&heads, &n, c->remote) < 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(heads[i]->name, name)) {
            git_oid_cpy(out, &heads[i]->oid);
            return 1;
        }
    return 0;
}

/* Whether id is, or is an ancestor of, the local ref name. */
static int within(git_repository *git, const char *name, const git_oid *id)
{
    git_oid tip;
    if (!hk_repo_ref_oid(git, name, &tip))
        return 0;
    int in = git_oid_equal(&tip, id) || git_graph_descendant_of(git, &tip, id) == 1;
    git_error_clear();
    return in;
}

/* Whether the remote's value of a session ref is one of the session's own,
 * as this repository knows them: its local refs, or what it fetched. */
static int known_as_ours(git_repository *git, const char *id, const git_oid *value)
{
    static const char *const kinds[] = {"heads/honk", "honk/wip", "honk/sessions"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        char *name = ref_name(kinds[i], id);
        int in = within(git, name, value);
        free(name);
        if (in)
            return 1;
    }
    git_reference_iterator *it = NULL;
    const char *name;
    int in = 0;
    size_t idlen = strlen(id);
    if (git_reference_iterator_glob_new(&it, git, "refs/honk/fetched/*") == 0)
        while (!in && git_reference_next_name(&name, it) == 0) {
            size_t n = strlen(name);
            if (n > idlen && name[n - idlen - 1] == '/' && !strcmp(name + n - idlen, id))
                in = within(git, name, value);
        }
    git_reference_iterator_free(it);
    git_error_clear();
    return in;
}

/* What goes out as the branch: the squashed commit once the session made
 * it, else the work so far. */
static const char *branch_source(struct hk_repo *repo, const char *id, char *buf, size_t size)
{
    struct hk_task *task = NULL;
    char *err = NULL;
    git_oid tip, base;
    snprintf(buf, size, "refs/heads/honk/%s", id);
    int committed = hk_task_open(repo, id, &task, &err) == 1 && hk_repo_ref_oid(repo->git, buf, &tip) &&
                    git_oid_fromstr(&base, task->base_commit) == 0 && !git_oid_equal(&tip, &base);
    git_error_clear();
    hk_task_free(task);
    free(err);
    if (!committed) {
        char *wip = ref_name("honk/wip", id);
        if (hk_repo_ref_oid(repo->git, wip, &tip))
            snprintf(buf, size, "%s", wip);
        free(wip);
    }
    return buf;
}

/* Adds "+src:dst" when the remote needs it; -1 when dst is another's. */
static int plan_ref(struct hk_repo *repo, struct hk_repo_conn *c, const char *id, const char *src, const char *dst,
                    char **specs, size_t *n, char **err)
{
    git_oid local, there;
    if (!hk_repo_ref_oid(repo->git, src, &local))
        return 0;
    int present = remote_value(c, dst, &there);
    if (present && git_oid_equal(&local, &there))
        return 0;
    if (present && !known_as_ours(repo->git, id, &there)) {
        *err = hk_xasprintf("the remote's %s is not one this session pushed, and honk never pushes over "
                            "another's refs", dst);
        return -1;
    }
    specs[(*n)++] = hk_xasprintf("+%s:%s", src, dst);
    return 0;
}

static int upload(struct hk_repo_conn *c, char **specs, size_t n, const char *remote, char **err)
{
    git_push_options opts;
    git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
    hk_repo_conn_callbacks(&opts.callbacks, c);
    git_strarray arr = {specs, n};
    int rc = n ? git_remote_upload(c->remote, &arr, &opts) : 0;
    if (rc < 0) {
        const git_error *e = git_error_last();
        *err = hk_xasprintf("%s refused the push: %s", remote, e && e->message ? e->message : "unknown error");
    } else if (c->refused) {
        *err = hk_xasprintf("%s refused the push of %s", remote, c->refused);
        rc = -1;
    }
    git_error_clear();
    return rc < 0 ? -1 : 0;
}

int hk_publish_push(struct hk_repo *repo, const char *remote, const char *id, char **err)
{
    struct hk_repo_conn c;
    char branch[128], *specs[2];
    size_t n = 0;
    char *journal = ref_name("honk/sessions", id);
    char *dst = ref_name("heads/honk", id);
    int rc = -1;
    if (hk_repo_conn_open(repo, remote, &c, err) < 0)
        goto out;
    if (connect_push(&c, remote, err) < 0 ||
        plan_ref(repo, &c, id, branch_source(repo, id, branch, sizeof branch), dst, specs, &n, err) < 0 ||
        plan_ref(repo, &c, id, journal, journal, specs, &n, err) < 0)
        goto out;
    rc = upload(&c, specs, n, remote, err);
out:
    for (size_t i = 0; i < n; i++)
        free(specs[i]);
    hk_repo_conn_close(&c);
    free(journal);
    free(dst);
    return rc;
}

int hk_publish_unpublish(struct hk_repo *repo, const char *remote, const char *id, char **err)
{
    struct hk_repo_conn c;
    char *names[2] = {ref_name("heads/honk", id), ref_name("honk/sessions", id)}, *specs[2];
    size_t n = 0;
    int rc = -1;
    if (hk_repo_conn_open(repo, remote, &c, err) < 0 || connect_push(&c, remote, err) < 0)
        goto out;
    for (int i = 0; i < 2; i++) {
        git_oid there;
        if (!remote_value(&c, names[i], &there))
            continue;
        if (!known_as_ours(repo->git, id, &there)) {
            *err = hk_xasprintf("%s's %s has changed since this repository last saw it; honk left it there",
                                remote, names[i]);
            goto out;
        }
        specs[n++] = hk_xasprintf(":%s", names[i]);
    }
    rc = upload(&c, specs, n, remote, err);
out:
    for (size_t i = 0; i < n; i++)
        free(specs[i]);
    hk_repo_conn_close(&c);
    free(names[0]);
    free(names[1]);
    return rc;
}

/* --- local traces --------------------------------------------------------- */

void hk_publish_forget(struct hk_repo *repo, const char *id, int marker)
{
    static const char *const kinds[] = {"honk/wip", "honk/sessions"};
    for (size_t i = 0; i < 2; i++) {
        char *name = ref_name(kinds[i], id);
        git_reference *ref = NULL;
        if (git_reference_lookup(&ref, repo->git, name) == 0)
            git_reference_delete(ref);
        git_reference_free(ref);
        free(name);
    }
    git_reference_iterator *it = NULL;
    git_reference *ref;
    size_t idlen = strlen(id);
    if (git_reference_iterator_glob_new(&it, repo->git, "refs/honk/fetched/*") == 0)
        while (git_reference_next(&ref, it) == 0) {
            const char *name = git_reference_name(ref);
            size_t n = strlen(name);
            if (n > idlen && name[n - idlen - 1] == '/' && !strcmp(name + n - idlen, id))
                git_reference_delete(ref);
            git_reference_free(ref);
        }
    git_reference_iterator_free(it);
    git_error_clear();
    if (!marker)
        return;
    char *path = hk_repo_fetched_marker(repo, id);
    unlink(path);
    free(path);
}
