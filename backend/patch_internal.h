/* Declarations shared by the patch engine's files (patch*.c), not for the rest of honk. */
#ifndef HK_PATCH_INTERNAL_H
#define HK_PATCH_INTERNAL_H

#include "patch.h"

#include <stddef.h>

/* One step of a decision, for undo. */
struct hk_undo {
    size_t file, hunk;
    enum hk_hunk_state prev;
    struct hk_patch_line *lines; /* the lines before an edit, else NULL */
    size_t nlines;
    unsigned group;
};

/* Room for item n of an array of n: doubles when n is a power of two, so arrays
 * without a capacity field (files, hunks, undo) hk_patch_grow in amortised constant time. */
void *hk_patch_grow(void *v, size_t n, size_t size);

/* A growable array of lines whose texts are borrowed (not copied, not always
 * NUL-terminated) or made for it (own); hk_patch_lines_pack turns it into a kept array. */
struct lines {
    struct hk_patch_line *v;
    size_t n, cap;
    char **own;
    size_t nown;
};

/* Appends a line whose text s stays the caller's and must outlive the list. */
void hk_patch_lines_push(struct lines *l, enum hk_line_kind kind, const char *s, size_t len, int noeol);
/* Hands s to the list, to be freed with it; returns s. */
char *hk_patch_lines_own(struct lines *l, char *s);
/* Frees the list and the texts it owns, never borrowed ones; leaves it empty. */
void hk_patch_lines_free(struct lines *l);
/* One allocation holding the lines and a NUL-terminated copy of each text, as
 * kept in hunks and originals: one malloc per hunk rather than one per line. */
struct hk_patch_line *hk_patch_lines_pack(const struct hk_patch_line *v, size_t n);
/* The lines of bytes packed the same way; the last one without "\n" gets noeol. */
struct hk_patch_line *hk_patch_lines_from_bytes(const char *data, size_t len, size_t *n);
/* Frees a packed array (n is kept for the callers' symmetry). */
void hk_patch_lines_free_array(struct hk_patch_line *v, size_t n);
/* Splits bytes into borrowed lines; the last one without "\n" gets noeol. */
void hk_patch_lines_split(struct lines *l, const char *data, size_t len);
/* Joins lines back into bytes; noeol counts only on the last line. */
char *hk_patch_lines_join(const struct hk_patch_line *v, size_t n, size_t *len);
int hk_patch_line_eq(const struct hk_patch_line *a, const struct hk_patch_line *b);
/* Equal once trailing whitespace (and \r) is ignored; with lead, leading too. */
int hk_patch_line_eq_loose(const struct hk_patch_line *a, const struct hk_patch_line *b, int lead);
int hk_patch_is_binary(const char *data, size_t len);
/* A name as sentences show it: control bytes (a "\r" a CRLF channel left)
 * written out as git quotes them, so a message says what the name really is. */
char *hk_patch_shown_name(const char *name);
/* A minimal diff of a and b as context/del/add lines. */
void hk_patch_diff_lines(const struct hk_patch_line *a, size_t na, const struct hk_patch_line *b,
                size_t nb, struct lines *out);

/* A parsed patch, before it meets the files. */
struct spec_hunk {
    int old_start, old_count, new_start, new_count;
    int numbered; /* the header carried line numbers */
    int at_eof;   /* "*** End of File" */
    int heading;  /* the anchor is a unified header's section heading ("@@ @@ f()") */
    char **anchors;
    size_t nanchors;
    struct lines lines;
    int lineno;
};

struct spec_file {
    char *old_path, *new_path; /* NULL for /dev/null */
    int is_new, is_delete, is_rename, is_copy, binary;
    unsigned old_mode, new_mode;
    struct spec_hunk *hunks;
    size_t nhunks;
    int lineno;
};

struct spec {
    struct spec_file *files;
    size_t nfiles;
    char *buf; /* the patch's lines, NUL-terminated; hunk lines point into it */
};

int hk_patch_spec_parse(const char *text, int strip, struct spec *out, char **err);
void hk_patch_spec_reverse(struct spec *s);
void hk_patch_spec_free(struct spec *s);

/* The old ranges [pos, pos + nold) of a file's placed hunks, sorted, so that a
 * hunk is checked against its neighbours only. */
struct range {
    size_t a, b;
};
struct placed {
    struct range *v;
    size_t n;
    int linear; /* the ranges nest unlike located hunks: scan every hunk instead */
};
void hk_patch_placed_init(struct placed *pl, const struct hk_patch_file *f);
void hk_patch_placed_free(struct placed *pl);

/* Locates a parsed hunk in the original lines of f, filling h (lines, pos, result);
 * placed hunks of f (pl, which a success extends) are not overlapped. Returns 0,
 * or -1 with h->reason set. */
int hk_patch_locate_hunk(struct hk_patch_file *f, struct placed *pl, const struct spec_hunk *sh, int fuzz,
                int *last_off, size_t *cursor, struct hk_hunk *h);
/* Builds the hunks of an edit_file call on f's original lines. */
int hk_patch_locate_edit(struct hk_patch_file *f, const char *old_s, const char *new_s, int replace_all,
                char **err);
/* Splits a diff of f's original against new lines into hunks with 3 lines of context. */
void hk_patch_hunks_from_diff(struct hk_patch_file *f, const struct hk_patch_line *b, size_t nb);
/* Appends "\r" to added lines when the original file uses CRLF. */
void hk_patch_hunk_fix_eol(const struct hk_patch_file *f, struct hk_hunk *h);

/* patch.c internals used by patch_json.c */
struct hk_proposal *hk_patch_proposal_new(const char *root, const char *id, enum hk_patch_kind kind);
struct hk_patch_file *hk_patch_proposal_add_file(struct hk_proposal *p, const char *path);
int hk_patch_file_load(struct hk_proposal *p, struct hk_patch_file *f, char **err);
int hk_patch_proposal_sync(struct hk_proposal *p, char **err);
int hk_patch_file_in_effect(const struct hk_patch_file *f);
/* The file's bytes from its original and its hunks' states (sets the new-side numbers). */
char *hk_patch_file_build(const struct hk_patch_file *f, size_t *len);

#endif
