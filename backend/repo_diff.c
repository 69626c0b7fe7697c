/* Turns a libgit2 diff into honk's plain model (files, hunks, lines and
 * intra-line word spans) held in a few flat arrays and a text arena. */
#include "repo_internal.h"
#include "repo_words.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"


struct block {
    struct block *next;
    size_t used, size;
    char data[];
};

struct diff_impl {
    struct hk_diff pub;
    struct hk_diff_hunk *hunks;
    size_t nhunks, caphunks;
    size_t *file_hunk; /* first hunk of each file, while building */
    size_t capfiles;
    struct hk_diff_line *lines;
    size_t nlines, caplines;
    size_t *hunk_line; /* first line of each hunk, while building */
    struct hk_diff_span *spans;
    size_t nspans, capspans;
    size_t *line_span; /* first span of each line, while building */
    struct block *text;
};

#define GROW(arr, n, cap)                                              \
    do {                                                               \
        if ((n) == (cap)) {                                            \
            (cap) = (cap) ? (cap) * 2 : 64;                            \
            (arr) = hk_xrealloc((arr), (cap) * sizeof *(arr));         \
        }                                                              \
    } while (0)

/* Copies n bytes plus a NUL into the arena; blocks never move. */
static const char *intern(struct diff_impl *d, const char *s, size_t n)
{
    struct block *b = d->text;
    if (!b || b->size - b->used < n + 1) {
        size_t size = n + 1 > 65536 ? n + 1 : 65536;
        b = hk_xmalloc(sizeof *b + size);
        b->size = size;
        b->used = 0;
        b->next = d->text;
        d->text = b;
    }
    char *p = b->data + b->used;
    memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

static int map_status(git_delta_t s, enum hk_diff_status *out)
{
    switch (s) {
    case GIT_DELTA_ADDED:
    case GIT_DELTA_UNTRACKED: *out = HK_DIFF_ADDED; return 1;
    case GIT_DELTA_DELETED: *out = HK_DIFF_DELETED; return 1;
    case GIT_DELTA_MODIFIED: *out = HK_DIFF_MODIFIED; return 1;
    case GIT_DELTA_RENAMED: *out = HK_DIFF_RENAMED; return 1;
    case GIT_DELTA_COPIED: *out = HK_DIFF_COPIED; return 1;
    case GIT_DELTA_TYPECHANGE: *out = HK_DIFF_TYPECHANGE; return 1;
    default: return 0;
    }
}

static size_t strip_nl(const char *s, size_t n)
{
    return n && s[n - 1] == '\n' ? n - 1 : n;
}

static void add_line(struct diff_impl *d, const git_diff_line *l)
{
    static const char marker[] = "\\ No newline at end of file";
    GROW(d->lines, d->nlines, d->caplines);
    struct hk_diff_line *out = &d->lines[d->nlines++];
    memset(out, 0, sizeof *out);
    out->old_lineno = l->old_lineno;
    out->new_lineno = l->new_lineno;
    out->pair = -1;
    switch (l->origin) {
    case GIT_DIFF_LINE_ADDITION: out->kind = HK_DIFF_LINE_ADD; break;
    case GIT_DIFF_LINE_DELETION: out->kind = HK_DIFF_LINE_DELETE; break;
    case GIT_DIFF_LINE_CONTEXT: out->kind = HK_DIFF_LINE_CONTEXT; break;
    default:
        out->kind = HK_DIFF_LINE_NO_NEWLINE;
        out->old_lineno = out->new_lineno = -1;
        out->content = marker;
        out->len = sizeof marker - 1;
        return;
    }
    size_t n = strip_nl(l->content, l->content_len);
    out->content = intern(d, l->content, n);
    out->len = (unsigned)n;
}

static void add_hunk(struct diff_impl *d, git_patch *patch, size_t h)
{
    const git_diff_hunk *gh;
    size_t nl;
    if (git_patch_get_hunk(&gh, &nl, patch, h) < 0)
        return;
    if (d->nhunks == d->caphunks) {
        d->caphunks = d->caphunks ? d->caphunks * 2 : 64;
        d->hunks = hk_xrealloc(d->hunks, d->caphunks * sizeof *d->hunks);
        d->hunk_line = hk_xrealloc(d->hunk_line, d->caphunks * sizeof *d->hunk_line);
    }
    struct hk_diff_hunk *out = &d->hunks[d->nhunks];
    d->hunk_line[d->nhunks++] = d->nlines;
    memset(out, 0, sizeof *out);
    out->old_start = gh->old_start;
    out->old_lines = gh->old_lines;
    out->new_start = gh->new_start;
    out->new_lines = gh->new_lines;
    out->header = intern(d, gh->header, strip_nl(gh->header, gh->header_len));
    for (size_t i = 0; i < nl; i++) {
        const git_diff_line *l;
        if (git_patch_get_line_in_hunk(&l, patch, h, i) == 0)
            add_line(d, l);
    }
    out->nlines = d->nlines - d->hunk_line[d->nhunks - 1];
}

static void add_file(struct diff_impl *d, git_patch *patch)
{
    const git_diff_delta *delta = git_patch_get_delta(patch);
    enum hk_diff_status status;
    if (!map_status(delta->status, &status))
        return;
    if (d->pub.nfiles == d->capfiles) {
        d->capfiles = d->capfiles ? d->capfiles * 2 : 16;
        d->pub.files = hk_xrealloc(d->pub.files, d->capfiles * sizeof *d->pub.files);
        d->file_hunk = hk_xrealloc(d->file_hunk, d->capfiles * sizeof *d->file_hunk);
    }
    struct hk_diff_file *f = &d->pub.files[d->pub.nfiles];
    d->file_hunk[d->pub.nfiles++] = d->nhunks;
    memset(f, 0, sizeof *f);
    f->status = status;
    f->old_path = intern(d, delta->old_file.path, strlen(delta->old_file.path));
    f->new_path = intern(d, delta->new_file.path, strlen(delta->new_file.path));
    f->old_mode = status == HK_DIFF_ADDED ? 0 : delta->old_file.mode;
    f->new_mode = status == HK_DIFF_DELETED ? 0 : delta->new_file.mode;
    f->binary = (delta->flags & GIT_DIFF_FLAG_BINARY) != 0;
    size_t ctx, add, del;
    if (git_patch_line_stats(&ctx, &add, &del, patch) == 0) {
        f->added = add;
        f->deleted = del;
    }
    size_t nh = git_patch_num_hunks(patch);
    for (size_t h = 0; h < nh; h++)
        add_hunk(d, patch, h);
    f->nhunks = d->nhunks - d->file_hunk[d->pub.nfiles - 1];
}

static void pair_spans(struct diff_impl *d, struct words_scratch *w, size_t del, size_t add)
{
    struct hk_diff_span sa[HK_DIFF_MAX_SPANS], sb[HK_DIFF_MAX_SPANS];
    unsigned na, nb;
    struct hk_diff_line *a = &d->lines[del], *b = &d->lines[add];
    hk_words_diff(w, a->content, a->len, b->content, b->len, sa, &na, sb, &nb, HK_DIFF_MAX_SPANS);
    if (!na && !nb)
        return;
    while (d->nspans + na + nb > d->capspans) {
        d->capspans = d->capspans ? d->capspans * 2 : 256;
        d->spans = hk_xrealloc(d->spans, d->capspans * sizeof *d->spans);
    }
    d->line_span[del] = d->nspans;
    a->nspans = na;
    memcpy(d->spans + d->nspans, sa, na * sizeof *sa);
    d->nspans += na;
    d->line_span[add] = d->nspans;
    b->nspans = nb;
    memcpy(d->spans + d->nspans, sb, nb * sizeof *sb);
    d->nspans += nb;
}

/* Each hunk's pairs (hk_diff_pair_lines) and their word spans. */
static void compute_spans(struct diff_impl *d)
{
    struct words_scratch w = {0};
    int *pair = NULL;
    size_t cap = 0;
    d->line_span = hk_xcalloc(d->nlines ? d->nlines : 1, sizeof *d->line_span);
    for (size_t h = 0; h < d->nhunks; h++) {
        size_t first = d->hunk_line[h], n = d->hunks[h].nlines;
        if (n > cap)
            pair = hk_xrealloc(pair, (cap = n) * sizeof *pair);
        hk_diff_pair_lines(d->lines + first, (int)n, pair);
        for (size_t i = 0; i < n; i++) {
            d->lines[first + i].pair = pair[i];
            if (d->lines[first + i].kind == HK_DIFF_LINE_DELETE && pair[i] >= 0)
                pair_spans(d, &w, first + i, first + (size_t)pair[i]);
        }
    }
    hk_words_scratch_free(&w);
    free(pair);
}

/* Turns the build-time indexes into the public pointers. */
static void link_model(struct diff_impl *d)
{
    for (size_t i = 0; i < d->pub.nfiles; i++)
        d->pub.files[i].hunks = d->pub.files[i].nhunks ? d->hunks + d->file_hunk[i] : NULL;
    for (size_t h = 0; h < d->nhunks; h++)
        d->hunks[h].lines = d->hunks[h].nlines ? d->lines + d->hunk_line[h] : NULL;
    for (size_t l = 0; l < d->nlines; l++)
        d->lines[l].spans = d->lines[l].nspans ? d->spans + d->line_span[l] : NULL;
    free(d->file_hunk);
    free(d->hunk_line);
    free(d->line_span);
    d->file_hunk = d->hunk_line = d->line_span = NULL;
}

static int build_model(git_diff *gd, struct hk_diff **out, char **err)
{
    git_diff_find_options fo;
    git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
    fo.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_COPIES | GIT_DIFF_FIND_FOR_UNTRACKED;
    if (git_diff_find_similar(gd, &fo) < 0) {
        hk_repo_fail(err, "cannot detect renames");
        return -1;
    }
    struct diff_impl *d = hk_xcalloc(1, sizeof *d);
    size_t n = git_diff_num_deltas(gd);
    for (size_t i = 0; i < n; i++) {
        git_patch *patch = NULL;
        if (git_patch_from_diff(&patch, gd, i) < 0) {
            hk_repo_fail(err, "cannot compute the diff");
            git_patch_free(patch);
            link_model(d);
            hk_diff_free(&d->pub);
            return -1;
        }
        if (patch)
            add_file(d, patch);
        git_patch_free(patch);
    }
    compute_spans(d);
    link_model(d);
    *out = &d->pub;
    return 0;
}

static void diff_options(git_diff_options *o)
{
    git_diff_options_init(o, GIT_DIFF_OPTIONS_VERSION);
    o->flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
               GIT_DIFF_SHOW_UNTRACKED_CONTENT | GIT_DIFF_INCLUDE_TYPECHANGE;
}

static int tree_of(git_repository *git, const char *rev, git_tree **out)
{
    git_object *obj = NULL;
    int rc = git_revparse_single(&obj, git, rev);
    if (rc == 0)
        rc = git_object_peel((git_object **)out, obj, GIT_OBJECT_TREE);
    git_object_free(obj);
    return rc;
}

int hk_diff_task(struct hk_repo *repo, const struct hk_task *task, enum hk_diff_against against,
                 struct hk_diff **out, char **err)
{
    (void)repo;
    *out = NULL;
    git_repository *wt = NULL;
    git_tree *tree = NULL;
    git_diff *gd = NULL;
    git_diff_options o;
    diff_options(&o);
    int rc = -1;
    if (!task->worktree) {
        hk_repo_say(err, "the task has no worktree to compare");
        return -1;
    }
    if (git_repository_open(&wt, task->worktree) < 0 ||
        tree_of(wt, against == HK_DIFF_HEAD ? "HEAD" : task->base_commit, &tree) < 0 ||
        git_diff_tree_to_workdir_with_index(&gd, wt, tree, &o) < 0) {
        hk_repo_fail(err, "cannot compare the task's files");
        goto out;
    }
    rc = build_model(gd, out, err);
out:
    git_diff_free(gd);
    git_tree_free(tree);
    git_repository_free(wt);
    return rc;
}

int hk_diff_revs(struct hk_repo *repo, const char *old_rev, const char *new_rev,
                 struct hk_diff **out, char **err)
{
    *out = NULL;
    git_tree *a = NULL, *b = NULL;
    git_diff *gd = NULL;
    git_diff_options o;
    diff_options(&o);
    int rc = -1;
    if ((old_rev && tree_of(repo->git, old_rev, &a) < 0) || tree_of(repo->git, new_rev, &b) < 0) {
        char *what = hk_xasprintf("cannot compare %s with %s", old_rev ? old_rev : "the empty tree", new_rev);
        hk_repo_fail(err, what);
        free(what);
        goto out;
    }
    if (git_diff_tree_to_tree(&gd, repo->git, a, b, &o) < 0) {
        hk_repo_fail(err, "cannot compute the diff");
        goto out;
    }
    rc = build_model(gd, out, err);
out:
    git_diff_free(gd);
    git_tree_free(a);
    git_tree_free(b);
    return rc;
}

int hk_rev_exists(struct hk_repo *repo, const char *rev)
{
    git_tree *tree = NULL;
    int found = tree_of(repo->git, rev, &tree) == 0;
    git_tree_free(tree);
    git_error_clear();
    return found;
}

int hk_repo_has_commits(struct hk_repo *repo)
{
    git_oid head;
    int found = git_reference_name_to_id(&head, repo->git, "HEAD") == 0;
    git_error_clear();
    return found;
}

void hk_diff_free(struct hk_diff *diff)
{
    if (!diff)
        return;
    struct diff_impl *d = (struct diff_impl *)diff;
    while (d->text) {
        struct block *next = d->text->next;
        free(d->text);
        d->text = next;
    }
    free(d->pub.files);
    free(d->hunks);
    free(d->lines);
    free(d->spans);
    free(d);
}
