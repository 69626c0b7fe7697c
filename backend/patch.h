/* The patch engine: every change a model proposes becomes a proposal of hunks,
 * applied in a root directory, that an engineer approves or rejects one by one. */
#ifndef HK_PATCH_H
#define HK_PATCH_H

#include <stddef.h>
#include <cjson/cJSON.h>

enum hk_patch_kind { HK_PATCH_EDIT, HK_PATCH_WRITE, HK_PATCH_DIFF };

enum hk_line_kind { HK_LINE_CONTEXT, HK_LINE_ADD, HK_LINE_DEL };

/* One line of a hunk. text has no "\n" (a CRLF line keeps its "\r"); noeol marks a
 * line without a newline at the end of the file. */
struct hk_patch_line {
    enum hk_line_kind kind;
    char *text;
    size_t len;
    int noeol;
};

enum hk_hunk_state { HK_HUNK_PENDING, HK_HUNK_APPROVED, HK_HUNK_REJECTED, HK_HUNK_EDITED };

enum hk_hunk_result { HK_HUNK_EXACT, HK_HUNK_OFFSET, HK_HUNK_FUZZ, HK_HUNK_FAILED };

/* What a hunk is, as every front end says it: one list, each with its name.
 * fits: it would apply, and nothing was written (--check, an all-or-nothing
 * apply that stopped, a review not yet carried out); pending: in the files,
 * waiting for a decision; applied: in the files and approved (or edited);
 * rejected: not in the files (rejected, or it does not apply); already
 * applied: it does not apply because its change is in the file already. */
#define HK_HUNK_WORDS(X)                                                    \
    X(HK_WORD_FITS, "fits")                                                 \
    X(HK_WORD_PENDING, "pending")                                           \
    X(HK_WORD_APPLIED, "applied")                                           \
    X(HK_WORD_REJECTED, "rejected")                                         \
    X(HK_WORD_ALREADY_APPLIED, "already applied")
#define HK_WORD_ENUM(id, name) id,
enum hk_hunk_word { HK_HUNK_WORDS(HK_WORD_ENUM) HK_WORD_COUNT };
#undef HK_WORD_ENUM

struct hk_hunk {
    int old_start, old_count; /* 1-based, in the original file */
    int new_start, new_count; /* in the file as it is with the current decisions */
    struct hk_patch_line *lines;
    size_t nlines;
    enum hk_hunk_state state;
    enum hk_hunk_result result;
    int offset;     /* lines away from where the patch said (HK_HUNK_OFFSET) */
    int fuzz;       /* context lines dropped at the edges (HK_HUNK_FUZZ) */
    int whitespace; /* matched only when ignoring whitespace differences */
    int already;    /* failed because the reverse applies: the change is in the file */
    char *reason;   /* why it failed (HK_HUNK_FAILED), else NULL */
    char *meta;     /* a file operation without lines: "rename a -> b", "new empty file" */
    /* internal */
    char *function; /* of a file never loaded (a mirror's): the line after its @@, as the journal says */
    size_t pos;     /* 0-based first line in the original */
    size_t nold;    /* original lines it covers */
};

enum hk_file_status {
    HK_FILE_MODIFIED, HK_FILE_ADDED, HK_FILE_DELETED, HK_FILE_RENAMED, HK_FILE_COPIED
};

struct hk_patch_file {
    char *path;     /* relative to the root; the new name for renames */
    char *old_path; /* the source of a rename or copy, else NULL */
    enum hk_file_status status;
    unsigned new_mode; /* 0 when the patch sets no mode, else 0644 or 0755 */
    struct hk_hunk *hunks;
    size_t nhunks;
    /* internal */
    char *abs, *old_abs;
    struct hk_patch_line *orig; /* the original lines (kind unused) */
    size_t norig;
    int orig_exists, dest_exists;
    unsigned orig_mode;
    char **made_dirs;
    size_t nmade;
};

struct hk_patch_opts {
    int fuzz;    /* context lines that may be dropped at each edge; default 2 */
    int strip;   /* path components to strip; -1 (default) detects a/ b/ prefixes */
    int reverse; /* apply the patch in reverse */
    int partial; /* apply the hunks that fit even when others fail */
    int dry_run; /* locate everything, write nothing */
    int approve; /* hunks written are approved at once (honk apply: nobody reviews them) */
};

