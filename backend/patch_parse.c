/* Parses patches as git, diff -u and models write them (unified diffs, loose ones
 * included) and the `*** Begin Patch` envelope, into files and hunks. */
#include "patch_internal.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    struct lines in;
    size_t i;
    int strip;
    struct spec *s;
    char *err;
};

static const char *cur(struct parser *p)
{
    return p->in.v[p->i].text;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int fail(struct parser *p, size_t idx, const char *why)
{
    const char *t = idx < p->in.n ? p->in.v[idx].text : "";
    p->err = hk_xasprintf("malformed patch at line %zu: %s ('%.60s')", idx + 1, why, t);
    return -1;
}

static struct spec_file *new_file(struct parser *p)
{
    struct spec *s = p->s;
    s->files = hk_patch_grow(s->files, s->nfiles, sizeof *s->files);
    struct spec_file *f = &s->files[s->nfiles++];
    memset(f, 0, sizeof *f);
    f->lineno = (int)p->i + 1;
    return f;
}

static struct spec_hunk *new_hunk(struct spec_file *f, int lineno)
{
    f->hunks = hk_patch_grow(f->hunks, f->nhunks, sizeof *f->hunks);
    struct spec_hunk *h = &f->hunks[f->nhunks++];
    memset(h, 0, sizeof *h);
    h->lineno = lineno;
    return h;
}

/* Undoes C-style quoting of a path as git writes it ("a/t\303\244b"). */
static char *unquote(const char *s, size_t n)
{
    if (n < 2 || s[0] != '"')
        return hk_xstrndup(s, n);
    struct hk_buf b = {0};
    for (size_t i = 1; i < n && s[i] != '"'; i++) {
        if (s[i] != '\\' || i + 1 >= n) {
            hk_buf_addc(&b, s[i]);
            continue;
        }
        char c = s[++i];
        if (c >= '0' && c <= '7' && i + 2 < n) {
            hk_buf_addc(&b, (char)((c - '0') * 64 + (s[i + 1] - '0') * 8 + (s[i + 2] - '0')));
            i += 2;
            continue;
        }
        hk_buf_addc(&b, c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c);
    }
    return hk_buf_steal(&b);
}

static char *strip_path(char *path, int strip, int is_old)
{
    if (!path || strcmp(path, "/dev/null") == 0) {
        free(path);
        return NULL;
    }
    const char *p = path;
    if (strip < 0) {
        if (starts(p, is_old ? "a/" : "b/"))
            p += 2;
    } else {
        for (int k = 0; k < strip; k++) {
            const char *slash = strchr(p, '/');
            if (!slash)
                break;
            p = slash + 1;
        }
    }
    char *r = hk_xstrdup(p);
    free(path);
    return r;
}

/* The path of a "--- x" / "+++ x" line, timestamps dropped. */
static char *header_path(const char *s, int strip, int is_old)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    if (s[0] != '"') {
        const char *tab = strchr(s, '\t');
        if (tab)
            n = (size_t)(tab - s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\r')) /* git quotes a real "\r" */
            n--;
    }
    return strip_path(unquote(s, n), strip, is_old);
}

/* "diff --git a/x b/x": the names when no ---/+++ lines follow. */
static void git_names(struct spec_file *f, const char *s, int strip)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == '\r')
        n--;
    if (s[0] == '"') {
        const char *end = strchr(s + 1, '"');
        while (end && end[-1] == '\\')
            end = strchr(end + 1, '"');
        if (!end)
            return;
        f->old_path = strip_path(unquote(s, (size_t)(end - s) + 1), strip, 1);
        f->new_path = header_path(end + 1, strip, 0);
        return;
    }
    size_t mid = n / 2;
    if (n % 2 == 0 || s[mid] != ' ')
        return;
    f->old_path = strip_path(hk_xstrndup(s, mid), strip, 1);
    f->new_path = strip_path(hk_xstrndup(s + mid + 1, n - mid - 1), strip, 0);
}

