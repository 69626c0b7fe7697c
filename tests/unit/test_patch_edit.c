/* edit_file and write_file: exact and tolerant matches, ambiguity, not found. */
#include "check.h"
#include "patch_fixture.h"

static int edit(const char *d, const char *path, const char *o, const char *n, int all,
                struct hk_proposal **p, char **err)
{
    *err = NULL;
    return hk_patch_edit_file(d, NULL, path, o, n, all, p, err);
}

TEST(exact_replacement)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "m.c", "int main(void)\n{\n    return 0;\n}\n");
    int rc = edit(d, "m.c", "return 0;", "return 1;", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "m.c", "int main(void)\n{\n    return 1;\n}\n"), "content");
    struct hk_hunk *h = &p->files[0].hunks[0];
    CHECK(p->files[0].nhunks == 1 && h->nlines == 2 && h->lines[0].kind == HK_LINE_DEL &&
          h->lines[1].kind == HK_LINE_ADD && h->old_start == 3, "hunk shape");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(ambiguous_match_lists_candidates)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "a.c", "x = 1;\ny = 2;\nx = 1;\nz = 3;\nx = 1;\n");
    int rc = edit(d, "a.c", "x = 1;", "x = 9;", 0, &p, &err);
    CHECK(rc == -1 && !p, "rc %d", rc);
    CHECK(err && strstr(err, "old_string matches 3 places in 'a.c' (lines 1, 3, 5)"), "%s", err);
    free(err);
    rc = edit(d, "a.c", "x = 1;", "x = 9;", 1, &p, &err);
    CHECK(rc == 0 && p->files[0].nhunks == 3, "replace_all rc %d", rc);
    CHECK(fx_is(d, "a.c", "x = 9;\ny = 2;\nx = 9;\nz = 3;\nx = 9;\n"), "all replaced");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(indentation_tolerant_match)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "k.py", "def f():\n        if x:\n            go()\n        stop()\n");
    int rc = edit(d, "k.py", "if x:\n    go()", "if x:\n    go()\n    again()", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "k.py", "def f():\n        if x:\n            go()\n            again()\n"
                           "        stop()\n"), "reindented");
    CHECK(p->files[0].hunks[0].whitespace, "marked whitespace");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(crlf_and_trailing_blanks_tolerated)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "w.txt", "alpha  \r\nbeta\r\ngamma\r\n");
    int rc = edit(d, "w.txt", "alpha\nbeta\n", "alpha\nBETA\n", 0, &p, &err);
    CHECK(rc == 0, "rc %d err %s", rc, err);
    CHECK(fx_is(d, "w.txt", "alpha\r\nBETA\r\ngamma\r\n"), "crlf kept");
    hk_patch_free(p);
    fx_rmtree(d);
}

TEST(not_found_names_closest_line)
{
    char *d = fx_tmpdir(), *err;
    struct hk_proposal *p;
    fx_put(d, "c.c", "int a;\nint counter = 0;\nint b;\n");
    int rc = edit(d, "c.c", "int countr = 0;", "int counter = 1;", 0, &p, &err);
    CHECK(rc == -1, "rc %d", rc);
    CHECK_STR(err, "old_string was not found in 'c.c'; the closest line is 2: 'int counter = 0;'");
    free(err);
    rc = edit(d, "nope.c", "x", "y", 0, &p, &err);
    CHECK_STR(err, "'nope.c' does not exist; use write_file to create it");
    free(err);
    rc = edit(d, "c.c", "int a;", "int a;", 0, &p, &err);
    CHECK(rc == -1 && strstr(err, "the same"), "same");
    free(err);
    fx_rmtree(d);
}

TEST(write_file_creates_and_replaces)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p;
    int rc = hk_patch_write_file(d, "w1", "deep/er/n.txt", "a\nb\n", &p, &err);
    CHECK(rc == 0 && fx_is(d, "deep/er/n.txt", "a\nb\n"), "created rc %d", rc);
    CHECK(p->files[0].status == HK_FILE_ADDED, "added");
    CHECK_STR(p->id, "w1");
    hk_patch_free(p);
    char *nums = fx_numbers(1, 40);
    fx_put(d, "n.txt", nums);
    char *changed = hk_xstrdup(nums);
    changed[strlen("line 1\nline 2\nline ")] = 'X';
    char *at30 = strstr(changed, "line 30\n");
    at30[5] = 'Y';
    char *np = hk_xasprintf("%s/n.txt", d);
    chmod(np, 0755);
    free(np);
    rc = hk_patch_write_file(d, NULL, "n.txt", changed, &p, &err);
    CHECK(rc == 0 && fx_is(d, "n.txt", changed), "replaced rc %d", rc);
    CHECK(p->files[0].nhunks == 2, "two hunks, got %zu", p->files[0].nhunks);
    CHECK(fx_mode(d, "n.txt") == 0755, "mode kept %o", fx_mode(d, "n.txt"));
    hk_patch_free(p);
    free(changed);
    free(nums);
    fx_rmtree(d);
}

TEST(tool_dispatch)
{
    char *d = fx_tmpdir(), *err = NULL;
    struct hk_proposal *p;
    fx_put(d, "t.txt", "hello\n");
    cJSON *in = cJSON_Parse("{\"path\":\"t.txt\",\"old_string\":\"hello\",\"new_string\":\"bye\"}");
    int rc = hk_patch_from_tool(d, NULL, "edit_file", in, &p, &err);
    CHECK(rc == 0 && fx_is(d, "t.txt", "bye\n"), "rc %d", rc);
    hk_patch_free(p);
    cJSON_Delete(in);
    in = cJSON_Parse("{\"patch\":\"--- a/t.txt\\n+++ b/t.txt\\n@@ -1 +1 @@\\n-bye\\n+ciao\\n\"}");
    rc = hk_patch_from_tool(d, NULL, "apply_patch", in, &p, &err);
    CHECK(rc == 0 && fx_is(d, "t.txt", "ciao\n"), "rc %d", rc);
    hk_patch_free(p);
    cJSON_Delete(in);
    fx_rmtree(d);
}
