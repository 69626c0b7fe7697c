/* The reading tools the model uses, on a real repository: numbered lines
 * and ranges, .gitignore honoured, regular-expression search, binary files
 * and paths outside the worktree refused. */
#include "check.h"
#include "tools.h"
#include "util.h"

#include <stdlib.h>

static char root[] = "/tmp/honk-tools-XXXXXX";

static char *run(const char *name, const char *json, int *ok)
{
    cJSON *input = cJSON_Parse(json);
    char *out = NULL;
    *ok = hk_tool_read(root, name, input, &out) == 0;
    cJSON_Delete(input);
    return out;
}

__attribute__((constructor)) static void make_repo(void)
{
    if (!mkdtemp(root))
        abort();
    char *cmd = hk_xasprintf(
        "cd %s && git init -q && printf 'one\\ntwo\\nthree\\nfour\\n' > a.txt && mkdir -p src build && "
        "printf 'int main(void) { return 0; }\\n' > src/main.c && printf 'x\\0y' > blob.bin && "
        "echo 'build/' > .gitignore && echo junk > build/out.o && git add a.txt src .gitignore && "
        "echo new > untracked.c", root);
    if (system(cmd) != 0)
        abort();
    free(cmd);
}

__attribute__((destructor)) static void remove_repo(void)
{
    char *cmd = hk_xasprintf("rm -rf %s", root);
    if (system(cmd) != 0)
        perror("rm");
    free(cmd);
}

TEST(read_file_numbers_lines_and_ranges)
{
    int ok;
    char *out = run("read_file", "{\"path\":\"a.txt\"}", &ok);
    CHECK(ok, "ok");
    CHECK_STR(out, "     1\tone\n     2\ttwo\n     3\tthree\n     4\tfour\n");
    free(out);
    out = run("read_file", "{\"path\":\"a.txt\",\"start_line\":2,\"end_line\":3}", &ok);
    CHECK_STR(out, "     2\ttwo\n     3\tthree\n[showing lines 2-3 of 4; ask with start_line and end_line for more]\n");
    free(out);
}

TEST(read_file_refusals)
{
    int ok;
    char *out = run("read_file", "{\"path\":\"../etc/passwd\"}", &ok);
    CHECK(!ok && strstr(out, "outside the worktree"), "%s", out);
    free(out);
    out = run("read_file", "{\"path\":\".git/config\"}", &ok);
    CHECK(!ok, "%s", out);
    free(out);
    out = run("read_file", "{\"path\":\"blob.bin\"}", &ok);
    CHECK(!ok && strstr(out, "binary file"), "%s", out);
    free(out);
    out = run("read_file", "{\"path\":\"missing.txt\"}", &ok);
    CHECK(!ok && strstr(out, "cannot read missing.txt"), "%s", out);
    free(out);
    out = run("read_file", "{}", &ok);
    CHECK(!ok && strstr(out, "needs a \"path\""), "%s", out);
    free(out);
}

TEST(list_files_honours_gitignore)
{
    int ok;
    char *out = run("list_files", "{}", &ok);
    CHECK(ok, "ok");
    CHECK_STR(out, ".gitignore\na.txt\nblob.bin\nsrc/main.c\nuntracked.c\n");
    free(out);
    out = run("list_files", "{\"glob\":\"*.c\"}", &ok);
    CHECK_STR(out, "src/main.c\nuntracked.c\n");
    free(out);
}

TEST(search_finds_lines)
{
    int ok;
    char *out = run("search", "{\"pattern\":\"t[wh]\"}", &ok);
    CHECK(ok, "ok");
    CHECK_STR(out, "a.txt:2: two\na.txt:3: three\n");
    free(out);
    out = run("search", "{\"pattern\":\"return\",\"glob\":\"src/*\"}", &ok);
    CHECK_STR(out, "src/main.c:1: int main(void) { return 0; }\n");
    free(out);
    out = run("search", "{\"pattern\":\"(\"}", &ok);
    CHECK(!ok && strstr(out, "not a valid extended regular expression"), "%s", out);
    free(out);
}

TEST(summaries_name_the_target)
{
    cJSON *in = cJSON_Parse("{\"path\":\"src/a.c\",\"start_line\":10,\"end_line\":40}");
    char *s = hk_tool_summary("read_file", in);
    CHECK_STR(s, "read_file src/a.c:10-40");
    free(s);
    cJSON_Delete(in);
    CHECK(hk_tool_kind("apply_patch") == HK_TOOL_EDIT && hk_tool_kind("nope") == HK_TOOL_UNKNOWN, "kinds");
}

