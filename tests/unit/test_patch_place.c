/* Where a hunk goes: only where its context (and its anchor or heading) matches,
 * never at line 1 by default; and the resume path (to_json / from_json) keeps
 * the originals, so rejecting restores every byte. */
#include "check.h"
#include "patch_fixture.h"

static const char calc[] =
    "#include <stdio.h>\n"
    "\n"
    "static int add(int a, int b)\n"
    "{\n"
    "    return a + b;\n"
    "}\n"
    "\n"
    "static int mul(int a, int b)\n"
    "{\n"
    "    return a * b;\n"
    "}\n"
    "\n"
    "int main(void)\n"
    "{\n"
    "    return mul(2, 3) + add(1, 1);\n"
    "}\n";

/* Applies patch to a fresh calc.c; returns rc, leaves the file's text in *after. */
static int on_calc(const char *patch, char **after, char **reason)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p = NULL;
    fx_put(d, "calc.c", calc);
    int rc = fx_apply(d, patch, 0, &p, &err);
    *after = fx_get(d, "calc.c");
    *reason = p && p->nfiles && p->files[0].nhunks && p->files[0].hunks[0].reason
                  ? hk_xstrdup(p->files[0].hunks[0].reason) : NULL;
    free(err);
    hk_patch_free(p);
    fx_rmtree(d);
    return rc;
}

#define MUL_BODY " {\n-    return a * b;\n+    return a * b * 1;\n }\n"

TEST(heading_after_numberless_header_places_by_context)
{
    char *after, *why;
    int rc = on_calc("--- a/calc.c\n+++ b/calc.c\n@@ @@ static int mul(int a, int b)\n" MUL_BODY,
                     &after, &why);
    CHECK(rc == 0, "rc %d: %s", rc, why);
    CHECK(after && strstr(after, "static int mul(int a, int b)\n{\n    return a * b * 1;\n}\n") &&
              strncmp(after, "#include", 8) == 0, "changed in mul, not at the top:\n%s", after);
    free(after), free(why);
}

TEST(heading_not_in_file_is_rejected)
{
    char *after, *why;
    int rc = on_calc("--- a/calc.c\n+++ b/calc.c\n@@ @@ static int div(int a, int b)\n" MUL_BODY,
                     &after, &why);
    CHECK(rc == 1, "rejected, rc %d", rc);
    CHECK(after && strcmp(after, calc) == 0, "file untouched:\n%s", after);
    CHECK(why && strstr(why, "heading 'static int div(int a, int b)'"), "reason: %s", why);
    free(after), free(why);
}

TEST(text_in_place_of_numbers_is_rejected)
{
    char *after, *why;
    int rc = on_calc("--- a/calc.c\n+++ b/calc.c\n@@ foo @@\n" MUL_BODY, &after, &why);
    CHECK(rc == 1, "rejected, rc %d", rc);
    CHECK(after && strcmp(after, calc) == 0, "file untouched:\n%s", after);
    CHECK(why && strstr(why, "'foo'"), "reason: %s", why);
    free(after), free(why);
}

TEST(envelope_anchor_not_in_file_is_rejected)
{
    char *after, *why;
    int rc = on_calc("*** Begin Patch\n*** Update File: calc.c\n@@ static int nothere(void)\n"
                     MUL_BODY "*** End Patch\n", &after, &why);
    CHECK(rc == 1, "rejected, rc %d", rc);
    CHECK(after && strcmp(after, calc) == 0, "file untouched:\n%s", after);
    CHECK(why && strstr(why, "nothere"), "reason: %s", why);
    free(after), free(why);
}

TEST(envelope_anchor_places_after_it)
{
    char *after, *why;
    /* " {" and its body are in add() and mul() alike: the anchor decides */
    int rc = on_calc("*** Begin Patch\n*** Update File: calc.c\n@@ static int mul(int a, int b)\n"
                     " {\n-    return a * b;\n+    return b * a;\n }\n*** End Patch\n", &after, &why);
    CHECK(rc == 0, "rc %d: %s", rc, why);
    CHECK(after && strstr(after, "{\n    return b * a;\n}\n\nint main"), "%s", after);
    free(after), free(why);
}

TEST(numberless_addition_without_context_is_rejected)
{
    char *after, *why;
    int rc = on_calc("--- a/calc.c\n+++ b/calc.c\n@@ @@ static int mul(int a, int b)\n+// top\n",
                     &after, &why);
    CHECK(rc == 1, "rejected, rc %d", rc);
    CHECK(after && strcmp(after, calc) == 0, "file untouched:\n%s", after);
    CHECK(why && strstr(why, "no context lines"), "reason: %s", why);
    free(after), free(why);
}

