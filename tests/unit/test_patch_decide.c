/* Decisions on applied proposals: hunk rejects, whole rejects byte for byte,
 * edited hunks, undo, and rebuilding a proposal from its JSON. */
#include "check.h"
#include "patch_fixture.h"

/* Two changes far apart in one file: two hunks. */
static const char *two_hunks =
    "--- a/n.txt\n+++ b/n.txt\n@@ -2,3 +2,3 @@\n line 2\n-line 3\n+THREE\n line 4\n"
    "@@ -30,3 +30,3 @@\n line 30\n-line 31\n+THIRTY-ONE\n line 32\n";

static char *replaced(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    return hk_xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

TEST(reject_one_hunk_keeps_the_other)
{
    char *d = fx_tmpdir(), *err = NULL, *nums = fx_numbers(1, 40);
    struct hk_proposal *p;
    fx_put(d, "n.txt", nums);
    CHECK(fx_apply(d, two_hunks, 0, &p, &err) == 0, "%s", err);
    CHECK(hk_patch_reject(p, 0, 0, &err) == 0, "%s", err);
    char *want = replaced(nums, "line 31\n", "THIRTY-ONE\n");
    CHECK(fx_is(d, "n.txt", want), "only hunk 2 stays");
    CHECK(p->files[0].hunks[0].state == HK_HUNK_REJECTED &&
          p->files[0].hunks[1].state == HK_HUNK_PENDING, "states");
    CHECK(hk_patch_approve(p, 0, 1, &err) == 0, "%s", err);
    CHECK(fx_is(d, "n.txt", want), "approve changes nothing");
    /* undo the approval, then the rejection: both pending and applied again */
    CHECK(hk_patch_undo(p, &err) == 0 && p->files[0].hunks[1].state == HK_HUNK_PENDING, "undo");
    CHECK(hk_patch_undo(p, &err) == 0 && p->files[0].hunks[0].state == HK_HUNK_PENDING, "undo");
    char *both = replaced(want, "line 3\n", "THREE\n");
    CHECK(fx_is(d, "n.txt", both), "hunk 1 back");
    CHECK(hk_patch_undo(p, &err) == -1 && err, "nothing left to undo");
    free(err);
    free(both);
    free(want);
    free(nums);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(reject_all_restores_every_byte)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p;
    const char *m = "keep\r\nme\r\nexactly", *del = "bye\n", *ren = "r1\nr2\nr3\n";
    fx_put(d, "m.txt", m);
    fx_put(d, "del.txt", del);
    fx_put(d, "ren.txt", ren);
    char *mp = hk_xasprintf("%s/m.txt", d);
    chmod(mp, 0750);
    int rc = fx_apply(d, "--- a/m.txt\n+++ b/m.txt\n@@ -1,3 +1,3 @@\n keep\n-me\n+you\n exactly\n"
                         "\\ No newline at end of file\n"
                         "--- a/del.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n"
                         "--- /dev/null\n+++ b/made/deep/new.txt\n@@ -0,0 +1 @@\n+new\n"
                         "diff --git a/ren.txt b/moved/ren.txt\nrename from ren.txt\n"
                         "rename to moved/ren.txt\n--- a/ren.txt\n+++ b/moved/ren.txt\n"
                         "@@ -1,3 +1,3 @@\n r1\n-r2\n+R2\n r3\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d %s", rc, err);
    CHECK(fx_is(d, "m.txt", "keep\r\nyou\r\nexactly"), "applied");
    CHECK(hk_patch_reject_all(p, &err) == 0, "%s", err);
    CHECK(fx_is(d, "m.txt", m) && fx_mode(d, "m.txt") == 0750, "m restored");
    CHECK(fx_is(d, "del.txt", del), "deleted file recreated");
    CHECK(fx_is(d, "ren.txt", ren) && !fx_exists(d, "moved/ren.txt"), "rename undone");
    CHECK(!fx_exists(d, "made/deep/new.txt") && !fx_exists(d, "made"), "created file and dirs gone");
    CHECK(!fx_exists(d, "moved"), "rename's directory gone");
    /* undo brings the whole proposal back */
    CHECK(hk_patch_undo(p, &err) == 0, "%s", err);
    CHECK(fx_is(d, "made/deep/new.txt", "new\n") && !fx_exists(d, "del.txt") &&
          fx_is(d, "moved/ren.txt", "r1\nR2\nr3\n"), "redone");
    free(mp);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(edited_hunk)
{
    char *d = fx_tmpdir(), *err = NULL, *nums = fx_numbers(1, 40);
    struct hk_proposal *p;
    fx_put(d, "n.txt", nums);
    CHECK(fx_apply(d, two_hunks, 0, &p, &err) == 0, "%s", err);
    CHECK(hk_patch_edit_hunk(p, 0, 0, "line 2\nthree, edited\nline 4\n", &err) == 0, "%s", err);
    CHECK(p->files[0].hunks[0].state == HK_HUNK_EDITED, "state");
    char *a = replaced(nums, "line 3\n", "three, edited\n");
    char *b = replaced(a, "line 31\n", "THIRTY-ONE\n");
    CHECK(fx_is(d, "n.txt", b), "edited text on disk");
    CHECK(hk_patch_reject(p, 0, 0, &err) == 0, "%s", err);
    char *c = replaced(nums, "line 31\n", "THIRTY-ONE\n");
    CHECK(fx_is(d, "n.txt", c), "edited hunk rejected exactly");
    CHECK(hk_patch_undo(p, &err) == 0 && hk_patch_undo(p, &err) == 0, "undo twice");
    char *orig = replaced(a, "three, edited\n", "THREE\n");
    char *both = replaced(orig, "line 31\n", "THIRTY-ONE\n");
    CHECK(fx_is(d, "n.txt", both), "edit undone");
    CHECK(p->files[0].hunks[0].state == HK_HUNK_PENDING, "pending again");
    free(a), free(b), free(c), free(orig), free(both), free(nums);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(failed_hunk_cannot_be_approved)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p;
    fx_put(d, "a", "a\n");
    fx_put(d, "b", "b\n");
    int rc = fx_apply(d, "--- a/a\n+++ b/a\n@@ -1 +1 @@\n-a\n+A\n--- a/b\n+++ b/b\n@@ -1 +1 @@\n"
                         "-zzz\n+B\n", 1, &p, &err);
    CHECK(rc == 1, "rc %d", rc);
    free(err);
    err = NULL;
    CHECK(hk_patch_approve(p, 1, 0, &err) == -1 && err && strstr(err, "cannot be approved"),
          "%s", err);
    free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(serialize_and_rebuild)
{
    char *d = fx_tmpdir(), *err = NULL, *nums = fx_numbers(1, 40);
    struct hk_proposal *p, *q;
    fx_put(d, "n.txt", nums);
    fx_put(d, "gone.txt", "x\ny");
    char *patch = hk_xasprintf("%s--- a/gone.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-x\n-y\n"
                               "\\ No newline at end of file\n"
                               "--- /dev/null\n+++ b/add.txt\n@@ -0,0 +1 @@\n+added\n", two_hunks);
    CHECK(fx_apply(d, patch, 0, &p, &err) == 0, "%s", err);
    CHECK(hk_patch_reject(p, 0, 0, &err) == 0, "%s", err);
    CHECK(hk_patch_edit_hunk(p, 0, 1, "line 30\nedited 31\nline 32\n", &err) == 0, "%s", err);
    cJSON *j = hk_patch_to_json(p);
    char *s1 = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    cJSON *back = cJSON_Parse(s1);
    CHECK(hk_patch_from_json(back, d, &q, &err) == 0, "%s", err);
    cJSON_Delete(back);
    j = hk_patch_to_json(q);
    char *s2 = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    CHECK(strcmp(s1, s2) == 0, "same JSON after rebuild\n%s\n%s", s1, s2);
    CHECK(q->nfiles == 3 && q->files[0].nhunks == 2 && q->files[0].hunks[1].state == HK_HUNK_EDITED,
          "same hunks");
    /* the rebuilt proposal knows the originals: rejecting restores them */
    CHECK(hk_patch_reject_all(q, &err) == 0, "%s", err);
    CHECK(fx_is(d, "n.txt", nums) && fx_is(d, "gone.txt", "x\ny") && !fx_exists(d, "add.txt"),
          "originals restored from a rebuilt proposal");
    free(s1), free(s2), free(patch), free(nums);
    hk_patch_free(p);
    hk_patch_free(q);
    fx_rmtree(d);
}

TEST(rebuild_refuses_changed_file)
{
    char *d = fx_tmpdir(), *err = NULL, *nums = fx_numbers(1, 40);
    struct hk_proposal *p, *q;
    fx_put(d, "n.txt", nums);
    CHECK(fx_apply(d, two_hunks, 0, &p, &err) == 0, "%s", err);
    cJSON *j = hk_patch_to_json(p);
    fx_put(d, "n.txt", "someone else wrote this\n");
    CHECK(hk_patch_from_json(j, d, &q, &err) == -1, "refused");
    CHECK(err && strstr(err, "'n.txt' changed since proposal "), "%s", err);
    free(err);
    cJSON_Delete(j);
    free(nums);
    hk_patch_free(p);
    fx_rmtree(d);
}

static char *report_of(const char *d, const char *patch, int partial, int dry_run, int approve,
                       int *rc)
{
    struct hk_patch_opts o;
    hk_patch_opts_init(&o);
    o.partial = partial, o.dry_run = dry_run, o.approve = approve;
    struct hk_proposal *p = NULL;
    char *err = NULL;
    *rc = hk_patch_apply_text(d, NULL, patch, &o, &p, &err);
    char *r = p ? hk_patch_report(p) : hk_xstrdup("");
    free(err);
    hk_patch_free(p);
    return r;
}

/* "applied" only for what is in the files and approved: the words say the state. */
TEST(words_say_the_state)
{
    char *d = fx_tmpdir(), *err = NULL, *nums = fx_numbers(1, 40);
    int rc;
    fx_put(d, "n.txt", nums);
    char *bad = hk_xasprintf("%s@@ -35,1 +35,1 @@\n-nothing\n+here\n", two_hunks);
    char *r = report_of(d, two_hunks, 0, 1, 1, &rc);
    CHECK_STR(r, "n.txt: hunk 1 fits\nn.txt: hunk 2 fits\n");
    free(r);
    r = report_of(d, bad, 0, 0, 1, &rc);
    CHECK(rc == 1 && fx_is(d, "n.txt", nums), "all or nothing changed nothing");
    CHECK_STR(r, "n.txt: hunk 1 fits\nn.txt: hunk 2 fits\n"
                 "n.txt: hunk 3 rejected: context not found near line 35\n");
    free(r);
    r = report_of(d, bad, 1, 0, 1, &rc);
    CHECK_STR(r, "n.txt: hunk 1 applied\nn.txt: hunk 2 applied\n"
                 "n.txt: hunk 3 rejected: context not found near line 35\n");
    free(r);
    fx_put(d, "n.txt", nums);
    struct hk_proposal *p;
    CHECK(fx_apply(d, two_hunks, 0, &p, &err) == 0, "%s", err);
    r = hk_patch_report(p);
    CHECK_STR(r, "n.txt: hunk 1 pending\nn.txt: hunk 2 pending\n");
    free(r);
    CHECK(hk_patch_reject(p, 0, 0, &err) == 0 && hk_patch_approve(p, 0, 1, &err) == 0, "%s", err);
    r = hk_patch_report(p);
    CHECK_STR(r, "n.txt: hunk 1 rejected\nn.txt: hunk 2 applied\n");
    free(r);
    CHECK(strcmp(hk_hunk_word_name(HK_WORD_ALREADY_APPLIED), "already applied") == 0, "names");
    free(bad), free(nums), free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(json_carries_the_state_word)
{
    char *d = fx_tmpdir(), *err = NULL, *nums = fx_numbers(1, 40);
    struct hk_proposal *p;
    fx_put(d, "n.txt", nums);
    CHECK(fx_apply(d, two_hunks, 0, &p, &err) == 0, "%s", err);
    CHECK(hk_patch_approve(p, 0, 1, &err) == 0, "%s", err);
    cJSON *j = hk_patch_to_json(p);
    const cJSON *hs = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "files"), 0),
                                          "hunks");
    const char *w0 = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(hs, 0), "word"));
    const char *w1 = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(hs, 1), "word"));
    CHECK(w0 && strcmp(w0, "pending") == 0 && w1 && strcmp(w1, "applied") == 0, "%s %s", w0, w1);
    cJSON_Delete(j);
    free(nums), free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}
