/* The Diff pane's views, built from each source the backend has: the same
 * hunk shows the same lines, pairs and word spans whether it comes from a
 * commit (`honk review REV`, the whole change) or a proposal (the model's
 * edits, `honk review PATCH`). */
#include <stdlib.h>

#include "check.h"
#include "diff_sources.h"
#include "repo_fixture.h"
#include "review.h"

/* One deleted line replaced by a new comment and its changed self (its
 * partner is the second added line, not the first), two lines changed in
 * place, and a last line without a newline. */
static const char *before = "a\nb\nc\nint alpha = 1;\nd\ne\nf\ng\nh\ni\nj\nk\nl\n"
                            "first(x, y);\nsecond(x);\nm\nn\no\np\nq\nr\ns\nt\nend(1);";
static const char *after = "a\nb\nc\n// alpha counts from two now\nint alpha = 2;\nd\ne\nf\ng\nh\ni\nj\nk\nl\n"
                           "first(x, z);\nsecond(y);\nm\nn\no\np\nq\nr\ns\nt\nend(2);";

/* "-text pair +2: [changed] [words]": the partner as an offset, or none. */
static char *spans_of(const struct hk_dv_line *l, int k)
{
    struct hk_buf b = {0};
    hk_buf_printf(&b, "%c%.*s pair ", " +-"[l->kind], l->len, l->text);
    if (l->pair >= 0)
        hk_buf_printf(&b, "%+d:", l->pair - k);
    else
        hk_buf_adds(&b, "none:");
    for (int i = 0; i < l->nspans; i++)
        hk_buf_printf(&b, " [%.*s]", l->spans[i].end - l->spans[i].start, l->text + l->spans[i].start);
    return hk_buf_steal(&b);
}

/* Every line of the view, one a line. */
static char *dump(const struct hk_diffview *dv)
{
    struct hk_buf b = {0};
    for (int f = 0; f < dv->nfiles; f++)
        for (int h = 0; h < dv->files[f].nhunks; h++)
            for (int k = 0; k < dv->files[f].hunks[h].nlines; k++) {
                char *s = spans_of(&dv->files[f].hunks[h].lines[k], k);
                hk_buf_printf(&b, "%s\n", s);
                free(s);
            }
    return b.data ? hk_buf_steal(&b) : hk_xstrdup("");
}

TEST(same_hunk_same_word_spans_from_a_commit_and_a_patch)
{
    fx_begin(1);
    char *dir = hk_xasprintf("%s/r", fx_root), *base = hk_xasprintf("%s/base", fx_root);
    sh(GIT " init -q '%s'", dir);
    write_file(dir, "c.txt", before);
    write_file(base, "c.txt", before);
    sh("cd '%s' && " GIT " add -A && " GIT " commit -qm first", dir);
    write_file(dir, "c.txt", after);
    sh("cd '%s' && " GIT " commit -qam second && git diff HEAD~1 HEAD > '%s/change.patch'", dir, fx_root);
    char *patch = hk_xasprintf("%s/change.patch", fx_root), *err = NULL;
    struct hk_repo *repo = NULL;
    struct hk_review *revs = NULL, *file = NULL;
    CHECK(hk_repo_open(&repo, dir, &err) == 0 && hk_review_revs(repo, "HEAD", &revs, &err) == 0, "%s", err);
    CHECK(hk_review_patch(base, patch, &file, &err) == 0, "%s", err);
    if (revs && file && hk_review_proposal(file)) {
        struct hk_diffview *a = hk_diffview_from_diff(hk_review_diff(revs), "review", NULL);
        struct hk_diffview *b = hk_diffview_from_proposal(hk_review_proposal(file), NULL);
        char *da = dump(a), *db = dump(b);
        CHECK_STR(db, da);
        CHECK(strstr(da, "-int alpha = 1; pair +2: [1]\n+// alpha counts from two now pair none:\n"
                         "+int alpha = 2; pair -2: [2]\n") != NULL, "the changed line pairs with its changed self:\n%s", da);
        CHECK(strstr(da, "-end(1); pair +1: [1]\n+end(2); pair -1: [2]") != NULL, "the lines without a newline pair:\n%s", da);
        char *ta = hk_diffview_hunk_new_text(&a->files[0].hunks[0]);
        char *tb = hk_diffview_hunk_new_text(&b->files[0].hunks[0]);
        CHECK_STR(ta, "a\nb\nc\n// alpha counts from two now\nint alpha = 2;\nd\ne\nf\n");
        CHECK_STR(tb, ta);
        free(da), free(db), free(ta), free(tb);
        hk_diffview_free(a);
        hk_diffview_free(b);
    }
    hk_review_free(revs);
    hk_review_free(file);
    hk_repo_close(repo);
    free(err), free(patch), free(dir), free(base);
    fx_end();
}
