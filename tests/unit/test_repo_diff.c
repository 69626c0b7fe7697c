/* The diff model: statuses, modes, binary files, counts, line numbers and
 * word spans, from real task worktrees and commits. */
#include <stdlib.h>

#include "check.h"
#include "repo.h"
#include "repo_fixture.h"

static const struct hk_diff_file *find_file(const struct hk_diff *d, const char *path)
{
    for (size_t i = 0; i < d->nfiles; i++)
        if (strcmp(d->files[i].new_path, path) == 0)
            return &d->files[i];
    return NULL;
}

static const char *ten_lines = "alpha\nbravo\ncharlie\ndelta\necho\nfoxtrot\ngolf\nhotel\n"
                               "india\njuliet\n";

TEST(word_spans_mark_only_the_changed_word)
{
    struct hk_diff_span a[4], b[4];
    unsigned na = 9, nb = 9;
    hk_diff_word_spans("int x = 1;", 10, "int x = 2;", 10, a, &na, b, &nb, 4);
    CHECK(na == 1 && nb == 1, "na %u nb %u", na, nb);
    CHECK(a[0].start == 8 && a[0].end == 9, "a [%u,%u)", a[0].start, a[0].end);
    CHECK(b[0].start == 8 && b[0].end == 9, "b [%u,%u)", b[0].start, b[0].end);

    const char *x = "return foo(bar, baz);", *y = "return foo(qux, baz, extra);";
    hk_diff_word_spans(x, (unsigned)strlen(x), y, (unsigned)strlen(y), a, &na, b, &nb, 4);
    CHECK(na == 1 && a[0].start == 11 && a[0].end == 14, "a %u [%u,%u)", na, a[0].start,
          a[0].end);
    CHECK(nb == 2 && b[0].start == 11 && b[0].end == 14 && b[1].start == 19 && b[1].end == 26,
          "b %u [%u,%u) [%u,%u)", nb, b[0].start, b[0].end, b[1].start, b[1].end);

    hk_diff_word_spans("abc", 3, "xyz", 3, a, &na, b, &nb, 4);
    CHECK(na == 0 && nb == 0, "unrelated lines got spans %u %u", na, nb);
}