static unsigned parse_mode(const char *s)
{
    return (unsigned)strtoul(s, NULL, 8) & 0777;
}

static int parse_range(const char **s, int *start, int *count)
{
    char *end;
    long v = strtol(*s, &end, 10);
    if (end == *s)
        return -1;
    *start = (int)v;
    *count = 1;
    if (*end == ',') {
        const char *c = end + 1;
        v = strtol(c, &end, 10);
        if (end == c)
            return -1;
        *count = (int)v;
    }
    *s = end;
    return 0;
}

/* "@@ -a,b +c,d @@ ..." or "@@ @@" or "@@ anchor". */
static int hunk_header(struct parser *p, struct spec_hunk *h)
{
    const char *s = cur(p) + 2;
    while (*s == ' ')
        s++;
    if (*s == '-' && isdigit((unsigned char)s[1])) {
        s++;
        if (parse_range(&s, &h->old_start, &h->old_count) < 0)
            return fail(p, p->i, "malformed hunk header");
        while (*s == ' ')
            s++;
        if (*s != '+' || (s++, parse_range(&s, &h->new_start, &h->new_count) < 0))
            return fail(p, p->i, "malformed hunk header, expected '+start,count'");
        h->numbered = 1;
        return 0;
    }
    if (*s == '-' || *s == '+')
        return fail(p, p->i, "malformed hunk header, expected '@@ -start,count +start,count @@'");
    /* "@@ @@ heading": git's section heading, the nearest function line above
     * the hunk (a prefix of it, as git cuts it at 80 bytes); "@@ text @@" or
     * "@@ text": a line the hunk comes after. Either way the hunk is placed
     * only where its context matches after that line. */
    if (starts(s, "@@")) {
        s += 2;
        h->heading = 1;
    }
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    if (n >= 2 && strcmp(s + n - 2, "@@") == 0)
        n -= 2;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n) {
        h->anchors = hk_xmalloc(sizeof *h->anchors);
        h->anchors[h->nanchors++] = hk_xstrndup(s, n);
    }
    return 0;
}

static int is_file_start(struct parser *p, size_t i)
{
    const char *t = p->in.v[i].text;
    return starts(t, "--- ") && i + 1 < p->in.n && starts(p->in.v[i + 1].text, "+++ ");
}

/* Drops lines a hunk's counts say are not its own (a mail signature, blank lines
 * between hunks); keeps extra real lines, as models undercount. */
static void trim_extra(struct spec_hunk *h, size_t cut, int junk_only, size_t trailing_blank)
{
    size_t keep = h->lines.n;
    if (h->numbered && cut && junk_only)
        keep = cut;
    else if (!h->numbered || cut)
        keep = trailing_blank < keep ? keep - trailing_blank : keep;
    if (keep < cut)
        keep = cut;
    h->lines.n = keep;
}

static int unified_body(struct parser *p, struct spec_hunk *h)
{
    int olds = 0, news = 0, junk_only = 1;
    size_t cut = 0, trailing_blank = 0;
    for (; p->i < p->in.n; p->i++) {
        const char *t = cur(p);
        char c = t[0];
        if (c == '\\') {
            if (h->lines.n)
                h->lines.v[h->lines.n - 1].noeol = 1;
            continue;
        }
        if (c == '-' && is_file_start(p, p->i))
            break;
        if (c != ' ' && c != '+' && c != '-' && c != '\0')
            break;
        enum hk_line_kind k = c == '+' ? HK_LINE_ADD : c == '-' ? HK_LINE_DEL : HK_LINE_CONTEXT;
        if (cut && !(c == '\0' || strcmp(t, "-- ") == 0))
            junk_only = 0;
        trailing_blank = c == '\0' ? trailing_blank + 1 : 0;
        hk_patch_lines_push(&h->lines, k, t + (c != '\0'), p->in.v[p->i].len - (c != '\0'), 0);
        olds += k != HK_LINE_ADD;
        news += k != HK_LINE_DEL;
        if (h->numbered && !cut && olds >= h->old_count && news >= h->new_count)
            cut = h->lines.n;
    }
    trim_extra(h, cut, junk_only, trailing_blank);
    if (!h->lines.n && !(h->numbered && h->old_count == 0 && h->new_count == 0))
        return fail(p, (size_t)h->lineno - 1, "hunk has no lines");
    return 0;
}

