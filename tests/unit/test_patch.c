/* apply_patch: unified diffs as git, diff -u and models write them, the
 * *** Begin Patch envelope, and what each hunk reports. */
#include "check.h"
#include "patch_fixture.h"

static char *hunk_line(struct hk_proposal *p, size_t f, size_t h)
{
    return hk_patch_hunk_result(p, &p->files[f].hunks[h]);
}

TEST(exact_git_diff)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "a.txt", "one\ntwo\nthree\n");
    int rc = fx_apply(d, "diff --git a/a.txt b/a.txt\nindex 1..2 100644\n--- a/a.txt\n"
                         "+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "a.txt", "one\nTWO\nthree\n"), "content");
    CHECK(p->files[0].hunks[0].result == HK_HUNK_EXACT, "exact");
    CHECK(p->files[0].status == HK_FILE_MODIFIED, "status");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(offset_reported)
{
    char *d = fx_tmpdir(), *err, *nums = fx_numbers(1, 50);
    struct hk_proposal *p;
    fx_put(d, "n.txt", nums);
    int rc = fx_apply(d, "--- a/n.txt\n+++ b/n.txt\n@@ -17,3 +17,3 @@\n line 20\n-line 21\n"
                         "+line twenty-one\n line 22\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    char *r = hunk_line(p, 0, 0);
    CHECK_STR(r, "pending at offset +3");
    CHECK(p->files[0].hunks[0].offset == 3 && p->files[0].hunks[0].old_start == 20, "offset");
    char *got = fx_get(d, "n.txt");
    CHECK(got && strstr(got, "line 20\nline twenty-one\nline 22\n"), "content");
    free(got);
    free(r);
    free(nums);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(fuzz_drops_edge_context)
{
    char *d = fx_tmpdir(), *err, *nums = fx_numbers(1, 20);
    struct hk_proposal *p;
    fx_put(d, "n.txt", nums);
    /* the first and last context lines are wrong: fuzz 1 drops them */
    int rc = fx_apply(d, "--- n.txt\n+++ n.txt\n@@ -9,5 +9,5 @@\n WRONG\n line 10\n-line 11\n"
                         "+eleven\n line 12\n ALSO WRONG\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    char *r = hunk_line(p, 0, 0);
    CHECK_STR(r, "pending with fuzz 1");
    char *got = fx_get(d, "n.txt");
    CHECK(got && strstr(got, "line 10\neleven\nline 12\nline 13\n"), "content %s", got);
    free(got);
    free(r);
    hk_patch_free(p);
    /* with --fuzz 0 the same hunk fails */
    struct hk_patch_opts o;
    hk_patch_opts_init(&o);
    o.fuzz = 0;
    fx_put(d, "n.txt", nums);
    rc = hk_patch_apply_text(d, NULL, "--- n.txt\n+++ n.txt\n@@ -9,5 +9,5 @@\n WRONG\n"
                             " line 10\n-line 11\n+eleven\n line 12\n ALSO WRONG\n", &o, &p, &err);
    CHECK(rc == 1 && p->files[0].hunks[0].result == HK_HUNK_FAILED, "rc %d", rc);
    r = hunk_line(p, 0, 0);
    CHECK_STR(r, "rejected: context not found near line 9");
    CHECK(fx_is(d, "n.txt", nums), "unchanged");
    free(r);
    free(err);
    free(nums);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(models_patch_without_numbers_or_prefixes)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "src/m.c", "int f(void)\n{\n    return 1;   \n}\n\nint g(void)\n{\n    return 2;\n}\n");
    /* "@@ @@", no a/ b/, trailing blanks stripped, an empty context line with no space */
    int rc = fx_apply(d, "--- src/m.c\n+++ src/m.c\n@@ @@\n {\n     return 1;\n }\n\n"
                         " int g(void)\n {\n-    return 2;\n+    return 3;\n }\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "src/m.c", "int f(void)\n{\n    return 1;   \n}\n\nint g(void)\n{\n"
                              "    return 3;\n}\n"), "content");
    CHECK(p->files[0].hunks[0].whitespace, "whitespace tolerated");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(wrong_counts_still_apply)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "w.txt", "a\nb\nc\nd\n");
    int rc = fx_apply(d, "--- a/w.txt\n+++ b/w.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+B\n c\n+C2\n d\n",
                      0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "w.txt", "a\nB\nc\nC2\nd\n"), "content");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(no_newline_at_end_both_sides)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "x", "a\nb");
    int rc = fx_apply(d, "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
                         "+c\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "x", "a\nc\n"), "newline added");
    hk_patch_free(p);
    rc = fx_apply(d, "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-c\n+d\n\\ No newline at end of file\n",
                  0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "x", "a\nd"), "newline removed");
    hk_patch_free(p);
    rc = fx_apply(d, "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+A\n d\n\\ No newline at end of file\n",
                  0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "x", "A\nd"), "still none");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(crlf_file_keeps_crlf)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "w.bat", "echo 1\r\necho 2\r\necho 3\r\n");
    int rc = fx_apply(d, "--- a/w.bat\n+++ b/w.bat\n@@ -1,3 +1,4 @@\n echo 1\n-echo 2\n+echo two\n"
                         "+echo 2b\n echo 3\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "w.bat", "echo 1\r\necho two\r\necho 2b\r\necho 3\r\n"), "crlf kept");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(binary_refused)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put_bytes(d, "img.bin", "ab\0cd\n", 6);
    int rc = fx_apply(d, "--- a/img.bin\n+++ b/img.bin\n@@ -1 +1 @@\n-ab\n+xy\n", 0, &p, &err);
    CHECK(rc == 1, "rc %d", rc);
    CHECK(p && strstr(p->files[0].hunks[0].reason, "binary file"), "reason %s",
          p ? p->files[0].hunks[0].reason : "");
    free(err);
    hk_patch_free(p);
    rc = fx_apply(d, "diff --git a/i.png b/i.png\nindex 1..2 100644\nGIT binary patch\n"
                     "literal 5\nMcmZ?wbhEWf\n\nliteral 0\nHcmV?d00001\n\n", 0, &p, &err);
    CHECK(rc == 1 && strstr(p->files[0].hunks[0].reason, "binary patch"), "git binary");
    free(err);
    hk_patch_free(p);
    rc = fx_apply(d, "diff --git a/i.png b/i.png\nindex 1..2 100644\n"
                     "Binary files a/i.png and b/i.png differ\n", 0, &p, &err);
    CHECK(rc == 1 && strstr(p->files[0].hunks[0].reason, "binary patch"), "binary differ");
    free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(new_deleted_renamed_files)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "old.txt", "gone\n");
    fx_put(d, "r1.txt", "keep 1\nkeep 2\nkeep 3\n");
    int rc = fx_apply(d,
        "diff --git a/dir/new.txt b/dir/new.txt\nnew file mode 100755\nindex 0..1\n--- /dev/null\n"
        "+++ b/dir/new.txt\n@@ -0,0 +1,2 @@\n+hello\n+world\n"
        "diff --git a/old.txt b/old.txt\ndeleted file mode 100644\nindex 1..0\n--- a/old.txt\n"
        "+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n"
        "diff --git a/r1.txt b/sub/r2.txt\nsimilarity index 80%\nrename from r1.txt\n"
        "rename to sub/r2.txt\n--- a/r1.txt\n+++ b/sub/r2.txt\n@@ -1,3 +1,3 @@\n keep 1\n"
        "-keep 2\n+kept 2\n keep 3\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "dir/new.txt", "hello\nworld\n"), "new");
    CHECK(fx_mode(d, "dir/new.txt") == 0755, "mode %o", fx_mode(d, "dir/new.txt"));
    CHECK(!fx_exists(d, "old.txt"), "deleted");
    CHECK(!fx_exists(d, "r1.txt") && fx_is(d, "sub/r2.txt", "keep 1\nkept 2\nkeep 3\n"), "renamed");
    CHECK(p->files[0].status == HK_FILE_ADDED && p->files[1].status == HK_FILE_DELETED &&
          p->files[2].status == HK_FILE_RENAMED, "statuses");
    CHECK_STR(p->files[2].old_path, "r1.txt");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(pure_rename_and_mode_change)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "s.sh", "echo hi\n");
    fx_put(d, "a", "x\n");
    int rc = fx_apply(d, "diff --git a/s.sh b/s.sh\nold mode 100644\nnew mode 100755\n"
                         "diff --git a/a b/b\nsimilarity index 100%\nrename from a\nrename to b\n",
                      0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_mode(d, "s.sh") == 0755, "mode");
    CHECK(!fx_exists(d, "a") && fx_is(d, "b", "x\n"), "renamed");
    char *rep = hk_patch_report(p);
    CHECK_STR(rep, "s.sh: mode 644 -> 755 pending\nb: rename a -> b pending\n");
    free(rep);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(begin_patch_envelope)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "app.py", "class A:\n    def f(self):\n        return 1\n\nclass B:\n"
                        "    def f(self):\n        return 1\n");
    fx_put(d, "dead.py", "x = 1\n");
    fx_put(d, "mv.py", "a = 1\nb = 2\n");
    int rc = fx_apply(d, "*** Begin Patch\n*** Update File: app.py\n@@ class B:\n"
                         "     def f(self):\n-        return 1\n+        return 2\n"
                         "*** Add File: pkg/new.py\n+print('new')\n"
                         "*** Delete File: dead.py\n"
                         "*** Update File: mv.py\n*** Move to: moved.py\n@@\n a = 1\n-b = 2\n+b = 3\n"
                         "*** End of File\n*** End Patch\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "app.py", "class A:\n    def f(self):\n        return 1\n\nclass B:\n"
                             "    def f(self):\n        return 2\n"), "anchored update");
    CHECK(fx_is(d, "pkg/new.py", "print('new')\n"), "added");
    CHECK(!fx_exists(d, "dead.py"), "deleted");
    CHECK(!fx_exists(d, "mv.py") && fx_is(d, "moved.py", "a = 1\nb = 3\n"), "moved");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(all_or_nothing_and_partial)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    const char *patch = "--- a/a\n+++ b/a\n@@ -1 +1 @@\n-one\n+ONE\n"
                        "--- a/b\n+++ b/b\n@@ -1 +1 @@\n-missing\n+X\n";
    fx_put(d, "a", "one\n");
    fx_put(d, "b", "two\n");
    int rc = fx_apply(d, patch, 0, &p, &err);
    CHECK(rc == 1 && err && strstr(err, "nothing was changed"), "rc %d err %s", rc, err);
    CHECK(fx_is(d, "a", "one\n") && fx_is(d, "b", "two\n"), "nothing written");
    CHECK(p->files[0].hunks[0].result == HK_HUNK_EXACT, "first would apply");
    free(err);
    hk_patch_free(p);
    rc = fx_apply(d, patch, 1, &p, &err);
    CHECK(rc == 1, "rc %d", rc);
    CHECK(fx_is(d, "a", "ONE\n") && fx_is(d, "b", "two\n"), "partial applied");
    char *rep = hk_patch_report(p);
    CHECK_STR(rep, "a: hunk 1 pending\nb: hunk 1 rejected: context not found near line 1\n");
    free(rep);
    free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(malformed_patch_says_where)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p;
    int rc = fx_apply(d, "--- a/x\n+++ b/x\n@@ -1,a +1 @@\n-x\n", 0, &p, &err);
    CHECK(rc == -1 && !p, "rc %d", rc);
    CHECK_STR(err, "malformed patch at line 3: malformed hunk header ('@@ -1,a +1 @@')");
    free(err);
    rc = fx_apply(d, "*** Begin Patch\n*** Update File: x\n@@\n bad\n?oops\n*** End Patch\n", 0,
                  &p, &err);
    CHECK(rc == -1 && err && strstr(err, "line 5: expected a line starting with"), "%s", err);
    free(err);
    rc = fx_apply(d, "just some words\n", 0, &p, &err);
    CHECK(rc == -1 && err && strstr(err, "has no file changes"), "%s", err);
    free(err);
    fx_rmtree(d);
}

