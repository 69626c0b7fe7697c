/* A proposal rebuilt from its journalled state (hk_patch_to_json, then
 * hk_patch_from_json, as resume does) restores every byte when rejected, as
 * the proposal that made the change would: a rename's new name and the
 * directories it made go (fuzz findings of tests/fuzz/fuzz_patch.c). */
#include "check.h"
#include "patch_fixture.h"

static struct hk_proposal *rebuilt(struct hk_proposal *p, const char *root)
{
    cJSON *j = hk_patch_to_json(p);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    cJSON *back = cJSON_Parse(text);
    struct hk_proposal *q = NULL;
    char *err = NULL;
    CHECK(hk_patch_from_json(back, root, &q, &err) == 0, "rebuild: %s", err ? err : "");
    free(err);
    cJSON_Delete(back);
    free(text);
    hk_patch_free(p);
    return q;
}

TEST(rebuilt_rename_rejected_restores_the_old_name)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p;
    fx_put(d, "ren.txt", "r1\nr2\nr3\n");
    int rc = fx_apply(d, "diff --git a/ren.txt b/moved/deep/ren.txt\nrename from ren.txt\n"
                         "rename to moved/deep/ren.txt\n--- a/ren.txt\n+++ b/moved/deep/ren.txt\n"
                         "@@ -1,3 +1,3 @@\n r1\n-r2\n+R2\n r3\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d %s", rc, err ? err : "");
    struct hk_proposal *q = rebuilt(p, d);
    if (q) {
        CHECK(hk_patch_reject_all(q, &err) == 0, "%s", err ? err : "");
        CHECK(fx_is(d, "ren.txt", "r1\nr2\nr3\n"), "the old name is back");
        CHECK(!fx_exists(d, "moved/deep/ren.txt"), "the new name is gone");
        CHECK(!fx_exists(d, "moved"), "the directories the rename made are gone");
    }
    free(err);
    hk_patch_free(q);
    fx_rmtree(d);
}

TEST(rebuilt_new_file_rejected_leaves_no_directory)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p;
    int rc = fx_apply(d, "--- /dev/null\n+++ b/made/here/new.txt\n@@ -0,0 +1 @@\n+new\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d %s", rc, err ? err : "");
    struct hk_proposal *q = rebuilt(p, d);
    if (q) {
        CHECK(hk_patch_reject_all(q, &err) == 0, "%s", err ? err : "");
        CHECK(!fx_exists(d, "made"), "the directories the new file needed are gone");
    }
    free(err);
    hk_patch_free(q);
    fx_rmtree(d);
}

static char *state_of(const struct hk_proposal *p)
{
    cJSON *j = hk_patch_to_json(p);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}

/* A file that could not be read keeps what the journal says of it. */
TEST(rebuilt_state_of_an_unread_file_is_the_same)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p;
    fx_put(d, "a.txt", "a\n");
    int rc = fx_apply(d, "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+A\n"
                         "--- a/missing.txt\n+++ b/missing.txt\n@@ -1 +1 @@\n-x\n+y\n", 1, &p, &err);
    CHECK(rc == 1, "rc %d %s", rc, err ? err : "");
    free(err);
    char *before = state_of(p);
    struct hk_proposal *q = rebuilt(p, d);
    if (q) {
        char *after = state_of(q);
        CHECK_STR(after, before);
        free(after);
    }
    free(before);
    hk_patch_free(q);
    fx_rmtree(d);
}

/* One hunk fits, one does not: nothing is written. Its journalled state
 * rebuilds against the untouched file instead of finding it changed. */
TEST(rebuilt_unwritten_proposal_finds_its_file_unchanged)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p;
    fx_put(d, "g", "one\ntwo\nthree\n");
    int rc = fx_apply(d, "--- a/g\n+++ b/g\n@@ -1,3 +1,2 @@\n one\n-two\n three\n"
                         "@@ -9,2 +9,2 @@\n nine\n-ten\n+TEN\n", 0, &p, &err);
    CHECK(rc == 1 && !p->written, "rc %d written %d", rc, p ? p->written : -1);
    free(err);
    struct hk_proposal *q = rebuilt(p, d);
    CHECK(q && !q->written, "rebuilt");
    CHECK(fx_is(d, "g", "one\ntwo\nthree\n"), "untouched");
    hk_patch_free(q);
    fx_rmtree(d);
}