/* What a person sees of a result: a count, not the result's first line. */
static void check_result_summary(const char *name, const char *json, const char *want)
{
    int ok;
    char *out = run(name, json, &ok);
    char *s = hk_tool_result_summary(name, out ? out : "", ok);
    CHECK_STR(s, want);
    free(s);
    free(out);
}

TEST(result_summaries_count_what_was_found)
{
    check_result_summary("read_file", "{\"path\":\"a.txt\"}", "4 lines");
    check_result_summary("read_file", "{\"path\":\"a.txt\",\"start_line\":2,\"end_line\":3}", "showing lines 2-3 of 4");
    check_result_summary("read_file", "{\"path\":\"src/main.c\"}", "1 line");
    check_result_summary("search", "{\"pattern\":\"t\"}", "3 matches");
    check_result_summary("search", "{\"pattern\":\"zebra\"}", "no matches for zebra");
    check_result_summary("list_files", "{\"glob\":\"*.c\"}", "2 files");
    check_result_summary("list_files", "{\"glob\":\"*.zip\"}", "no files match *.zip");
    check_result_summary("read_file", "{\"path\":\"nope.txt\"}", "cannot read nope.txt: No such file or directory");
}

/* A repository that links out: git lists cfg and ext as files and never
 * looks where they point, so search and list_files ask path.c of each. */
TEST(search_and_list_never_follow_links_out)
{
    char dir[] = "/tmp/honk-tools-links-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char *cmd = hk_xasprintf(
        "cd %s && mkdir out repo && printf 'TOPSECRET=1\\n' > out/secret.env && cd repo && git init -q && "
        "ln -s ../out/secret.env cfg && ln -s %s/out ext && printf 'TOPSECRET is a word\\n' > notes.txt && "
        "ln -s notes.txt alias.txt && git add -A", dir, dir);
    CHECK(system(cmd) == 0, "setup");
    free(cmd);
    char *repo = hk_xasprintf("%s/repo", dir);
    const char *calls[][3] = {
        {"search", "{\"pattern\":\"TOPSECRET\"}",
         "alias.txt:1: TOPSECRET is a word\nnotes.txt:1: TOPSECRET is a word\n"
         "[not searched, as symlinks that leave the worktree: cfg, ext]\n"},
        {"list_files", "{}",
         "alias.txt\ncfg (a symlink that leaves the worktree: not readable)\n"
         "ext (a symlink that leaves the worktree: not readable)\nnotes.txt\n"},
        {"search", "{\"pattern\":\"x\",\"path\":\"..\"}", "path '..' is outside the worktree"},
        {"search", "{\"pattern\":\"x\",\"path\":\"ext\"}", "path 'ext' is outside the worktree (a symlink points to"},
        {"list_files", "{\"path\":\"/etc\"}", "path '/etc' is outside the worktree (paths are relative to it)"},
        {"list_files", "{\"glob\":\"../*\"}", "glob '../*' is outside the worktree"},
        {"search", "{\"pattern\":\"x\",\"glob\":\"/etc/*\"}", "glob '/etc/*' is outside the worktree"},
    };
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
        cJSON *input = cJSON_Parse(calls[i][1]);
        char *out = NULL;
        int ok = hk_tool_read(repo, calls[i][0], input, &out) == 0;
        CHECK(i < 2 ? ok && !strcmp(out, calls[i][2]) : !ok && strstr(out, calls[i][2]) != NULL,
              "%s %s: %s", calls[i][0], calls[i][1], out);
        free(out);
        cJSON_Delete(input);
    }
    free(repo);
    cmd = hk_xasprintf("rm -rf %s", dir);
    CHECK(system(cmd) == 0, "cleanup");
    free(cmd);
}

TEST(read_file_not_utf8_shown_as_fffd_and_said)
{
    char *path = hk_xasprintf("%s/latin1.txt", root);
    FILE *f = fopen(path, "wb");
    fputs("caf\xe9\n", f);
    fclose(f);
    int ok;
    char *out = run("read_file", "{\"path\":\"latin1.txt\"}", &ok);
    CHECK(ok, "%s", out);
    CHECK_STR(out, "     1\tcaf\xef\xbf\xbd\n[1 byte in these lines of latin1.txt is not valid UTF-8 (or NUL) and is "
                   "shown as U+FFFD; the files keep their bytes, and an old_string or patch line with U+FFFD in it "
                   "will not match them]\n");
    free(out);
    remove(path);
    free(path);
}
