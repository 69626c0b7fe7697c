/* Tool definitions and the reading tools. Paths go through hk_path_resolve,
 * so nothing outside the worktree (or inside .git) is ever read; file lists
 * come from libgit2's status walk, so .gitignore is honoured as git does. */
#include "tools.h"
#include "json.h"
#include "git_api.h"
#include "path.h"
#include "util.h"

#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_MAX_LINES 2000
#define READ_MAX_BYTES (96 * 1024)
#define LIST_MAX 2000
#define SEARCH_MAX 200
#define SEARCH_LINE_MAX 200

struct tool_def {
    const char *name;
    enum hk_tool_kind kind;
    const char *description;
    const char *schema;
};

static const struct tool_def tools[] = {
    {"read_file", HK_TOOL_READ,
     "Read a text file of the repository, with line numbers. Long files are cut; ask for a range.",
     "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\",\"description\":\"path relative to the repository root\"},"
     "\"start_line\":{\"type\":\"integer\"},\"end_line\":{\"type\":\"integer\"}},\"required\":[\"path\"]}"},
    {"list_files", HK_TOOL_READ,
     "List the repository's files (tracked and untracked, without ignored ones), optionally under a directory and matching a glob such as src/*.c.",
     "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\",\"description\":\"a directory relative to the repository root\"},"
     "\"glob\":{\"type\":\"string\"}}}"},
    {"search", HK_TOOL_READ,
     "Search the repository's files (optionally under a directory, or one file) for an extended regular expression; answers path:line: text.",
     "{\"type\":\"object\",\"properties\":{\"pattern\":{\"type\":\"string\"},\"path\":{\"type\":\"string\",\"description\":\"a directory or file relative to the repository root\"},"
     "\"glob\":{\"type\":\"string\"}},\"required\":[\"pattern\"]}"},
    {"edit_file", HK_TOOL_EDIT,
     "Replace old_string with new_string in a file. old_string must match exactly once (include enough context) unless replace_all is true.",
     "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},\"old_string\":{\"type\":\"string\"},"
     "\"new_string\":{\"type\":\"string\"},\"replace_all\":{\"type\":\"boolean\"}},\"required\":[\"path\",\"old_string\",\"new_string\"]}"},
    {"write_file", HK_TOOL_EDIT, "Create a file, or replace its whole content.",
     "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},\"content\":{\"type\":\"string\"}},\"required\":[\"path\",\"content\"]}"},
    {"apply_patch", HK_TOOL_EDIT,
     "Apply a unified diff (as git diff writes it) or a *** Begin Patch envelope to the repository.",
     "{\"type\":\"object\",\"properties\":{\"patch\":{\"type\":\"string\"}},\"required\":[\"patch\"]}"},
    {"run_tests", HK_TOOL_TESTS, "Run the project's test command and get its exit status and output.",
     "{\"type\":\"object\",\"properties\":{}}"},
    {"run_command", HK_TOOL_COMMAND,
     "Run a shell command in the repository (after the engineer approves it) and get its exit status and output.",
     "{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}},\"required\":[\"command\"]}"},
};

#define NTOOLS (sizeof tools / sizeof tools[0])

void hk_tools_define(struct hk_conversation *conv)
{
    for (size_t i = 0; i < NTOOLS; i++)
        hk_conv_add_tool(conv, tools[i].name, tools[i].description, tools[i].schema);
}

enum hk_tool_kind hk_tool_kind(const char *name)
{
    for (size_t i = 0; i < NTOOLS; i++)
        if (!strcmp(name, tools[i].name))
            return tools[i].kind;
    return HK_TOOL_UNKNOWN;
}

static int fail(char **out, char *message)
{
    *out = message;
    return -1;
}

/* As git decides: a NUL byte in the first 8000 bytes. */
static int looks_binary(const struct hk_buf *b)
{
    return b->len && memchr(b->data, '\0', b->len < 8000 ? b->len : 8000) != NULL;
}

/* Text for the model is valid UTF-8 (json.c would replace what is not, but
 * silently): bytes that are not are shown as U+FFFD here (hk_buf_add_utf8),
 * and the model is told, so that it neither trusts nor copies them. */
static void note_replaced(struct hk_buf *out, size_t bad, const char *where)
{
    const char *is = bad == 1 ? "is" : "are";
    if (bad)
        hk_buf_printf(out, "[%zu byte%s %s %s not valid UTF-8 (or NUL) and %s shown as U+FFFD; the files keep "
                           "their bytes, and an old_string or patch line with U+FFFD in it will not match them]\n",
                      bad, bad == 1 ? "" : "s", where, is, is);
}