static int unified_hunks(struct parser *p, struct spec_file *f)
{
    while (p->i < p->in.n && starts(cur(p), "@@")) {
        struct spec_hunk *h = new_hunk(f, (int)p->i + 1);
        if (hunk_header(p, h) < 0)
            return -1;
        p->i++;
        if (unified_body(p, h) < 0)
            return -1;
    }
    return 0;
}

static void plain_names(struct parser *p, struct spec_file *f)
{
    char *o = header_path(cur(p) + 4, p->strip, 1);
    char *n = header_path(p->in.v[p->i + 1].text + 4, p->strip, 0);
    free(f->old_path);
    free(f->new_path);
    f->old_path = o;
    f->new_path = n;
    f->is_new |= o == NULL;
    f->is_delete |= n == NULL;
    p->i += 2;
}

/* A name to the end of the line, without a "\r" a CRLF channel left (git
 * quotes a name that really ends in one). */
static size_t name_len(const char *v)
{
    size_t n = strlen(v);
    while (n && v[n - 1] == '\r')
        n--;
    return n;
}

static int git_header_line(struct parser *p, struct spec_file *f)
{
    const char *t = cur(p);
    if (starts(t, "old mode "))
        f->old_mode = parse_mode(t + 9);
    else if (starts(t, "new mode "))
        f->new_mode = parse_mode(t + 9);
    else if (starts(t, "deleted file mode ")) {
        f->is_delete = 1;
        f->old_mode = parse_mode(t + 18);
    } else if (starts(t, "new file mode ")) {
        f->is_new = 1;
        f->new_mode = parse_mode(t + 14);
    } else if (starts(t, "rename from ") || starts(t, "copy from ")) {
        const char *v = t + (t[0] == 'r' ? 12 : 10);
        free(f->old_path);
        f->old_path = unquote(v, name_len(v));
        f->is_rename |= t[0] == 'r';
        f->is_copy |= t[0] == 'c';
    } else if (starts(t, "rename to ") || starts(t, "copy to ")) {
        const char *v = t + (t[0] == 'r' ? 10 : 8);
        free(f->new_path);
        f->new_path = unquote(v, name_len(v));
    } else if (starts(t, "Binary files ") || starts(t, "GIT binary patch")) {
        f->binary = 1;
    } else if (!(starts(t, "index ") || starts(t, "similarity index") ||
                 starts(t, "dissimilarity index") || (f->binary && !starts(t, "diff --git ")))) {
        return 0;
    }
    return 1;
}

static int git_file(struct parser *p)
{
    struct spec_file *f = new_file(p);
    git_names(f, cur(p) + 11, p->strip);
    for (p->i++; p->i < p->in.n && git_header_line(p, f); p->i++)
        ;
    if (f->is_new) {
        free(f->old_path);
        f->old_path = NULL;
    }
    if (f->is_delete) {
        free(f->new_path);
        f->new_path = NULL;
    }
    if (p->i < p->in.n && is_file_start(p, p->i))
        plain_names(p, f);
    if (!f->old_path && !f->new_path)
        return fail(p, (size_t)f->lineno - 1, "cannot tell the file's name");
    if ((f->is_rename || f->is_copy) && (!f->old_path || !f->new_path))
        return fail(p, (size_t)f->lineno - 1, f->is_rename
                    ? "a rename needs both names ('rename from' and 'rename to')"
                    : "a copy needs both names ('copy from' and 'copy to')");
    return unified_hunks(p, f);
}

static int plain_file(struct parser *p)
{
    struct spec_file *f = new_file(p);
    plain_names(p, f);
    if (!f->old_path && !f->new_path)
        return fail(p, (size_t)f->lineno - 1, "both sides are /dev/null");
    if (p->i >= p->in.n || !starts(cur(p), "@@"))
        return fail(p, p->i, "expected a hunk header '@@' after the file names");
    return unified_hunks(p, f);
}

