/* The diff the Diff pane shows: plain data (files, hunks, lines with
 * intra-line change spans, decision states), filled by whoever owns the
 * proposal (the patch engine's proposals, libgit2 diffs) and never by the
 * pane itself: hunk states come from backend data, the proposal's hunk
 * states (diff_sources.c) or the review's decisions (cmd_review.c). Arrays
 * grow through the hk_diffview_add_* helpers. */
#ifndef HK_DIFFVIEW_H
#define HK_DIFFVIEW_H

#include <stdbool.h>
#include <stddef.h>

enum hk_dv_status { HK_DV_MODIFIED, HK_DV_ADDED, HK_DV_DELETED, HK_DV_RENAMED };
enum hk_dv_state { HK_DV_PENDING, HK_DV_APPROVED, HK_DV_REJECTED, HK_DV_EDITED };
enum hk_dv_kind { HK_DV_CONTEXT, HK_DV_ADD, HK_DV_DEL };

/* Changed bytes [start, end) of a line's text, for word-level highlight. */
struct hk_dv_span {
    int start, end;
};

struct hk_dv_line {
    enum hk_dv_kind kind;
    int old_no, new_no;   /* 0 where the line has none (adds, deletes) */
    char *text;           /* without the leading +/-/space and newline */
    int len;
    struct hk_dv_span *spans;
    int nspans;
    int pair;             /* the line of its hunk it pairs with (word spans, side by side), or -1 */
};

struct hk_dv_hunk {
    int old_start, old_count, new_start, new_count;
    char *context;        /* text after the @@ ... @@, may be NULL */
    enum hk_dv_state state;
    char *note;           /* how it applied, e.g. "offset +3"; may be NULL */
    char *reason;         /* why it was rejected; may be NULL */
    struct hk_dv_line *lines;
    int nlines, cap;
};

struct hk_dv_file {
    char *path, *old_path; /* old_path NULL unless renamed */
    enum hk_dv_status status;
    int adds, dels;
    struct hk_dv_hunk *hunks;
    int nhunks, cap;
};

struct hk_diffview {
    char *proposal_id;    /* the id decisions name */
    char *summary;        /* one line; may be NULL */
    enum hk_dv_state state; /* the proposal as a whole (rejected stays shown) */
    struct hk_dv_file *files;
    int nfiles, cap;
};

struct hk_diffview *hk_diffview_new(const char *proposal_id, const char *summary);
void hk_diffview_free(struct hk_diffview *dv);

struct hk_dv_file *hk_diffview_add_file(struct hk_diffview *dv, const char *path,
                                        const char *old_path, enum hk_dv_status status);
struct hk_dv_hunk *hk_diffview_add_hunk(struct hk_dv_file *f, int old_start, int old_count,
                                        int new_start, int new_count, const char *context);
/* Adds a line (text of len bytes) and counts it in the file's adds/dels. */
struct hk_dv_line *hk_diffview_add_line(struct hk_dv_file *f, struct hk_dv_hunk *h,
                                        enum hk_dv_kind kind, int old_no, int new_no,
                                        const char *text, int len);

/* Pairs each run of deleted lines with the added lines after it and fills
 * their word spans, as the repository diff does (hk_diff_pair_lines and
 * hk_diff_word_spans), so a hunk looks the same whatever its source. */
void hk_diffview_word_spans(struct hk_diffview *dv);

/* Shows text as the hunk's new side: the lines it shares with the old side
 * at the start and the end are context, the rest deleted then added (the
 * hunk's counts and its file's follow). Spans: hk_diffview_word_spans. */
void hk_diffview_hunk_set_new_text(struct hk_dv_file *f, struct hk_dv_hunk *h, const char *text);

/* The hunk's new side as text (context and added lines), for an editor. */
char *hk_diffview_hunk_new_text(const struct hk_dv_hunk *h);

const char *hk_diffview_state_name(enum hk_dv_state s);

#endif