struct hk_proposal {
    char *id;
    char *root;
    enum hk_patch_kind kind;
    cJSON *input; /* the tool input it came from */
    struct hk_patch_opts opts;
    struct hk_patch_file *files;
    size_t nfiles;
    int written; /* its hunks are on disk */
    struct hk_undo *undo;
    size_t nundo;
    unsigned group;
};

void hk_patch_opts_init(struct hk_patch_opts *o);

/* Each constructor returns 0 when every hunk applied, 1 when some failed (then
 * *err sums it up and *out still shows every hunk's result; nothing is written
 * unless opts.partial), -1 on an error with no proposal (*err says why, e.g. a
 * malformed patch with its line). id may be NULL for a generated one. */
int hk_patch_edit_file(const char *root, const char *id, const char *path, const char *old_s,
                       const char *new_s, int replace_all, struct hk_proposal **out, char **err);
int hk_patch_write_file(const char *root, const char *id, const char *path,
                        const char *content, struct hk_proposal **out, char **err);
int hk_patch_apply_text(const char *root, const char *id, const char *patch,
                        const struct hk_patch_opts *opts, struct hk_proposal **out, char **err);
/* Dispatches a tool call: "edit_file", "write_file" or "apply_patch" (input "patch"). */
int hk_patch_from_tool(const char *root, const char *id, const char *tool,
                       const cJSON *input, struct hk_proposal **out, char **err);
void hk_patch_free(struct hk_proposal *p);

/* Decisions take effect on disk at once; each can be undone. A failed hunk
 * cannot be approved. Return 0, or -1 with a sentence in *err. */
int hk_patch_approve(struct hk_proposal *p, size_t file, size_t hunk, char **err);
int hk_patch_reject(struct hk_proposal *p, size_t file, size_t hunk, char **err);
/* Replaces the hunk's new side with text (as from $EDITOR) and marks it edited. */
int hk_patch_edit_hunk(struct hk_proposal *p, size_t file, size_t hunk, const char *text,
                       char **err);
int hk_patch_approve_all(struct hk_proposal *p, char **err);
/* Restores every file byte for byte. */
int hk_patch_reject_all(struct hk_proposal *p, char **err);
/* Takes back the last decision (a whole-proposal decision counts as one). */
int hk_patch_undo(struct hk_proposal *p, char **err);

/* The hunk's state word, given whether its proposal was written. */
enum hk_hunk_word hk_patch_hunk_word(const struct hk_proposal *p, const struct hk_hunk *h);
const char *hk_hunk_word_name(enum hk_hunk_word w);
/* Where the hunk went when not where the patch said: "at offset +3", "with
 * fuzz 1 at offset -2", " (ignoring whitespace)"; "" when exactly there. */
char *hk_patch_hunk_placement(const struct hk_hunk *h);
/* The word and the placement: "applied at offset +3", "fits with fuzz 1",
 * "pending", "rejected: why", "already applied". */
char *hk_patch_hunk_result(const struct hk_proposal *p, const struct hk_hunk *h);
/* The line git would show after a hunk's "@@ ... @@": the nearest line above
 * the hunk that starts with a letter, '_' or '$' (git's default funcname
 * rule), trailing blanks cut, at most 80 bytes; NULL when there is none. */
char *hk_patch_hunk_function(const struct hk_patch_file *f, const struct hk_hunk *h);
/* One line per hunk, "path: hunk N applied at offset +3", for people and models. */
char *hk_patch_report(const struct hk_proposal *p);

/* The hunks of a file that are not in the files (rejected, or not applying;
 * never those already applied) as a git patch for a .rej file, numbered for
 * the files as they are now; NULL when there is none. */
char *hk_patch_rej(const struct hk_proposal *p, size_t file);
/* Writes that patch to "<path>.rej" beside the file (as GNU patch does), or
 * at the root when it cannot go there; *where is the file written (NULL when
 * nothing was left out). Returns 0, or -1 with *err. */
int hk_patch_write_rej(const struct hk_proposal *p, size_t file, char **where, char **err);

/* The proposal with its input, hunks and decisions; from_json rebuilds it against
 * the files in root as they are on disk now (the state the decisions left). */
cJSON *hk_patch_to_json(const struct hk_proposal *p);
int hk_patch_from_json(const cJSON *json, const char *root, struct hk_proposal **out,
                       char **err);
/* A hunk state's name in the journal ("pending", "approved" ...), and back
 * (-1 for an unknown name). */
const char *hk_hunk_state_name(enum hk_hunk_state s);
int hk_hunk_state_parse(const char *name);

#endif
