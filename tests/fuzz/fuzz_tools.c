/* Fuzzes the tools' JSON input (backend/tools.c, and the edit tools through
 * the patch engine) against a real git worktree holding a symlink to a
 * secret beside it: no answer ever holds the secret or a byte of .git, no
 * call ever changes anything outside the worktree or in .git, and an edit
 * rejected as a whole leaves the worktree as it was.
 * Input: [tool][the tool's input as JSON]. */
#include "fuzz.h"
#include "patch.h"
#include "tools.h"

#include <dirent.h>
#include <git2.h>

#define GIT_MARKER "GITMARKER-91c2"

static const char *const names[] = {"read_file", "list_files", "search", "edit_file",
                                    "write_file", "apply_patch", "run_tests", "run_command"};
#define NNAMES (sizeof names / sizeof names[0])

static char *git_dir;

static void init_repo(void)
{
    git_repository *repo = NULL;
    git_libgit2_init();
    if (git_repository_init(&repo, fz_root, 0) != 0)
        abort();
    git_repository_free(repo);
    git_libgit2_shutdown();
    git_dir = hk_xasprintf("%s/.git", fz_root);
    fz_put("root/.git/description", GIT_MARKER "\n", strlen(GIT_MARKER "\n"));
}

static void make_worktree(void)
{
    if (!git_dir) {
        fz_empty(fz_root);
        init_repo();
    }
    FZ_PUT_LIT("root/a.c", "int main(void)\n{\n    return 0;\n}\n");
    FZ_PUT_LIT("root/src/util.c", "/* util */\nint add(int a, int b) { return a + b; }\n");
    FZ_PUT_LIT("root/notes.txt", "caf\xc3\xa9 and bytes \xff\xfe here\n");
    FZ_PUT_LIT("root/bin", "\x7f" "ELF\0\0\0binary");
    fz_link("../outside/secret.env", "root/cfg");
    fz_link("../outside", "root/up");
}

/* Everything in the worktree but .git goes, whatever a fuzzed edit made. */
static void clean_worktree(void)
{
    DIR *d = opendir(fz_root);
    if (!d)
        abort();
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git"))
            continue;
        char *p = hk_xasprintf("%s/%s", fz_root, e->d_name);
        fz_rmtree(p);
        free(p);
    }
    closedir(d);
}

struct input {
    const char *text; /* may hold NULs: the model's own bytes */
    size_t len;
};

static int said(const struct input *in, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= in->len; i++)
        if (!memcmp(in->text + i, s, n))
            return 1;
    return 0;
}

/* An answer for the model holds nothing from outside or from .git, unless
 * the model itself wrote that text into its input (errors quote it). */
static void check_answer(const char *out, const struct input *in)
{
    FZ_ASSERT(out, "no answer");
    FZ_ASSERT(!strstr(out, FZ_SECRET) || said(in, FZ_SECRET),
              "the secret outside the worktree reached the model:\n%.1000s", out);
    FZ_ASSERT(!strstr(out, GIT_MARKER) || said(in, GIT_MARKER),
              "a file under .git reached the model:\n%.1000s", out);
}

static void run_edit(const char *name, const cJSON *input, const struct input *input_text)
{
    struct hk_buf root0 = fz_snapshot(fz_root);
    struct hk_proposal *p = NULL;
    char *err = NULL;
    int rc = hk_patch_from_tool(fz_root, "p1", name, input, &p, &err);
    FZ_ASSERT((rc == -1) == (p == NULL), "rc %d with%s a proposal", rc, p ? "" : "out");
    if (err)
        check_answer(err, input_text);
    free(err);
    err = NULL;
    if (p) {
        char *report = hk_patch_report(p);
        check_answer(report, input_text);
        free(report);
        hk_patch_approve_all(p, &err);
        free(err);
        err = NULL;
        if (p->written && hk_patch_reject_all(p, &err) != 0)
            FZ_ASSERT(0, "reject all failed: %s", err ? err : "?");
        free(err);
        hk_patch_free(p);
    }
    fz_check_same(&root0, fz_root, "after the edit was rejected");
    hk_buf_free(&root0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fz_sandbox_init();
    const char *name = names[data[0] % NNAMES];
    char *text = fz_strndup(data + 1, size - 1);
    struct input raw = {text, size - 1};
    cJSON *input = cJSON_ParseWithLength(text, size - 1);
    if (!input) {
        free(text);
        return 0;
    }
    clean_worktree();
    make_worktree();
    struct hk_buf outside0 = fz_snapshot(fz_outside), git0 = fz_snapshot(git_dir);

    char *summary = hk_tool_summary(name, input);
    free(summary);
    enum hk_tool_kind kind = hk_tool_kind(name);
    if (kind == HK_TOOL_READ) {
        char *out = NULL;
        int rc = hk_tool_read(fz_root, name, input, &out);
        check_answer(out, &raw);
        free(hk_tool_result_summary(name, out, rc == 0));
        free(out);
    } else if (kind == HK_TOOL_EDIT) {
        run_edit(name, input, &raw);
    }
    fz_check_same(&outside0, fz_outside, "by a tool");
    fz_check_same(&git0, git_dir, "by a tool");
    hk_buf_free(&outside0);
    hk_buf_free(&git0);
    cJSON_Delete(input);
    free(text);
    return 0;
}
