/* honk review of a patch file, carried out without the cockpit: a patch that
 * is already applied is said so (no .rej, no hunk called rejected), and every
 * .rej it writes passes `git apply --check` against the tree it describes. */
#include "check.h"
#include "patch_fixture.h"
#include "review.h"

static const char calc[] = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n";

static const char two[] =
    "--- a/calc.txt\n+++ b/calc.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
    "@@ -11,3 +11,4 @@\n k\n-l\n+L\n+L2\n m\n";

/* Reviews patch in d, approving (or rejecting) hunk by hunk as verdicts says. */
static char *review(const char *d, const char *patch, const enum hk_verdict *verdicts, size_t n,
                    char **err)
{
    char *path = hk_xasprintf("%s/fix.patch", d);
    fx_put(d, "fix.patch", patch);
    struct hk_review *r = NULL;
    char *report = NULL;
    *err = NULL;
    if (hk_review_patch(d, path, &r, err) == 0) {
        for (size_t i = 0; i < n; i++) {
            char *e = NULL;
            hk_review_decide(r, (int)i, verdicts[i], NULL, &e);
            free(e);
        }
        hk_review_finish(r, &report, err);
    }
    hk_review_free(r);
    free(path);
    return report;
}

/* git apply --check of d's file rej, run in d: 0 when it applies there. */
static int git_check(const char *d, const char *rej)
{
    char *cmd = hk_xasprintf("cd '%s' && git apply --check '%s' 2>&1", d, rej);
    int rc = system(cmd);
    free(cmd);
    return rc;
}

TEST(rereview_of_an_applied_patch_says_already_applied)
{
    char *d = fx_tmpdir(), *err = NULL;
    fx_put(d, "calc.txt", calc);
    enum hk_verdict yes[] = {HK_VERDICT_APPROVE, HK_VERDICT_APPROVE};
    char *r1 = review(d, two, yes, 2, &err);
    CHECK(r1 && strcmp(r1, "honk: 2 hunks applied") == 0, "%s %s", r1, err);
    char *after = fx_get(d, "calc.txt");
    free(err);
    /* the same patch again: nothing to apply, nothing rejected, no .rej */
    char *r2 = review(d, two, yes, 2, &err);
    CHECK(r2 && strstr(r2, "0 hunks applied; 2 were already applied"), "%s %s", r2, err);
    CHECK(r2 && !strstr(r2, ".rej"), "no .rej mentioned: %s", r2);
    CHECK(!fx_exists(d, "fix.patch.rej"), "no .rej written");
    CHECK(fx_is(d, "calc.txt", after), "file unchanged");
    free(r1), free(r2), free(after), free(err);
    fx_rmtree(d);
}

TEST(review_rej_passes_git_apply_check)
{
    char *d = fx_tmpdir(), *err = NULL;
    fx_put(d, "calc.txt", calc);
    fx_put(d, "old.txt", "moved\n");
    /* hunk 1 approved; hunk 2, the rename and the new file rejected */
    const char *patch = "--- a/calc.txt\n+++ b/calc.txt\n@@ -1,3 +1,4 @@\n a\n+A2\n b\n c\n"
                        "@@ -11,3 +12,4 @@\n k\n-l\n+L\n+L2\n m\n"
                        "diff --git a/old.txt b/new.txt\nsimilarity index 100%\n"
                        "rename from old.txt\nrename to new.txt\n"
                        "diff --git a/added.txt b/added.txt\nnew file mode 100644\n"
                        "--- /dev/null\n+++ b/added.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n";
    enum hk_verdict v[] = {HK_VERDICT_APPROVE, HK_VERDICT_REJECT, HK_VERDICT_REJECT,
                           HK_VERDICT_REJECT};
    char *r = review(d, patch, v, 4, &err);
    CHECK(r && strstr(r, "1 hunk applied; 3 written to"), "%s %s", r, err);
    char *rej = fx_get(d, "fix.patch.rej");
    CHECK(rej && !strstr(rej, "+0,0"), "no corrupt header:\n%s", rej);
    CHECK(git_check(d, "fix.patch.rej") == 0, "git apply --check passes:\n%s", rej);
    free(r), free(rej), free(err);
    fx_rmtree(d);
}

TEST(review_rej_of_a_hunk_that_does_not_apply_is_well_formed)
{
    char *d = fx_tmpdir(), *err = NULL;
    fx_put(d, "calc.txt", calc);
    const char *patch = "--- a/calc.txt\n+++ b/calc.txt\n@@ -5,3 +5,3 @@\n x\n-y\n+Y\n z\n";
    enum hk_verdict v[] = {HK_VERDICT_REJECT};
    char *r = review(d, patch, v, 1, &err);
    char *rej = fx_get(d, "fix.patch.rej");
    CHECK(rej && strstr(rej, "@@ -5,3 +5,3 @@\n x\n-y\n+Y\n z\n"), "counted header:\n%s", rej);
    char *cmd = hk_xasprintf("cd '%s' && git apply --stat fix.patch.rej >/dev/null 2>&1", d);
    CHECK(system(cmd) == 0, "git reads it:\n%s", rej);
    free(cmd), free(r), free(rej), free(err);
    fx_rmtree(d);
}

TEST(approve_all_leaves_already_applied_hunks_undecided)
{
    char *d = fx_tmpdir(), *err = NULL, *report = NULL;
    fx_put(d, "calc.txt", calc);
    fx_put(d, "fix.patch", two);
    char *path = hk_xasprintf("%s/fix.patch", d);
    struct hk_review *r = NULL;
    CHECK(hk_review_patch(d, path, &r, &err) == 0, "%s", err);
    hk_review_decide(r, 0, HK_VERDICT_APPROVE, NULL, &err);
    free(err);
    hk_review_finish(r, &report, &err); /* hunk 1 applied, hunk 2 to the .rej */
    hk_review_free(r);
    free(report), free(err);
    CHECK(hk_review_patch(d, path, &r, &err) == 0, "%s", err);
    CHECK(hk_review_decide(r, -1, HK_VERDICT_APPROVE, NULL, &err) >= 0, "%s", err);
    CHECK(hk_review_state(r, 0) == HK_HUNK_PENDING, "the applied hunk is not called decided");
    CHECK(hk_review_state(r, 1) == HK_HUNK_APPROVED, "the other is approved");
    free(err);
    CHECK(hk_review_finish(r, &report, &err) == 0, "%s", err);
    CHECK(report && strcmp(report, "honk: 1 hunk applied; 1 was already applied (left as it is)") == 0,
          "%s", report);
    hk_review_free(r);
    free(report), free(err), free(path);
    fx_rmtree(d);
}