TEST(reverse_and_dry_run)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    struct hk_patch_opts o;
    hk_patch_opts_init(&o);
    o.reverse = 1;
    fx_put(d, "a", "ONE\n");
    int rc = hk_patch_apply_text(d, NULL, "--- a/a\n+++ b/a\n@@ -1 +1 @@\n-one\n+ONE\n", &o, &p,
                                 &err);
    CHECK(rc == 0 && fx_is(d, "a", "one\n"), "reversed rc %d", rc);
    hk_patch_free(p);
    o.reverse = 0;
    o.dry_run = 1;
    rc = hk_patch_apply_text(d, NULL, "--- a/a\n+++ b/a\n@@ -1 +1 @@\n-one\n+ONE\n", &o, &p, &err);
    CHECK(rc == 0 && fx_is(d, "a", "one\n"), "dry run changes nothing");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(path_escape_in_patch_is_refused)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    int rc = fx_apply(d, "--- /dev/null\n+++ b/../evil\n@@ -0,0 +1 @@\n+x\n", 0, &p, &err);
    CHECK(rc == 1, "rc %d", rc);
    CHECK_STR(p->files[0].hunks[0].reason, "path '../evil' is outside the worktree");
    free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(two_sections_for_one_file)
{
    char *d = fx_tmpdir(), *err, *nums = fx_numbers(1, 30);
    struct hk_proposal *p;
    fx_put(d, "n.txt", nums);
    int rc = fx_apply(d, "--- a/n.txt\n+++ b/n.txt\n@@ -2,3 +2,3 @@\n line 2\n-line 3\n+THREE\n"
                         " line 4\n--- a/n.txt\n+++ b/n.txt\n@@ -20,3 +20,3 @@\n line 20\n"
                         "-line 21\n+TWENTY-ONE\n line 22\n", 0, &p, &err);
    CHECK(rc == 0 && p->nfiles == 1 && p->files[0].nhunks == 2, "rc %d", rc);
    char *got = fx_get(d, "n.txt");
    CHECK(got && strstr(got, "THREE") && strstr(got, "TWENTY-ONE"), "both kept");
    free(got);
    free(nums);
    hk_patch_free(p);
    fx_rmtree(d);
}

