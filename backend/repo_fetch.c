/* honk fetch: sessions published elsewhere brought in beside the local
 * ones, their branches, journals (with a marker saying where they came
 * from) and bases (see repo_publish.h for the refs). */
#include "repo_publish.h"
#include "journal.h"
#include "json.h"
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

char *hk_repo_fetched_marker(struct hk_repo *repo, const char *id)
{
    return hk_xasprintf("%shonk/sessions/%s.fetched", repo->commondir, id);
}

/* The marker says where the journal came from and which blob it was. */
static int read_marker(struct hk_repo *repo, const char *id, char **remote, git_oid *blob)
{
    char *path = hk_repo_fetched_marker(repo, id);
    struct hk_buf b = {0};
    int rc = hk_read_file(path, &b);
    free(path);
    if (rc < 0 || !b.data) {
        hk_buf_free(&b);
        return 0;
    }
    /* "remote NAME-OR-URL\nblob HEX\n": a URL may hold spaces */
    char *nl = strchr(b.data, '\n');
    const char *hex = nl ? nl + 1 : "";
    int ok = !strncmp(b.data, "remote ", 7) && !strncmp(hex, "blob ", 5) && git_oid_fromstrn(blob, hex + 5, 40) == 0;
    if (ok && remote)
        *remote = hk_xstrndup(b.data + 7, (size_t)(nl - b.data - 7));
    hk_buf_free(&b);
    return ok;
}

char *hk_publish_fetched_from(struct hk_repo *repo, const char *id)
{
    char *remote = NULL;
    git_oid blob;
    read_marker(repo, id, &remote, &blob);
    return remote;
}

/* --- fetching ------------------------------------------------------------- */

/* What a fetched journal says of its session. */
struct fetched {
    char *base, *base_branch, *state, *task;
};

static void read_fetched(const struct hk_event *ev, void *user)
{
    struct fetched *f = user;
    const char *v;
    if (ev->kind == HK_EV_TASK) {
        if ((v = hk_json_str(ev->data, "base")) && !f->base)
            f->base = hk_xstrdup(v);
        if ((v = hk_json_str(ev->data, "base_branch")) && !f->base_branch)
            f->base_branch = hk_xstrdup(v);
        if ((v = hk_json_str(ev->data, "task")) && !f->task)
            f->task = hk_xstrdup(v);
    } else if (ev->kind == HK_EV_STATE && (v = hk_json_str(ev->data, "state"))) {
        free(f->state);
        f->state = hk_xstrdup(v);
    }
}

static void fetched_free(struct fetched *f)
{
    free(f->base);
    free(f->base_branch);
    free(f->state);
    free(f->task);
}