TEST(numberless_ambiguous_context_is_rejected)
{
    char *after, *why;
    /* "}\n\n" ends add() and mul(): two places, no numbers to choose */
    int rc = on_calc("--- a/calc.c\n+++ b/calc.c\n@@ @@\n }\n+/* end */\n \n", &after, &why);
    CHECK(rc == 1, "rejected, rc %d", rc);
    CHECK(after && strcmp(after, calc) == 0, "file untouched:\n%s", after);
    CHECK(why && strstr(why, "more than one place"), "reason: %s", why);
    free(after), free(why);
}

TEST(numberless_unique_context_applies)
{
    char *after, *why;
    int rc = on_calc("--- a/calc.c\n+++ b/calc.c\n@@ @@\n int main(void)\n {\n-    return mul(2, 3) "
                     "+ add(1, 1);\n+    return 0;\n }\n", &after, &why);
    CHECK(rc == 0, "rc %d: %s", rc, why);
    CHECK(after && strstr(after, "int main(void)\n{\n    return 0;\n}\n"), "%s", after);
    free(after), free(why);
}

/* ---- the resume path keeps the originals ---- */

static char *roundtrip(struct hk_proposal *p, const char *d)
{
    cJSON *j = hk_patch_to_json(p);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    cJSON *back = cJSON_Parse(s);
    free(s);
    struct hk_proposal *q = NULL;
    char *err = NULL;
    int rc = hk_patch_from_json(back, d, &q, &err);
    cJSON_Delete(back);
    if (rc == 0 && hk_patch_reject_all(q, &err) == 0) {
        hk_patch_free(q);
        return NULL;
    }
    hk_patch_free(q);
    return err ? err : hk_xstrdup("failed");
}

struct case_ {
    const char *name, *file, *patch;
};

static const struct case_ cases[] = {
    {"partial, one hunk rejected", calc,
     "--- a/calc.c\n+++ b/calc.c\n@@ -9,3 +9,3 @@\n {\n-    return a * b;\n+    return a * 2;\n }\n"
     "@@ -14,3 +14,3 @@\n {\n-    return nothing;\n+    return 1;\n }\n"},
    {"heading, placed by context", calc,
     "--- a/calc.c\n+++ b/calc.c\n@@ @@ static int mul(int a, int b)\n" MUL_BODY},
    {"heading not found", calc,
     "--- a/calc.c\n+++ b/calc.c\n@@ @@ static int div(void)\n" MUL_BODY
     "@@ -14,3 +14,3 @@\n {\n-    return mul(2, 3) + add(1, 1);\n+    return 0;\n }\n"},
    {"CRLF file, LF patch", "a\r\nb\r\nc\r\n",
     "--- a/calc.c\n+++ b/calc.c\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
    {"no final newline", "a\nb\nc",
     "--- a/calc.c\n+++ b/calc.c\n@@ -2,2 +2,2 @@\n b\n-c\n\\ No newline at end of file\n+C\n"},
    {"addition at the end", "a\nb\n",
     "--- a/calc.c\n+++ b/calc.c\n@@ -2,0 +3,2 @@\n+c\n+d\n"},
    {"a final newline added", "a\nb",
     "--- a/calc.c\n+++ b/calc.c\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n"},
    {"CRLF file without a final newline, trimmed context", "a\r\nb\r\nc",
     "--- a/calc.c\n+++ b/calc.c\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n\\ No newline at end of file\n"},
    {"one hunk already applied, one applies", "a\nB\nc\nd\ne\nf\ng\nh\ni\n",
     "--- a/calc.c\n+++ b/calc.c\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
     "@@ -7,3 +7,3 @@\n g\n-h\n+H\n i\n"},
    {"envelope with anchor", calc,
     "*** Begin Patch\n*** Update File: calc.c\n@@ static int mul(int a, int b)\n"
     " {\n-    return a * b;\n+    return b * a;\n }\n*** End Patch\n"},
};

TEST(rejecting_after_resume_restores_every_byte)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *d = fx_tmpdir(), *err = NULL;
        struct hk_proposal *p = NULL;
        fx_put(d, "calc.c", cases[i].file);
        fx_apply(d, cases[i].patch, 1, &p, &err);
        free(err);
        CHECK(p && p->written, "%s: applied", cases[i].name);
        char *why = p ? roundtrip(p, d) : NULL;
        CHECK(!why, "%s: %s", cases[i].name, why);
        CHECK(fx_is(d, "calc.c", cases[i].file), "%s: original bytes back", cases[i].name);
        free(why);
        hk_patch_free(p);
        fx_rmtree(d);
    }
}