/* --- read_file ---------------------------------------------------------- */

static void number_lines(const struct hk_buf *file, long first, long last, struct hk_buf *out,
                         long *shown_last, long *total)
{
    long line = 1;
    const char *p = file->data, *end = file->data + file->len;
    *shown_last = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        if (line >= first && line <= last && out->len < READ_MAX_BYTES) {
            hk_buf_printf(out, "%6ld\t", line);
            hk_buf_add(out, p, (size_t)(stop - p));
            hk_buf_addc(out, '\n');
            *shown_last = line;
        }
        p = nl ? nl + 1 : end;
        line++;
    }
    *total = line - 1;
}

static int tool_read_file(const char *root, const cJSON *input, char **out)
{
    const char *path = hk_json_str(input, "path");
    if (!path)
        return fail(out, hk_xstrdup("read_file needs a \"path\""));
    char *abs = NULL, *err = NULL;
    if (hk_path_resolve(root, path, &abs, &err) != 0)
        return fail(out, err);
    struct hk_buf file = {0}, text = {0};
    int rc = 0;
    if (hk_read_file(abs, &file) != 0) {
        rc = fail(out, hk_xasprintf("cannot read %s: %s", path, strerror(errno)));
    } else if (looks_binary(&file)) {
        rc = fail(out, hk_xasprintf("%s is a binary file (%zu bytes); it is not shown as text", path, file.len));
    } else {
        long first = hk_json_int(input, "start_line", 1), last = hk_json_int(input, "end_line", 0);
        if (first < 1)
            first = 1;
        if (last <= 0 || last - first >= READ_MAX_LINES)
            last = first + READ_MAX_LINES - 1;
        long shown_last, total;
        number_lines(&file, first, last, &text, &shown_last, &total);
        if (total == 0)
            hk_buf_printf(&text, "(%s is empty)\n", path);
        else if (shown_last < total || first > 1)
            hk_buf_printf(&text, "[showing lines %ld-%ld of %ld; ask with start_line and end_line for more]\n",
                          first, shown_last, total);
        struct hk_buf clean = {0};
        char *where = hk_xasprintf("in these lines of %s", path);
        note_replaced(&clean, hk_buf_add_utf8(&clean, text.data, text.len), where);
        free(where);
        *out = hk_buf_steal(&clean);
    }
    hk_buf_free(&file);
    hk_buf_free(&text);
    free(abs);
    return rc;
}

/* --- the file list ------------------------------------------------------- */

struct file_list {
    char **paths;
    size_t n;
};

static int by_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_worktree(const char *root, struct file_list *list, char **err)
{
    git_repository *repo = NULL;
    git_status_list *status = NULL;
    git_status_options opts;
    hk_git_init();
    git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
    opts.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                 GIT_STATUS_OPT_INCLUDE_UNMODIFIED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    memset(list, 0, sizeof *list);
    int rc = git_repository_open(&repo, root);
    if (rc == 0)
        rc = git_status_list_new(&status, repo, &opts);
    if (rc != 0) {
        const git_error *e = git_error_last();
        *err = hk_xasprintf("cannot list the files: %s", e ? e->message : "unknown error");
    } else {
        size_t count = git_status_list_entrycount(status);
        list->paths = hk_xcalloc(count + 1, sizeof *list->paths);
        for (size_t i = 0; i < count; i++) {
            const git_status_entry *e = git_status_byindex(status, i);
            if (e->status & GIT_STATUS_WT_DELETED || !e->index_to_workdir)
                continue;
            list->paths[list->n++] = hk_xstrdup(e->index_to_workdir->new_file.path);
        }
        qsort(list->paths, list->n, sizeof *list->paths, by_path);
    }
    git_status_list_free(status);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc == 0 ? 0 : -1;
}

static void free_list(struct file_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->paths[i]);
    free(list->paths);
}

static int matches(const char *glob, const char *path)
{
    if (!glob || !*glob)
        return 1;
    const char *base = strrchr(path, '/');
    /* A glob without a slash may name a file in any directory, as git's do. */
    return fnmatch(glob, path, 0) == 0 || (!strchr(glob, '/') && fnmatch(glob, base ? base + 1 : path, 0) == 0);
}

/* Whether path is scope (a path relative to the root, "" for all) or under it. */
static int in_scope(const char *scope, const char *path)
{
    size_t n = strlen(scope);
    return !n || (!strncmp(path, scope, n) && (path[n] == '\0' || path[n] == '/'));
}

