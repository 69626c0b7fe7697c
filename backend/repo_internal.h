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

#endif