/* The same hunk three times over a block that occurs twice: the second lands on
 * the other copy rather than on the first hunk's lines, the third finds none. */
TEST(hunks_never_overlap_placed_ones)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "r.txt", "a\nx\ny\nz\nb\nc\nd\ne\nf\ng\nx\ny\nz\nh\n");
    const char *h = "@@ -11,3 +11,3 @@\n x\n-y\n+Y\n z\n";
    char *patch = hk_xasprintf("--- a/r.txt\n+++ b/r.txt\n%s%s%s", h, h, h);
    int rc = fx_apply(d, patch, 1, &p, &err);
    CHECK(rc == 1 && p->files[0].nhunks == 3, "rc %d %s", rc, err);
    CHECK(p->files[0].hunks[0].result == HK_HUNK_EXACT, "first exact");
    CHECK(p->files[0].hunks[1].result == HK_HUNK_OFFSET && p->files[0].hunks[1].offset == -9,
          "second moved to the other copy: offset %d", p->files[0].hunks[1].offset);
    CHECK(p->files[0].hunks[2].result == HK_HUNK_FAILED, "third has no place left");
    CHECK(fx_is(d, "r.txt", "a\nx\nY\nz\nb\nc\nd\ne\nf\ng\nx\nY\nz\nh\n"), "both copies");
    free(err);
    free(patch);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(new_file_without_dev_null)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    int rc = fx_apply(d, "--- a/fresh.c\n+++ b/fresh.c\n@@ -0,0 +1,2 @@\n+int x;\n+int y;\n", 0,
                      &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "fresh.c", "int x;\nint y;\n"), "created");
    CHECK(p->files[0].status == HK_FILE_ADDED, "added");
    hk_patch_free(p);
    rc = fx_apply(d, "--- a/gone.c\n+++ b/gone.c\n@@ -1 +1 @@\n-a\n+b\n", 0, &p, &err);
    CHECK(rc == 1 && strstr(p->files[0].hunks[0].reason, "'gone.c' does not exist"), "missing");
    free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(fenced_patch_from_a_chat)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "a.md", "# Title\n\ntext\n");
    int rc = fx_apply(d, "Here is the fix:\n\n```diff\n--- a/a.md\n+++ b/a.md\n@@ -1,3 +1,3 @@\n"
                         " # Title\n \n-text\n+better text\n```\n\nDone.\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "a.md", "# Title\n\nbetter text\n"), "applied");
    hk_patch_free(p);
    fx_rmtree(d);
}