static int climbs(const char *glob)
{
    for (const char *p = glob; (p = strstr(p, "..")) != NULL; p += 2)
        if ((p == glob || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
            return 1;
    return 0;
}

/* The optional "path" and "glob" of list_files and search: the path goes
 * through the same confinement as read_file's; a glob can only match paths
 * inside, so one that names a place outside is refused rather than
 * answered with "no files". */
static int where_to_look(const char *root, const cJSON *input, char **scope, const char **glob, char **out)
{
    char *err = NULL;
    *glob = hk_json_str(input, "glob");
    if (*glob && ((*glob)[0] == '/' || climbs(*glob)))
        return fail(out, hk_xasprintf("glob '%s' is outside the worktree (globs match paths relative to it)", *glob));
    if (hk_path_resolve_scope(root, hk_json_str(input, "path"), scope, &err) != 0)
        return fail(out, err);
    return 0;
}

static int tool_list_files(const char *root, const cJSON *input, char **out)
{
    struct file_list list;
    char *err = NULL, *scope = NULL;
    const char *glob;
    if (where_to_look(root, input, &scope, &glob, out) != 0)
        return -1;
    if (list_worktree(root, &list, &err) != 0) {
        free(scope);
        return fail(out, err);
    }
    struct hk_buf text = {0};
    size_t shown = 0, matched = 0;
    for (size_t i = 0; i < list.n; i++) {
        if (!in_scope(scope, list.paths[i]) || !matches(glob, list.paths[i]))
            continue;
        if (matched++ >= LIST_MAX)
            continue;
        char *abs = hk_path_readable(root, list.paths[i]);
        hk_buf_printf(&text, "%s%s\n", list.paths[i], abs ? "" : " (a symlink that leaves the worktree: not readable)");
        free(abs);
        shown++;
    }
    if (matched == 0)
        hk_buf_printf(&text, "no files match %s%s%s\n", glob ? glob : "", *scope ? " under " : "", scope);
    else if (shown < matched)
        hk_buf_printf(&text, "[%zu more files; narrow the glob]\n", matched - shown);
    free(scope);
    free_list(&list);
    *out = hk_buf_steal(&text);
    return 0;
}

/* --- search ---------------------------------------------------------------- */

static void search_file(const regex_t *re, const char *path, const struct hk_buf *file,
                        struct hk_buf *text, size_t *found, size_t *bad)
{
    const char *p = file->data, *end = file->data + file->len;
    long line = 1;
    char *copy = NULL;
    size_t cap = 0;
    while (p < end && *found < SEARCH_MAX) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        if (len + 1 > cap)
            copy = hk_xrealloc(copy, cap = len + 1);
        memcpy(copy, p, len);
        copy[len] = '\0';
        if (regexec(re, copy, 0, NULL, 0) == 0) {
            size_t cut = len > SEARCH_LINE_MAX ? SEARCH_LINE_MAX : len;
            while (cut < len && cut > 0 && ((unsigned char)copy[cut] & 0xc0) == 0x80)
                cut--; /* not inside a character */
            hk_buf_printf(text, "%s:%ld: ", path, line);
            *bad += hk_buf_add_utf8(text, copy, cut);
            hk_buf_printf(text, "%s\n", cut < len ? "…" : "");
            (*found)++;
        }
        p = nl ? nl + 1 : end;
        line++;
    }
    free(copy);
}

static int tool_search(const char *root, const cJSON *input, char **out)
{
    const char *pattern = hk_json_str(input, "pattern");
    if (!pattern)
        return fail(out, hk_xstrdup("search needs a \"pattern\""));
    regex_t re;
    int rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char why[256];
        regerror(rc, &re, why, sizeof why);
        return fail(out, hk_xasprintf("the pattern %s is not a valid extended regular expression: %s", pattern, why));
    }
    struct file_list list;
    char *err = NULL, *scope = NULL;
    const char *glob;
    if (where_to_look(root, input, &scope, &glob, out) != 0 || list_worktree(root, &list, &err) != 0) {
        regfree(&re);
        free(scope);
        return err ? fail(out, err) : -1;
    }
    struct hk_buf text = {0}, skipped = {0};
    size_t found = 0, bad = 0;
    for (size_t i = 0; i < list.n && found < SEARCH_MAX; i++) {
        if (!in_scope(scope, list.paths[i]) || !matches(glob, list.paths[i]))
            continue;
        /* Each file through the same confinement as read_file: git lists a
         * symlink as a file and never looks where it points. */
        char *abs = hk_path_readable(root, list.paths[i]);
        struct hk_buf file = {0};
        if (!abs)
            hk_buf_printf(&skipped, "%s%s", skipped.len ? ", " : "", list.paths[i]);
        else if (hk_read_file(abs, &file) == 0 && !looks_binary(&file))
            search_file(&re, list.paths[i], &file, &text, &found, &bad);
        hk_buf_free(&file);
        free(abs);
    }
    if (!found)
        hk_buf_printf(&text, "no matches for %s%s%s\n", pattern, *scope ? " under " : "", scope);
    else if (found >= SEARCH_MAX)
        hk_buf_printf(&text, "[stopped at %d matches; narrow the pattern or the glob]\n", SEARCH_MAX);
    note_replaced(&text, bad, "in the lines shown");
    if (skipped.len)
        hk_buf_printf(&text, "[not searched, as symlinks that leave the worktree: %s]\n", skipped.data);
    hk_buf_free(&skipped);
    free(scope);
    regfree(&re);
    free_list(&list);
    *out = hk_buf_steal(&text);
    return 0;
}

