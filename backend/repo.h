/* The git side of honk (libgit2): the engineer's repository, one isolated
 * worktree and branch per task, commits, landing, discarding,
 * and a plain diff model the UI renders without knowing libgit2.
 *
 * Errors come back as a sentence in *err (the caller frees it with free());
 * functions return 0 on success and -1 on error unless said otherwise.
 * Getters that may find nothing return 1 found, 0 absent, -1 error. */
#ifndef HK_REPO_H
#define HK_REPO_H

#include <stddef.h>

struct hk_repo;

/* ---- repository (repo.c) ---- */

/* Opens the repository containing dir (any subdirectory of a work tree).
 * Refuses a directory outside any repository and a bare repository. */
int hk_repo_open(struct hk_repo **out, const char *dir, char **err);
void hk_repo_close(struct hk_repo *repo);

/* The engineer's work tree root (with a trailing slash) and the common git
 * directory (with a trailing slash); owned by repo. */
const char *hk_repo_workdir(const struct hk_repo *repo);
const char *hk_repo_gitdir(const struct hk_repo *repo);

/* Whether the engineer's checkout has staged, unstaged or untracked (not
 * ignored) changes. Returns 1 dirty, 0 clean, -1 error. When summary is not
 * NULL it receives a line such as "3 files changed, 1 untracked" (or
 * "no changes"). */
int hk_repo_dirty(struct hk_repo *repo, char **summary, char **err);

/* ---- tasks (repo_task.c) ---- */

struct hk_task {
    char id[9];           /* 8 hex characters */
    char *branch;         /* "honk/<id>" */
    char *worktree;       /* absolute path, .git/honk/worktrees/<id>; NULL if gone */
    char base_commit[41]; /* the commit the task started from (hex) */
    char *base_branch;    /* "main": where land goes; NULL when HEAD was detached */
    int squash;           /* the branch holds a published session's commits: the commit replaces them */
};

struct hk_task_options {
    const char *base;  /* revision to start from; NULL means HEAD */
    int with_changes;  /* carry the engineer's uncommitted changes in as a snapshot commit */
    const char *id;    /* the id to take (8 hex digits: honk serve picks it first); NULL: a new one */
};

/* Creates branch honk/<id> and its worktree. Never writes the engineer's
 * checkout, index, stash or HEAD. In a repository without commits the task
 * starts from an empty base commit. */
int hk_task_create(struct hk_repo *repo, const struct hk_task_options *opts,
                   struct hk_task **out, char **err);

/* Loads an existing task by id. Returns 1 found, 0 no such task, -1 error. */
int hk_task_open(struct hk_repo *repo, const char *id, struct hk_task **out, char **err);
void hk_task_free(struct hk_task *task);

/* Records where task id started and where it lands (for a task whose
 * branch came from elsewhere: honk fetch). */
int hk_task_record(struct hk_repo *repo, const char *id, const char *base, const char *base_branch);
/* Gives a task without a worktree (a fetched one) its worktree on its branch. */
int hk_task_add_worktree(struct hk_repo *repo, struct hk_task *task, char **err);

/* Every honk/<id> branch, as tasks (worktree NULL when it has none). */
int hk_task_list(struct hk_repo *repo, struct hk_task ***out, size_t *count, char **err);
void hk_task_list_free(struct hk_task **tasks, size_t count);

/* Stages everything in the task worktree (its own index) and commits it on
 * the task branch with a "Honk-Session: <session>" trailer. With
 * task->squash (a session published as it went, then fetched), the commit
 * goes on the task's base in place of the branch's own commits; a branch
 * no longer based on its base commit is then refused. *commit_hex gets
 * the new commit id; *note (may be NULL) gets a sentence when honk had to
 * fall back to "honk <honk@localhost>" for lack of a configured identity. */
int hk_task_commit(struct hk_repo *repo, const struct hk_task *task, const char *message,
                   const char *session, char **commit_hex, char **note, char **err);

enum hk_land_result {
    HK_LAND_ERROR = -1,
    HK_LAND_DONE = 0,   /* the base branch now points at the task's work */
    HK_LAND_MANUAL = 1, /* nothing moved; *msg says exactly what to run */
};

/* Fast-forwards the base branch to the task branch when possible, updating
 * the engineer's files only if their checkout is clean and on that branch.
 * Never merges, rebases or forces. *msg always receives a sentence. */
enum hk_land_result hk_task_land(struct hk_repo *repo, const struct hk_task *task,
                                 char **msg, char **err);

/* Whether the task's branch holds commits that neither HEAD nor another
 * local branch (not honk's own) contains: 1 yes, 0 no (or no branch). */
int hk_task_unmerged(struct hk_repo *repo, const struct hk_task *task);
/* How many files of the task's worktree differ from its HEAD, untracked
 * ones included; 0 when the worktree cannot be read. */