/* The function a hunk is in, found as git finds it: the header agrees with
 * `git diff` on the same change. */
TEST(hunk_names_its_function_as_git_does)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "m.c", "#include <stdio.h>\n\nstatic int add(int a, int b)   \n{\n    int s = a + b;\n"
                     "    return s;\n}\n\nint main(void)\n{\n    printf(\"%d\\n\", add(1, 2));\n"
                     "    return 0;\n}\n");
    int rc = fx_apply(d, "--- a/m.c\n+++ b/m.c\n@@ -1,2 +1,3 @@\n #include <stdio.h>\n+#include <stdlib.h>\n \n"
                         "@@ -4,3 +5,3 @@\n {\n-    int s = a + b;\n+    int s = b + a;\n     return s;\n",
                      0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    if (rc == 0) {
        char *f0 = hk_patch_hunk_function(&p->files[0], &p->files[0].hunks[0]);
        char *f1 = hk_patch_hunk_function(&p->files[0], &p->files[0].hunks[1]);
        CHECK(f0 == NULL, "nothing above line 1, got %s", f0 ? f0 : "");
        CHECK_STR(f1, "static int add(int a, int b)");
        free(f0);
        free(f1);
    }
    hk_patch_free(p);
    fx_rmtree(d);
}

/* A dry run (honk review of a patch file) numbers the new side where the
 * hunks really land, not where the patch claimed. */