static int valid_id(const char *id)
{
    if (strlen(id) != 8)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

/* Writes the journal blob of commit at path (through a temporary file, so a
 * reader never sees half of it) and the marker. */
static int write_journal(struct hk_repo *repo, const char *id, const char *remote, const git_oid *commit_id,
                         const char *path, char **err)
{
    git_commit *commit = NULL;
    git_tree *tree = NULL;
    git_blob *blob = NULL;
    const git_tree_entry *e;
    int rc = -1;
    if (git_commit_lookup(&commit, repo->git, commit_id) < 0 || git_commit_tree(&tree, commit) < 0 ||
        !(e = git_tree_entry_byname(tree, HK_PUBLISH_JOURNAL)) || git_blob_lookup(&blob, repo->git, git_tree_entry_id(e)) < 0) {
        hk_repo_fail(err, "the fetched session has no journal");
        goto out;
    }
    char *tmp = hk_xasprintf("%s.tmp", path), *marker = hk_repo_fetched_marker(repo, id);
    char *dir = hk_xasprintf("%shonk", repo->commondir), *sessions = hk_xasprintf("%s/sessions", dir);
    mkdir(dir, 0700); /* as hk_journal_open makes them */
    mkdir(sessions, 0700);
    free(dir);
    free(sessions);
    FILE *f = fopen(tmp, "w");
    int ok = f && fwrite(git_blob_rawcontent(blob), 1, (size_t)git_blob_rawsize(blob), f) == (size_t)git_blob_rawsize(blob);
    ok = (f && fclose(f) == 0) && ok && rename(tmp, path) == 0;
    FILE *m = ok ? fopen(marker, "w") : NULL;
    if (m) {
        fprintf(m, "remote %s\nblob %s\n", remote, git_oid_tostr_s(git_tree_entry_id(e)));
        ok = fclose(m) == 0;
    }
    if (!ok || !m)
        *err = hk_xasprintf("cannot write %s: %s", path, strerror(errno));
    else
        rc = 0;
    unlink(tmp);
    free(tmp);
    free(marker);
out:
    git_blob_free(blob);
    git_tree_free(tree);
    git_commit_free(commit);
    git_error_clear();
    return rc;
}

/* The local branch follows the fetched one unless the engineer moved it
 * here since the last fetch (old: the value fetched before, if any). */
static const char *take_branch(struct hk_repo *repo, const char *id, const char *staged, const git_oid *old, int had_old)
{
    char *name = ref_name("heads/honk", id);
    git_oid local, tip;
    const char *said = NULL;
    if (!hk_repo_ref_oid(repo->git, staged, &tip))
        said = "no branch";
    else if (hk_repo_ref_oid(repo->git, name, &local) && !git_oid_equal(&local, &tip) && !(had_old && git_oid_equal(&local, old)))
        said = "your honk/ branch kept: it moved here since";
    else if (hk_repo_set_ref(repo->git, name, &tip, "honk fetch") < 0)
        said = "its branch could not be written";
    git_error_clear();
    free(name);
    return said;
}

/* One fetch: the remote as given, where its refs are kept, what is said. */
struct fetch {
    struct hk_repo *repo;
    const char *remote;
    const char *staging;
    struct hk_buf *report;
};

static void adopt(const struct fetch *fx, const char *id, const git_oid *journal_commit, const git_oid *old_tip,
                  int had_old)
{
    struct hk_repo *repo = fx->repo;
    struct hk_buf *report = fx->report;
    const char *remote = fx->remote;
    char *path = hk_journal_path(repo->commondir, id), *err = NULL;
    char *staged = hk_xasprintf("refs/honk/fetched/%s/heads/%s", fx->staging, id);
    git_oid was, now;
    int fetched = read_marker(repo, id, NULL, &was);
    struct fetched f = {0};
    if (access(path, F_OK) == 0 && !fetched) {
        hk_buf_printf(report, "%s  ran here; left as it is\n", id);
        goto out;
    }
    if (fetched && (git_odb_hashfile(&now, path, GIT_OBJECT_BLOB) < 0 || !git_oid_equal(&now, &was))) {
        git_error_clear();
        hk_buf_printf(report, "%s  kept as it is here: its journal has grown here since the last fetch\n", id);
        goto out;
    }
    if (write_journal(repo, id, remote, journal_commit, path, &err) < 0) {
        hk_buf_printf(report, "%s  not fetched: %s\n", id, err);
        goto out;
    }
    hk_journal_read(path, read_fetched, &f, &err);
    if (f.base)
        hk_task_record(repo, id, f.base, f.base_branch);
    const char *said = take_branch(repo, id, staged, old_tip, had_old);
    hk_buf_printf(report, "%s  %-17s %s%s%s\n", id, f.state ? f.state : "unknown", f.task ? f.task : "",
                  said ? "; " : "", said ? said : "");
out:
    fetched_free(&f);
    free(err);
    free(staged);
    free(path);
}

/* The fetched branch values before this fetch, to tell whether the engineer
 * moved a local branch since. */
struct old_tips {
    char (*ids)[9];
    git_oid *tips;
    size_t n;
};

static void old_tips_read(struct hk_repo *repo, const char *prefix, struct old_tips *o)
{
    git_reference_iterator *it = NULL;
    git_reference *ref;
    char *glob = hk_xasprintf("%s*", prefix);
    if (git_reference_iterator_glob_new(&it, repo->git, glob) == 0)
        while (git_reference_next(&ref, it) == 0) {
            const char *id = git_reference_name(ref) + strlen(prefix);
            if (valid_id(id) && git_reference_target(ref)) {
                o->ids = hk_xrealloc(o->ids, (o->n + 1) * sizeof *o->ids);
                o->tips = hk_xrealloc(o->tips, (o->n + 1) * sizeof *o->tips);
                snprintf(o->ids[o->n], 9, "%s", id);
                git_oid_cpy(&o->tips[o->n++], git_reference_target(ref));
            }
            git_reference_free(ref);
        }
    git_reference_iterator_free(it);
    git_error_clear();
    free(glob);
}

static int old_tip(const struct old_tips *o, const char *id, git_oid *out)
{
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->ids[i], id)) {
            git_oid_cpy(out, &o->tips[i]);
            return 1;
        }
    return 0;
}

