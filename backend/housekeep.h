/* Finding a session by a prefix of its id, and what `honk discard` and
 * `honk gc` may remove of finished sessions: their branches, worktrees
 * and, when asked, journals. Never removes anything without the caller's
 * call to hk_leftover_remove, and says what is unmerged or unfinished. */
#ifndef HK_HOUSEKEEP_H
#define HK_HOUSEKEEP_H

#include "repo.h"

#include <stddef.h>

/* Resolves a unique prefix of a session id among the journals and honk/
 * branches. Returns 0 with *id (free it), or -1 with *err: no session
 * starts so, or several do (the sentence lists them). */
int hk_session_id_resolve(struct hk_repo *repo, const char *prefix, char **id, char **err);

/* One session's traces, as discard and gc weigh them. */
struct hk_leftover {
    char id[9];
    char *state;        /* the journal's last state; "unknown" without a journal */
    char *task;         /* what the session was asked, "" when unknown */
    int finished;       /* the journal says done, failed or cancelled */
    int has_branch;     /* honk/<id> exists */
    int has_journal;
    char *worktree;     /* its path when it exists, else NULL */
    int unmerged;       /* the branch has commits that no other branch has */
    size_t uncommitted; /* files changed or added in the worktree, not committed */
    long live_pid;      /* a honk process runs it now (its pid), else 0 */
};

/* Every session with a branch, a worktree or a journal. */
int hk_leftover_list(struct hk_repo *repo, struct hk_leftover **out, size_t *count, char **err);
/* One session by its exact id. Returns 1 found, 0 nothing of it is left, -1 error. */
int hk_leftover_find(struct hk_repo *repo, const char *id, struct hk_leftover *out, char **err);
void hk_leftover_clear(struct hk_leftover *l);
void hk_leftovers_free(struct hk_leftover *list, size_t count);

/* Whether gc removes it by itself: finished, nothing unmerged or uncommitted. */
int hk_leftover_collectable(const struct hk_leftover *l);

/* Removes the session's worktree and branch, and its journal (with its
 * lock and socket files) when journal is set. A live session is refused:
 * its process works in that worktree. */
int hk_leftover_remove(struct hk_repo *repo, const struct hk_leftover *l, int journal, char **err);

#endif
