/* Shared between the repo*.c files: the repository handle and small helpers
 * that turn libgit2 failures into sentences. Not part of the public API. */
#ifndef HK_REPO_INTERNAL_H
#define HK_REPO_INTERNAL_H

#include "git_api.h"

#include "repo.h"

struct hk_repo {
    git_repository *git;
    char *workdir;      /* with a trailing slash */
    char *commondir;    /* with a trailing slash */
};

/* "<what>: <libgit2's last error message>", into *err if err is not NULL. */
void hk_repo_fail(char **err, const char *what);
/* Sets *err (if not NULL) to a copy of msg. */
void hk_repo_say(char **err, const char *msg);

/* The identity from git config, or "honk <honk@localhost>" with a *note
 * (if note is not NULL) saying so. */
int hk_repo_signature(git_repository *git, git_signature **out, char **note);

/* Stages every file of the worktree wt in its own index (as git add -A)
 * and writes its tree. */
int hk_repo_stage_all(git_repository *wt, git_oid *tree);

/* ---- remotes and published sessions (repo_publish.c, repo_fetch.c) ---- */

/* The journal's name in the tree of a refs/honk/sessions/<id> commit. */
#define HK_PUBLISH_JOURNAL "journal.jsonl"

/* 1 with *out when the ref exists, else 0. */
int hk_repo_ref_oid(git_repository *git, const char *name, git_oid *out);
/* Creates or moves the ref (forced). */
int hk_repo_set_ref(git_repository *git, const char *name, const git_oid *id, const char *log);

/* A connection to a remote, with credentials as git would find them. */
struct hk_repo_conn {
    git_remote *remote;
    int named;             /* remote names one of the repository's remotes */
    int tried;             /* the credential kinds offered already (GIT_CREDENTIAL_*) */
    char *refused;         /* the remote's first refusal of a ref */
};
/* remote: a remote's name (its url from the config) or a URL. */
int hk_repo_conn_open(struct hk_repo *repo, const char *remote, struct hk_repo_conn *c, char **err);
void hk_repo_conn_close(struct hk_repo_conn *c);
void hk_repo_conn_callbacks(git_remote_callbacks *cb, struct hk_repo_conn *c);

/* .git/honk/sessions/<id>.fetched: where a fetched journal came from. */
char *hk_repo_fetched_marker(struct hk_repo *repo, const char *id);

#endif