int hk_tool_read(const char *root, const char *name, const cJSON *input, char **out)
{
    if (!cJSON_IsObject(input))
        return fail(out, hk_xasprintf("the input of %s must be a JSON object", name));
    if (!strcmp(name, "read_file"))
        return tool_read_file(root, input, out);
    if (!strcmp(name, "list_files"))
        return tool_list_files(root, input, out);
    if (!strcmp(name, "search"))
        return tool_search(root, input, out);
    return fail(out, hk_xasprintf("there is no tool named %s", name));
}

char *hk_tool_summary(const char *name, const cJSON *input)
{
    const char *path = hk_json_str(input, "path");
    if (!strcmp(name, "read_file") && path) {
        long a = hk_json_long(input, "start_line", 0), b = hk_json_long(input, "end_line", 0);
        return a || b ? hk_xasprintf("read_file %s:%ld-%ld", path, a ? a : 1, b) : hk_xasprintf("read_file %s", path);
    }
    if (path)
        return hk_xasprintf("%s %s", name, path);
    const char *arg = hk_json_str(input, "pattern");
    if (!arg)
        arg = hk_json_str(input, "glob");
    if (!arg)
        arg = hk_json_str(input, "command");
    if (arg)
        return hk_xasprintf("%s %.60s", name, arg);
    if (!strcmp(name, "apply_patch"))
        return hk_xstrdup("apply_patch");
    return hk_xstrdup(name);
}

/* The lines of content that is_item accepts. */
static size_t count_lines(const char *content, int (*is_item)(const char *line))
{
    size_t n = 0;
    for (const char *l = content; *l;) {
        n += is_item(l);
        const char *nl = strchr(l, '\n');
        l = nl ? nl + 1 : l + strlen(l);
    }
    return n;
}

static int is_numbered_line(const char *l)
{
    while (*l == ' ')
        l++;
    return *l >= '0' && *l <= '9';
}

static int is_listed_item(const char *l)
{
    return *l && *l != '\n' && *l != '[' && *l != '(' && strncmp(l, "no files match ", 15) != 0 &&
           strncmp(l, "no matches for ", 15) != 0;
}

static char *counted(size_t n, const char *one, const char *many, const char *capped)
{
    return hk_xasprintf("%zu %s%s", n, n == 1 ? one : many, capped ? capped : "");
}

char *hk_tool_result_summary(const char *name, const char *content, int ok)
{
    const char *nl = strchr(content, '\n');
    if (ok && !strcmp(name, "read_file") && !strstr(content, " is empty)\n")) {
        const char *shown = strstr(content, "[showing lines ");
        if (shown) /* "[showing lines 1-200 of 950; ..." */
            return hk_xstrndup(shown + 1, strcspn(shown + 1, ";]\n"));
        return counted(count_lines(content, is_numbered_line), "line", "lines", NULL);
    }
    if (ok && !strcmp(name, "list_files") && strncmp(content, "no files match ", 15) != 0)
        return counted(count_lines(content, is_listed_item), "file", "files",
                       strstr(content, " more files; narrow") ? " and more" : NULL);
    if (ok && !strcmp(name, "search") && strncmp(content, "no matches for ", 15) != 0)
        return counted(count_lines(content, is_listed_item), "match", "matches",
                       strstr(content, "[stopped at ") ? " (capped)" : NULL);
    return hk_xstrndup(content, nl ? (size_t)(nl - content) : strlen(content));
}