/* ---- the *** Begin Patch envelope ---- */

static char *env_path(const char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return hk_xstrndup(s, n);
}

static void env_add(struct parser *p, struct spec_file *f)
{
    struct spec_hunk *h = new_hunk(f, (int)p->i + 1);
    h->numbered = 1;
    for (p->i++; p->i < p->in.n && !starts(cur(p), "*** "); p->i++) {
        const char *t = cur(p);
        int plus = t[0] == '+';
        hk_patch_lines_push(&h->lines, HK_LINE_ADD, t + plus, strlen(t) - plus, 0);
    }
    h->new_start = 1;
    h->new_count = (int)h->lines.n;
}

static void add_anchor(struct spec_hunk *h, const char *t)
{
    while (*t == ' ')
        t++;
    if (!*t)
        return;
    h->anchors = hk_patch_grow(h->anchors, h->nanchors, sizeof *h->anchors);
    h->anchors[h->nanchors++] = env_path(t);
}

static int env_update(struct parser *p, struct spec_file *f)
{
    struct spec_hunk *h = NULL;
    size_t start = p->i;
    for (p->i++; p->i < p->in.n; p->i++) {
        const char *t = cur(p);
        if (starts(t, "*** Move to:")) {
            free(f->new_path);
            f->new_path = env_path(t + 12);
            f->is_rename = 1;
        } else if (starts(t, "*** End of File")) {
            if (h)
                h->at_eof = 1;
        } else if (starts(t, "*** ")) {
            break;
        } else if (starts(t, "@@")) {
            if (!h || h->lines.n)
                h = new_hunk(f, (int)p->i + 1);
            add_anchor(h, t + 2);
        } else if (t[0] == ' ' || t[0] == '+' || t[0] == '-' || t[0] == '\0') {
            if (!h)
                h = new_hunk(f, (int)p->i + 1);
            enum hk_line_kind k = t[0] == '+' ? HK_LINE_ADD
                                  : t[0] == '-' ? HK_LINE_DEL : HK_LINE_CONTEXT;
            hk_patch_lines_push(&h->lines, k, t + (t[0] != '\0'), strlen(t) - (t[0] != '\0'), 0);
        } else {
            return fail(p, p->i, "expected a line starting with ' ', '+', '-' or '@@'");
        }
    }
    for (size_t k = 0; k < f->nhunks; k++)
        if (!f->hunks[k].lines.n)
            return fail(p, (size_t)f->hunks[k].lineno - 1, "hunk has no lines");
    if (!f->nhunks && !f->is_rename)
        return fail(p, start, "Update File has no hunks");
    return 0;
}

static int envelope(struct parser *p)
{
    for (p->i++; p->i < p->in.n; ) {
        const char *t = cur(p);
        if (starts(t, "*** End Patch")) {
            p->i++;
            return 0;
        }
        if (t[0] == '\0') {
            p->i++;
            continue;
        }
        struct spec_file *f;
        if (starts(t, "*** Add File:")) {
            f = new_file(p);
            f->new_path = env_path(t + 13);
            f->is_new = 1;
            env_add(p, f);
        } else if (starts(t, "*** Delete File:")) {
            f = new_file(p);
            f->old_path = env_path(t + 16);
            f->is_delete = 1;
            p->i++;
        } else if (starts(t, "*** Update File:")) {
            f = new_file(p);
            f->old_path = env_path(t + 16);
            f->new_path = hk_xstrdup(f->old_path);
            if (env_update(p, f) < 0)
                return -1;
        } else {
            return fail(p, p->i, "expected '*** Add File:', '*** Delete File:', "
                                 "'*** Update File:' or '*** End Patch'");
        }
    }
    return 0;
}