/* A name for the fetched refs: the remote's, or "url" for a URL. */
/* A name for the fetched refs: the remote's, or for a URL the URL with
 * what a ref name cannot hold made '_' (two URLs never share them). */
static char *staging_name(const struct hk_repo_conn *c, const char *remote)
{
    char *name = c->named ? hk_xstrdup(remote) : hk_xasprintf("url-%s", remote);
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
            *p = '_';
    return name;
}

static int download(struct hk_repo_conn *c, const char *remote, const char *name, char **err)
{
    git_fetch_options opts;
    git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
    hk_repo_conn_callbacks(&opts.callbacks, c);
    opts.update_fetchhead = 0;
    opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    opts.prune = GIT_FETCH_PRUNE;
    char *specs[2] = {hk_xasprintf("+refs/heads/honk/*:refs/honk/fetched/%s/heads/*", name),
                      hk_xasprintf("+refs/honk/sessions/*:refs/honk/fetched/%s/sessions/*", name)};
    git_strarray arr = {specs, 2};
    int rc = git_remote_fetch(c->remote, &arr, &opts, "honk fetch");
    if (rc < 0) {
        const git_error *e = git_error_last();
        *err = hk_xasprintf("cannot fetch from %s: %s", remote, e && e->message ? e->message : "unknown error");
    }
    git_error_clear();
    free(specs[0]);
    free(specs[1]);
    return rc < 0 ? -1 : 0;
}

int hk_fetch(struct hk_repo *repo, const char *remote, char **report, char **err)
{
    struct hk_repo_conn c;
    struct old_tips o = {0};
    struct hk_buf out = {0};
    *report = NULL;
    if (hk_repo_conn_open(repo, remote, &c, err) < 0)
        return -1;
    char *name = staging_name(&c, remote);
    struct fetch fx = {repo, remote, name, &out};
    char *heads = hk_xasprintf("refs/honk/fetched/%s/heads/", name);
    char *sessions = hk_xasprintf("refs/honk/fetched/%s/sessions/", name);
    old_tips_read(repo, heads, &o);
    int rc = download(&c, remote, name, err);
    git_reference_iterator *it = NULL;
    git_reference *ref;
    char *glob = hk_xasprintf("%s*", sessions);
    if (rc == 0 && git_reference_iterator_glob_new(&it, repo->git, glob) == 0)
        while (git_reference_next(&ref, it) == 0) {
            const char *id = git_reference_name(ref) + strlen(sessions);
            git_oid old;
            if (valid_id(id) && git_reference_target(ref)) {
                int had = old_tip(&o, id, &old);
                adopt(&fx, id, git_reference_target(ref), &old, had);
            }
            git_reference_free(ref);
        }
    git_reference_iterator_free(it);
    git_error_clear();
    if (rc == 0)
        *report = out.len ? hk_buf_steal(&out) : hk_xasprintf("%s has no published sessions\n", remote);
    hk_buf_free(&out);
    free(glob);
    free(name);
    free(heads);
    free(sessions);
    free(o.ids);
    free(o.tips);
    hk_repo_conn_close(&c);
    return rc;
}