TEST(task_diff_model)
{
    fx_begin(1);
    char *dir = fx_repo();
    write_file(dir, "mod.c", "#include <stdio.h>\n\nint main(void)\n{\n    int x = 1;\n"
                             "    return x;\n}\n");
    write_file(dir, "del.txt", "delete me\n");
    write_file(dir, "ren_old.txt", ten_lines);
    write_file(dir, "script.sh", "echo hi\n");
    write_file(dir, "bin.dat", "");
    sh("printf 'bin\\000ary\\001' > '%s/bin.dat'", dir);
    sh("cd '%s' && " GIT " add -A && " GIT " commit -qm base", dir);
    struct hk_repo *repo = NULL;
    struct hk_task *t = NULL;
    struct hk_diff *d = NULL;
    char *err = NULL;
    if (hk_repo_open(&repo, dir, &err) < 0 || hk_task_create(repo, NULL, &t, &err) < 0) {
        CHECK(0, "setup: %s", err);
        goto out;
    }
    const char *w = t->worktree;
    write_file(w, "mod.c", "#include <stdio.h>\n\nint main(void)\n{\n    int x = 2;\n"
                           "    return x;\n}\n");
    sh("cd '%s' && rm del.txt && mv ren_old.txt ren_new.txt && chmod +x script.sh && "
       "printf 'bin\\000ary\\002' > bin.dat",
       w);
    write_file(w, "new.txt", "first\nsecond");
    CHECK(hk_diff_task(repo, t, HK_DIFF_BASE, &d, &err) == 0, "diff: %s", err);
    if (!d)
        goto out;
    CHECK(d->nfiles == 6, "nfiles %zu", d->nfiles);

    const struct hk_diff_file *f = find_file(d, "mod.c");
    CHECK(f && f->status == HK_DIFF_MODIFIED && f->added == 1 && f->deleted == 1, "mod.c");
    if (f && f->nhunks == 1) {
        const struct hk_diff_hunk *h = &f->hunks[0];
        CHECK(h->old_start == 2 && h->old_lines == 6 && h->new_start == 2 && h->new_lines == 6,
              "hunk -%d,%d +%d,%d", h->old_start, h->old_lines, h->new_start, h->new_lines);
        CHECK_STR(h->header, "@@ -2,6 +2,6 @@");
        CHECK(h->nlines == 7, "nlines %zu", h->nlines);
        const struct hk_diff_line *del = &h->lines[3], *add = &h->lines[4];
        CHECK(del->kind == HK_DIFF_LINE_DELETE && del->old_lineno == 5 && del->new_lineno == -1,
              "del line %d %d", del->old_lineno, del->new_lineno);
        CHECK(add->kind == HK_DIFF_LINE_ADD && add->old_lineno == -1 && add->new_lineno == 5,
              "add line %d %d", add->old_lineno, add->new_lineno);
        CHECK_STR(del->content, "    int x = 1;");
        CHECK_STR(add->content, "    int x = 2;");
        CHECK(del->nspans == 1 && del->spans[0].start == 12 && del->spans[0].end == 13,
              "del spans %u", del->nspans);
        CHECK(add->nspans == 1 && add->spans[0].start == 12 && add->spans[0].end == 13,
              "add spans %u", add->nspans);
        CHECK(h->lines[0].kind == HK_DIFF_LINE_CONTEXT && h->lines[0].old_lineno == 2 &&
              h->lines[0].new_lineno == 2 && h->lines[0].nspans == 0, "context line");
    } else {
        CHECK(0, "mod.c hunks %zu", f ? f->nhunks : 0);
    }

    f = find_file(d, "del.txt");
    CHECK(f && f->status == HK_DIFF_DELETED && f->deleted == 1 && f->added == 0 &&
          f->new_mode == 0 && f->old_mode == 0100644, "del.txt");

    f = find_file(d, "ren_new.txt");
    CHECK(f && f->status == HK_DIFF_RENAMED && strcmp(f->old_path, "ren_old.txt") == 0 &&
          f->added == 0 && f->deleted == 0, "rename: %d", f ? (int)f->status : -1);

    f = find_file(d, "script.sh");
    CHECK(f && f->status == HK_DIFF_MODIFIED && f->old_mode == 0100644 &&
          f->new_mode == 0100755 && f->nhunks == 0, "mode change");

    f = find_file(d, "bin.dat");
    CHECK(f && f->status == HK_DIFF_MODIFIED && f->binary && f->nhunks == 0, "binary");

    f = find_file(d, "new.txt");
    CHECK(f && f->status == HK_DIFF_ADDED && f->added == 2 && f->old_mode == 0 &&
          f->new_mode == 0100644, "added");
    if (f && f->nhunks == 1 && f->hunks[0].nlines == 3) {
        const struct hk_diff_line *l = f->hunks[0].lines;
        CHECK_STR(l[1].content, "second");
        CHECK(l[1].new_lineno == 2, "lineno %d", l[1].new_lineno);
        CHECK(l[2].kind == HK_DIFF_LINE_NO_NEWLINE, "no-newline marker kind %d", l[2].kind);
        CHECK_STR(l[2].content, "\\ No newline at end of file");
    } else {
        CHECK(0, "new.txt hunks");
    }
    hk_diff_free(d);
    d = NULL;

    char *hex = NULL;
    CHECK(hk_task_commit(repo, t, "All of it", "s", &hex, NULL, &err) == 0, "commit: %s", err);
    CHECK(hk_diff_task(repo, t, HK_DIFF_HEAD, &d, &err) == 0 && d->nfiles == 0,
          "uncommitted after commit: %zu", d ? d->nfiles : 0);
    hk_diff_free(d);
    d = NULL;
    CHECK(hk_diff_revs(repo, t->base_commit, t->branch, &d, &err) == 0, "revs: %s", err);
    CHECK(d && d->nfiles == 6, "committed files %zu", d ? d->nfiles : 0);
    const struct hk_diff_file *r = d ? find_file(d, "ren_new.txt") : NULL;
    CHECK(r && r->status == HK_DIFF_RENAMED, "rename between commits");
    free(hex);
out:
    hk_diff_free(d);
    if (t)
        hk_task_discard(repo, t, NULL);
    hk_task_free(t);
    hk_repo_close(repo);
    free(err);
    free(dir);
    fx_end();
}

TEST(typechange_and_uneven_blocks)
{
    fx_begin(1);
    char *dir = fx_repo();
    write_file(dir, "link", "target\n");
    write_file(dir, "list.txt", "apple = 1\nbanana = 2\ncherry = 3\n");
    sh("cd '%s' && " GIT " add -A && " GIT " commit -qm base", dir);
    sh("cd '%s' && rm link && ln -s a.txt link", dir);
    write_file(dir, "list.txt", "apple = 10\nbrand new line here\ncherry = 30\n"
                                "totally different\n");
    sh("cd '%s' && " GIT " add -A && " GIT " commit -qm change", dir);
    struct hk_repo *repo = NULL;
    struct hk_diff *d = NULL;
    char *err = NULL;
    CHECK(hk_repo_open(&repo, dir, &err) == 0, "open: %s", err);
    CHECK(repo && hk_diff_revs(repo, "HEAD~1", "HEAD", &d, &err) == 0, "revs: %s", err);
    if (!d)
        goto out;
    const struct hk_diff_file *f = find_file(d, "link");
    CHECK(f && f->status == HK_DIFF_TYPECHANGE && f->new_mode == 0120000, "typechange");
    f = find_file(d, "list.txt");
    if (f && f->nhunks == 1) {
        const struct hk_diff_hunk *h = &f->hunks[0];
        /* 3 deletions then 4 additions: apple and cherry pair by likeness */
        CHECK(h->nlines == 7, "nlines %zu", h->nlines);
        CHECK(h->lines[0].nspans == 1 && h->lines[3].nspans == 1, "apple paired");
        CHECK(h->lines[2].nspans == 1 && h->lines[5].nspans == 1, "cherry paired");
        CHECK(h->lines[4].nspans == 0 && h->lines[6].nspans == 0, "unpaired lines have spans");
        CHECK_STR(h->lines[3].content + h->lines[3].spans[0].start, "10");
    } else {
        CHECK(0, "list.txt");
    }
out:
    hk_diff_free(d);
    hk_repo_close(repo);
    free(err);
    free(dir);
    fx_end();
}
