/* The Diff pane's view made from what the backend has: a proposal of the
 * patch engine, or a diff between commits from the repository. */
#ifndef HK_DIFF_SOURCES_H
#define HK_DIFF_SOURCES_H

#include "diffview.h"
#include "patch.h"
#include "repo.h"

#include <cJSON.h>

/* reasons: "p1:3" -> why hunk 3 of p1 was rejected (may be NULL). */
struct hk_diffview *hk_diffview_from_proposal(const struct hk_proposal *p, const cJSON *reasons);
/* Brings the states and reasons of an existing view of p up to date. */
void hk_diffview_update_states(struct hk_diffview *dv, const struct hk_proposal *p, const cJSON *reasons);
struct hk_diffview *hk_diffview_from_diff(const struct hk_diff *d, const char *id, const char *summary);

#endif