TEST(reversed_rename_without_rename_to_is_refused)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p = NULL;
    fx_put(d, "x", "one\n");
    struct hk_patch_opts o;
    hk_patch_opts_init(&o);
    o.reverse = 1;
    /* names that do not split in two, then only "rename from" */
    int rc = hk_patch_apply_text(d, NULL, "diff --git a/x b/yy\nsimilarity index 100%\n"
                                          "rename from x\n", &o, &p, &err);
    CHECK(rc == -1 && !p, "refused, rc %d", rc);
    CHECK(err && strstr(err, "a rename needs both names"), "%s", err);
    CHECK(fx_is(d, "x", "one\n"), "untouched");
    free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(a_name_with_a_control_byte_is_shown_as_git_quotes_it)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p = NULL;
    int rc = fx_apply(d, "--- \"a/no\\rx\"\n+++ \"b/no\\rx\"\n@@ -1 +1 @@\n-a\n+b\n", 0, &p, &err);
    char *r = p ? hk_patch_report(p) : NULL;
    CHECK(rc == 1, "rc %d", rc);
    CHECK_STR(r, "no\\rx: hunk 1 rejected: 'no\\rx' does not exist\n");
    free(r), free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(crlf_patch_names_are_the_files)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p = NULL;
    fx_put(d, "calc.py", "def f():\n    return 1\n");
    /* every line CRLF, and a blank line after it as when patches are joined */
    int rc = fx_apply(d, "--- a/calc.py\r\n+++ b/calc.py\r\n@@ -1,2 +1,2 @@\r\n def f():\r\n"
                         "-    return 1\r\n+    return 2\r\n\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d: %s", rc, err);
    CHECK(fx_is(d, "calc.py", "def f():\n    return 2\n"), "applied, LF kept");
    free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}

/* A deletion whose hunks add lines (a fuzz finding: decided one by one, its
 * state could not be rebuilt on resume) is refused, the file untouched. */
TEST(deletion_that_adds_lines_is_refused)
{
    char *after, *why;
    int rc = on_calc("--- a/calc.c\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-#include <stdio.h>\n-\n+extra\n", &after, &why);
    CHECK(rc != 0, "refused, rc %d", rc);
    CHECK(why && strstr(why, "adds lines"), "reason: %s", why ? why : "(none)");
    CHECK(after && strcmp(after, calc) == 0, "file untouched:\n%s", after ? after : "(gone)");
    free(after), free(why);
}

/* Two new files where one's directory holds the other's (a fuzz finding):
 * rejecting both leaves no directory behind. */
TEST(rejected_new_files_leave_no_directory)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p = NULL;
    const char *patch = "--- /dev/null\n+++ b/new/a\n@@ -0,0 +1 @@\n+a\n"
                        "--- /dev/null\n+++ b/new/dir/b\n@@ -0,0 +1 @@\n+b\n";
    int rc = fx_apply(d, patch, 0, &p, &err);
    CHECK(rc == 0, "rc %d: %s", rc, err ? err : "");
    CHECK(p && hk_patch_reject_all(p, &err) == 0, "reject all: %s", err ? err : "");
    char *gone = hk_xasprintf("%s/new", d);
    struct stat st;
    CHECK(stat(gone, &st) != 0, "%s is still there", gone);
    free(gone), free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}

/* A patch that creates one file twice (a fuzz finding: its state could not
 * be rebuilt on resume) is refused for that file, with a sentence. */
TEST(a_file_created_twice_is_refused)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p = NULL;
    const char *patch = "--- /dev/null\n+++ b/new/a\n@@ -0,0 +1 @@\n+a\n"
                        "--- /dev/null\n+++ b/new/a\n@@ -0,0 +1 @@\n+b\n";
    int rc = fx_apply(d, patch, 0, &p, &err);
    CHECK(rc != 0, "refused, rc %d", rc);
    int said = 0;
    for (size_t f = 0; p && f < p->nfiles; f++)
        for (size_t h = 0; h < p->files[f].nhunks; h++)
            said |= p->files[f].hunks[h].reason && strstr(p->files[f].hunks[h].reason, "twice") != NULL;
    CHECK(said, "no hunk says why: %s", err ? err : "(nothing)");
    CHECK(!fx_exists(d, "new/a"), "new/a was written");
    free(err);
    hk_patch_free(p);
    fx_rmtree(d);
}