/* The patch's lines point into one copy of it with every "\n" made a NUL. */
static void split_input(struct parser *p, const char *text)
{
    size_t len = strlen(text);
    char *buf = p->s->buf = hk_xmalloc(len + 1);
    memcpy(buf, text, len + 1);
    hk_patch_lines_split(&p->in, buf, len);
    size_t cr = 0;
    for (size_t i = 0; i < p->in.n; i++) {
        struct hk_patch_line *l = &p->in.v[i];
        l->text[l->len] = '\0';
        cr += l->len && l->text[l->len - 1] == '\r';
    }
    /* A patch that went through a CRLF channel (a Windows clipboard, a chat)
     * has "\r" on every line but empty ones (a blank line added when patches
     * are joined, the end of the text): take one off each. */
    size_t empty = 0;
    for (size_t i = 0; i < p->in.n; i++)
        empty += p->in.v[i].len == 0;
    if (!cr || cr + empty != p->in.n)
        return;
    for (size_t i = 0; i < p->in.n; i++)
        if (p->in.v[i].len)
            p->in.v[i].text[--p->in.v[i].len] = '\0';
}

static int parse_all(struct parser *p)
{
    while (p->i < p->in.n) {
        const char *t = cur(p);
        int rc = 0;
        if (starts(t, "*** Begin Patch"))
            rc = envelope(p);
        else if (starts(t, "diff --git "))
            rc = git_file(p);
        else if (is_file_start(p, p->i))
            rc = plain_file(p);
        else if (starts(t, "@@") && !p->s->nfiles)
            return fail(p, p->i, "a hunk before any file header ('--- a/path', '+++ b/path')");
        else
            p->i++;
        if (rc < 0)
            return -1;
    }
    if (!p->s->nfiles) {
        p->err = hk_xstrdup("the patch has no file changes: expected 'diff --git', "
                            "'--- a/path' and '+++ b/path', or '*** Begin Patch'");
        return -1;
    }
    return 0;
}

int hk_patch_spec_parse(const char *text, int strip, struct spec *out, char **err)
{
    struct parser p = {.strip = strip, .s = out};
    memset(out, 0, sizeof *out);
    split_input(&p, text);
    int rc = parse_all(&p);
    hk_patch_lines_free(&p.in);
    if (rc < 0) {
        hk_patch_spec_free(out);
        *err = p.err;
    }
    return rc;
}

static void swap_int(int *a, int *b)
{
    int t = *a;
    *a = *b;
    *b = t;
}

void hk_patch_spec_reverse(struct spec *s)
{
    for (size_t i = 0; i < s->nfiles; i++) {
        struct spec_file *f = &s->files[i];
        char *t = f->old_path;
        f->old_path = f->new_path;
        f->new_path = t;
        swap_int(&f->is_new, &f->is_delete);
        unsigned m = f->old_mode;
        f->old_mode = f->new_mode;
        f->new_mode = m;
        for (size_t k = 0; k < f->nhunks; k++) {
            struct spec_hunk *h = &f->hunks[k];
            swap_int(&h->old_start, &h->new_start);
            swap_int(&h->old_count, &h->new_count);
            for (size_t j = 0; j < h->lines.n; j++) {
                struct hk_patch_line *l = &h->lines.v[j];
                l->kind = l->kind == HK_LINE_ADD ? HK_LINE_DEL
                          : l->kind == HK_LINE_DEL ? HK_LINE_ADD : l->kind;
            }
        }
    }
}

void hk_patch_spec_free(struct spec *s)
{
    for (size_t i = 0; i < s->nfiles; i++) {
        struct spec_file *f = &s->files[i];
        for (size_t k = 0; k < f->nhunks; k++) {
            for (size_t j = 0; j < f->hunks[k].nanchors; j++)
                free(f->hunks[k].anchors[j]);
            free(f->hunks[k].anchors);
            hk_patch_lines_free(&f->hunks[k].lines);
        }
        free(f->hunks);
        free(f->old_path);
        free(f->new_path);
    }
    free(s->files);
    free(s->buf);
    memset(s, 0, sizeof *s);
}