size_t hk_task_uncommitted(const struct hk_task *task);

/* Removes the task's worktree (files and git's admin data) and its branch. */
int hk_task_discard(struct hk_repo *repo, const struct hk_task *task, char **err);

/* A file's content at the task's base commit. Returns 1 found, 0 the path
 * does not exist there, -1 error. *data is NUL-terminated after *len bytes. */
int hk_task_read_base(struct hk_repo *repo, const struct hk_task *task, const char *path,
                      char **data, size_t *len, char **err);

/* ---- diff model (repo_diff.c) ---- */

enum hk_diff_status {
    HK_DIFF_ADDED,
    HK_DIFF_DELETED,
    HK_DIFF_MODIFIED,
    HK_DIFF_RENAMED,
    HK_DIFF_COPIED,
    HK_DIFF_TYPECHANGE,
};

enum hk_diff_line_kind {
    HK_DIFF_LINE_CONTEXT,
    HK_DIFF_LINE_ADD,
    HK_DIFF_LINE_DELETE,
    HK_DIFF_LINE_NO_NEWLINE, /* "\ No newline at end of file" after the line above */
};

/* A changed byte range [start, end) within a line's content. */
struct hk_diff_span {
    unsigned start, end;
};

struct hk_diff_line {
    enum hk_diff_line_kind kind;
    int old_lineno; /* -1 when the line is not on that side */
    int new_lineno;
    const char *content; /* without the newline; NUL-terminated */
    unsigned len;
    const struct hk_diff_span *spans; /* intra-line changes; only on paired add/delete lines */
    unsigned nspans;
    int pair; /* index in its hunk of the line it pairs with (hk_diff_pair_lines), or -1 */
};

struct hk_diff_hunk {
    int old_start, old_lines, new_start, new_lines;
    const char *header; /* "@@ -1,3 +1,4 @@ context", without the newline */
    struct hk_diff_line *lines;
    size_t nlines;
};

struct hk_diff_file {
    enum hk_diff_status status;
    const char *old_path, *new_path;
    unsigned old_mode, new_mode; /* 0100644, 0100755, 0120000, ...; 0 when absent */
    int binary;
    size_t added, deleted; /* line counts */
    struct hk_diff_hunk *hunks;
    size_t nhunks;
};

struct hk_diff {
    struct hk_diff_file *files;
    size_t nfiles;
    /* private storage follows in the implementation */
};

enum hk_diff_against {
    HK_DIFF_BASE, /* the task's base commit: everything the task changed */
    HK_DIFF_HEAD, /* the task branch's last commit: what is not committed yet */
};

/* The task worktree's files (staged, unstaged and untracked) against its
 * base commit or its HEAD, with renames detected. */
int hk_diff_task(struct hk_repo *repo, const struct hk_task *task, enum hk_diff_against against,
                 struct hk_diff **out, char **err);
/* Between two revisions (anything git rev-parse understands that peels to
 * a tree), old to new; old_rev NULL: from the empty tree (a root commit). */
int hk_diff_revs(struct hk_repo *repo, const char *old_rev, const char *new_rev,
                 struct hk_diff **out, char **err);
void hk_diff_free(struct hk_diff *diff);
/* Whether rev names something with a tree (a commit, a tag, a tree). */
int hk_rev_exists(struct hk_repo *repo, const char *rev);
/* Whether HEAD has a commit (0 in a repository with no commits yet). */
int hk_repo_has_commits(struct hk_repo *repo);
/* The commit rev names, as 40 hex digits (free it), or NULL. */
char *hk_repo_commit_of(struct hk_repo *repo, const char *rev);
/* The URL of the remote of that name (free it), or NULL when there is none. */
char *hk_repo_remote_url(struct hk_repo *repo, const char *name);

/* Word-level changes between two lines: tokens are words, whitespace runs
 * and single punctuation bytes. Fills at most max spans per side (returns
 * counts through na and nb). Exposed for tests and for other diff sources. */
void hk_diff_word_spans(const char *a, unsigned alen, const char *b, unsigned blen,
                        struct hk_diff_span *sa, unsigned *na,
                        struct hk_diff_span *sb, unsigned *nb, unsigned max);

/* Word spans a line keeps; more are merged into the last. */
#define HK_DIFF_MAX_SPANS 16

/* The one "deletions, then additions" walk of every diff honk shows, so a
 * hunk's word highlights and side-by-side rows do not depend on where it
 * came from. Pairs each run of deleted lines of a hunk's n lines (only kind,
 * content and len are read) with the run of added lines after it (a "No
 * newline" marker does not end a run): in order when the runs are as long,
 * else each deleted line with the most alike of the next few added lines.
 * pair[i] gets the index of line i's partner, or -1. */
void hk_diff_pair_lines(const struct hk_diff_line *lines, int n, int *pair);

#endif
