/* A session as git refs (libgit2): what it has applied so far as commits on
 * its branch, its journal as a commit of its own, pushed to a remote; and
 * `honk fetch`, which brings sessions that ran elsewhere in, so that log,
 * show and resume's commit and land work on them as on a local session.
 *
 * Local refs of a session that publishes:
 *   refs/heads/honk/<id>      the task branch (its base until the commit)
 *   refs/honk/wip/<id>        one commit per change of the worktree seen at a
 *                             state change, from the base: what is pushed as
 *                             the branch until the session commits
 *   refs/honk/sessions/<id>   a chain of commits whose tree holds the journal
 * On the remote: refs/heads/honk/<id> and refs/honk/sessions/<id>.
 * A fetch keeps the remote's values under refs/honk/fetched/<remote>/
 * (for a URL: url-<the URL, '_' for what a ref name cannot hold>). */
#ifndef HK_REPO_PUBLISH_H
#define HK_REPO_PUBLISH_H

#include "repo.h"

#include <stddef.h>

/* Records the session's state in local refs (no network): the worktree's
 * files as a new commit on refs/honk/wip/<id> when they changed (message:
 * its subject and "what", e.g. "after proposal p2"), and the journal file
 * as a new commit on refs/honk/sessions/<id>. Stages the worktree's own
 * index, as a commit would. */
int hk_publish_record(struct hk_repo *repo, const struct hk_task *task, const char *journal_path,
                      const char *subject, const char *what, char **err);

/* Pushes the session's two refs to remote (a remote's name or a URL): the
 * branch is the task branch once it has commits of its own (the session's
 * squashed commit), else the wip chain. A ref the remote holds is only
 * replaced when this repository knows it as one of the session's own
 * (an ancestor of what it pushes, or of its own refs): never another's.
 * Synchronous: see session_publish.c for how the loop keeps it away. */
int hk_publish_push(struct hk_repo *repo, const char *remote, const char *id, char **err);

/* Deletes the session's refs on remote (honk discard --remote), each only
 * when the remote's value is one this repository knows as the session's. */
int hk_publish_unpublish(struct hk_repo *repo, const char *remote, const char *id, char **err);

/* Removes the session's local publishing refs (wip, sessions, fetched) and,
 * with marker (its journal goes too), the note that it was fetched; the
 * branch and journal are housekeep's. */
void hk_publish_forget(struct hk_repo *repo, const char *id, int marker);

/* The remote a session was fetched from (free it), or NULL when it ran here. */
char *hk_publish_fetched_from(struct hk_repo *repo, const char *id);

/* Brings in every session published on remote: its branch as the local
 * honk/<id> (unless the engineer moved that branch since the last fetch),
 * its journal beside the local ones (unless it was written to here since),
 * and the task's base. *report gets one line per session. A session that
 * ran in this repository is left as it is. */
int hk_fetch(struct hk_repo *repo, const char *remote, char **report, char **err);

#endif