TEST(dry_run_numbers_the_new_side_where_hunks_land)
{
    char *d = fx_tmpdir(), *err, *nums = fx_numbers(1, 50);
    struct hk_proposal *p;
    struct hk_patch_opts o;
    hk_patch_opts_init(&o);
    o.dry_run = 1;
    fx_put(d, "n.txt", nums);
    int rc = hk_patch_apply_text(d, NULL,
                                 "--- a/n.txt\n+++ b/n.txt\n@@ -2,2 +2,4 @@\n line 2\n+new a\n+new b\n line 3\n"
                                 "@@ -17,3 +17,3 @@\n line 20\n-line 21\n+line twenty-one\n line 22\n",
                                 &o, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    if (rc == 0) {
        CHECK(p->files[0].hunks[0].new_start == 2, "first hunk new start %d", p->files[0].hunks[0].new_start);
        CHECK(p->files[0].hunks[1].old_start == 20, "second hunk old start %d", p->files[0].hunks[1].old_start);
        CHECK(p->files[0].hunks[1].new_start == 22, "second hunk new start %d (20 + the 2 lines added above)",
              p->files[0].hunks[1].new_start);
    }
    CHECK(fx_is(d, "n.txt", nums), "dry run changes nothing");
    free(nums);
    hk_patch_free(p);
    fx_rmtree(d);
}
