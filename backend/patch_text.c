/* Lines for the patch engine: splitting and joining bytes exactly, comparing
 * lines strictly or loosely, and a small line diff for display and write_file. */
#include "patch_internal.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define DIFF_MAX_CELLS (4u * 1024 * 1024)

void *hk_patch_grow(void *v, size_t n, size_t size)
{
    if (n & (n - 1))
        return v;
    return hk_xrealloc(v, (n ? 2 * n : 1) * size);
}

void hk_patch_lines_push(struct lines *l, enum hk_line_kind kind, const char *s, size_t len, int noeol)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = hk_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (struct hk_patch_line){kind, (char *)s, len, noeol};
}

char *hk_patch_lines_own(struct lines *l, char *s)
{
    l->own = hk_patch_grow(l->own, l->nown, sizeof *l->own);
    l->own[l->nown++] = s;
    return s;
}

void hk_patch_lines_free(struct lines *l)
{
    for (size_t i = 0; i < l->nown; i++)
        free(l->own[i]);
    free(l->own);
    free(l->v);
    memset(l, 0, sizeof *l);
}

struct hk_patch_line *hk_patch_lines_pack(const struct hk_patch_line *v, size_t n)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += v[i].len + 1;
    struct hk_patch_line *out = hk_xmalloc(n * sizeof *out + bytes + 1);
    char *t = (char *)(out + n);
    for (size_t i = 0; i < n; i++) {
        out[i] = v[i];
        out[i].text = t;
        memcpy(t, v[i].text, v[i].len);
        t[v[i].len] = '\0';
        t += v[i].len + 1;
    }
    return out;
}

static size_t count_lines(const char *data, size_t len)
{
    size_t n = 0;
    for (const char *p = data, *end = data + len; p < end; n++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    return n;
}

struct hk_patch_line *hk_patch_lines_from_bytes(const char *data, size_t len, size_t *n)
{
    *n = count_lines(data, len);
    struct hk_patch_line *out = hk_xmalloc(*n * sizeof *out + len + 1);
    char *t = (char *)(out + *n);
    if (len)
        memcpy(t, data, len);
    t[len] = '\0';
    size_t i = 0, k = 0;
    while (i < len) {
        char *nl = memchr(t + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - t) : len;
        t[end] = '\0';
        out[k++] = (struct hk_patch_line){HK_LINE_CONTEXT, t + i, end - i, nl == NULL};
        i = end + 1;
    }
    return out;
}

void hk_patch_lines_free_array(struct hk_patch_line *v, size_t n)
{
    (void)n;
    free(v);
}

void hk_patch_lines_split(struct lines *l, const char *data, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - data) : len;
        hk_patch_lines_push(l, HK_LINE_CONTEXT, data + i, end - i, nl == NULL);
        i = end + 1;
    }
}

char *hk_patch_lines_join(const struct hk_patch_line *v, size_t n, size_t *len)
{
    struct hk_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        hk_buf_add(&b, v[i].text, v[i].len);
        if (!(v[i].noeol && i == n - 1))
            hk_buf_addc(&b, '\n');
    }
    *len = b.len;
    return hk_buf_steal(&b);
}

int hk_patch_line_eq(const struct hk_patch_line *a, const struct hk_patch_line *b)
{
    return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static void trim(const struct hk_patch_line *l, int lead, const char **s, size_t *n)
{
    const char *p = l->text;
    size_t len = l->len;
    while (len && blank(p[len - 1]))
        len--;
    while (lead && len && blank(*p)) {
        p++;
        len--;
    }
    *s = p;
    *n = len;
}

int hk_patch_line_eq_loose(const struct hk_patch_line *a, const struct hk_patch_line *b, int lead)
{
    const char *sa, *sb;
    size_t na, nb;
    trim(a, lead, &sa, &na);
    trim(b, lead, &sb, &nb);
    return na == nb && memcmp(sa, sb, na) == 0;
}

int hk_patch_is_binary(const char *data, size_t len)
{
    return memchr(data, '\0', len < 8000 ? len : 8000) != NULL;
}

static void push_copy(struct lines *out, enum hk_line_kind k, const struct hk_patch_line *l)
{
    hk_patch_lines_push(out, k, l->text, l->len, l->noeol);
}

static int same(const struct hk_patch_line *a, const struct hk_patch_line *b)
{
    return hk_patch_line_eq(a, b) && a->noeol == b->noeol;
}

/* LCS table over the middle part; small inputs only. */
static void diff_middle(const struct hk_patch_line *a, size_t na, const struct hk_patch_line *b,
                        size_t nb, struct lines *out)
{
    if ((size_t)(na + 1) * (nb + 1) > DIFF_MAX_CELLS) {
        for (size_t i = 0; i < na; i++)
            push_copy(out, HK_LINE_DEL, &a[i]);
        for (size_t j = 0; j < nb; j++)
            push_copy(out, HK_LINE_ADD, &b[j]);
        return;
    }
    unsigned *t = hk_xcalloc((na + 1) * (nb + 1), sizeof *t);
#define T(i, j) t[(i) * (nb + 1) + (j)]
    for (size_t i = na; i-- > 0;)
        for (size_t j = nb; j-- > 0;)
            T(i, j) = same(&a[i], &b[j]) ? T(i + 1, j + 1) + 1
                      : (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        if (i < na && j < nb && same(&a[i], &b[j])) {
            push_copy(out, HK_LINE_CONTEXT, &a[i]);
            i++, j++;
        } else if (i < na && (j == nb || T(i + 1, j) >= T(i, j + 1))) {
            push_copy(out, HK_LINE_DEL, &a[i++]);
        } else {
            push_copy(out, HK_LINE_ADD, &b[j++]);
        }
    }
#undef T
    free(t);
}

void hk_patch_diff_lines(const struct hk_patch_line *a, size_t na, const struct hk_patch_line *b,
                size_t nb, struct lines *out)
{
    size_t pre = 0, suf = 0;
    while (pre < na && pre < nb && same(&a[pre], &b[pre]))
        pre++;
    while (suf < na - pre && suf < nb - pre && same(&a[na - 1 - suf], &b[nb - 1 - suf]))
        suf++;
    for (size_t i = 0; i < pre; i++)
        push_copy(out, HK_LINE_CONTEXT, &a[i]);
    diff_middle(a + pre, na - pre - suf, b + pre, nb - pre - suf, out);
    for (size_t i = na - suf; i < na; i++)
        push_copy(out, HK_LINE_CONTEXT, &a[i]);
}

/* A name as a message shows it: control bytes (a "\r" from a CRLF channel)
 * written out as git quotes them, so the sentence says what the name really is. */
char *hk_patch_shown_name(const char *name)
{
    struct hk_buf b = {0};
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        if (*c >= 0x20 && *c != 0x7f)
            hk_buf_addc(&b, (char)*c);
        else if (*c == '\r' || *c == '\t')
            hk_buf_adds(&b, *c == '\r' ? "\\r" : "\\t");
        else
            hk_buf_printf(&b, "\\%03o", *c);
    }
    return b.data ? hk_buf_steal(&b) : hk_xstrdup("");
}
