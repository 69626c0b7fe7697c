/* Reviewing changes without a model (`honk review`): a patch file, hunk by
 * hunk, whose approved hunks are then applied with the patch engine and the
 * others written to a .rej file; or commits of the repository, whose
 * rejected hunks are written to a .rej file to revert or rework. */
#ifndef HK_REVIEW_H
#define HK_REVIEW_H

#include "patch.h"
#include "repo.h"
#include "session.h"

struct hk_review;

/* A patch file to apply to the work tree at root, all hunks pending. */
int hk_review_patch(const char *root, const char *patch_path, struct hk_review **out, char **err);
/* "A..B", or one revision (its own change against its first parent). */
int hk_review_revs(struct hk_repo *repo, const char *range, struct hk_review **out, char **err);
void hk_review_free(struct hk_review *r);

/* What is shown: a proposal (a patch) or a diff (commits); the other NULL. */
const struct hk_proposal *hk_review_proposal(const struct hk_review *r);
const struct hk_diff *hk_review_diff(const struct hk_review *r);
const char *hk_review_title(const struct hk_review *r);
size_t hk_review_hunk_count(const struct hk_review *r);

/* Records a decision on hunk (flat index over the files; -1: all). Returns
 * the hunk's new state, or -1 with *err (a hunk that cannot apply cannot
 * be approved). */
int hk_review_decide(struct hk_review *r, int hunk, enum hk_verdict verdict, const char *edited, char **err);
enum hk_hunk_state hk_review_state(const struct hk_review *r, size_t hunk);
/* The engineer's reason for rejecting hunk (-1: every rejected hunk that
 * has none yet); kept in the .rej file as a comment and in the report. */
void hk_review_set_reason(struct hk_review *r, int hunk, const char *reason);
/* Takes back the last decision; returns the hunk it touched, or -1. */
int hk_review_undo(struct hk_review *r);

/* Carries the decisions out: approved (and edited) hunks of a patch are
 * applied to the work tree, every other hunk is written to the .rej file.
 * *report says what happened, in a few lines. */
int hk_review_finish(struct hk_review *r, char **report, char **err);

#endif
