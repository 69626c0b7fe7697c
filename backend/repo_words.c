/* Intra-line highlighting: which deleted line each added line replaced, and
 * which words changed between them, by an LCS over word, space and
 * punctuation tokens. */
#include "repo_words.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Above this many token pairs, the changed middle is marked as one span
 * rather than spending quadratic time on a pathological line. */
#define LCS_LIMIT (256 * 256)

#define PAIR_WINDOW 16 /* added lines searched for a deleted line's partner */

static int is_word(unsigned char c)
{
    return c == '_' || c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void push_tok(struct words_side *s, unsigned start, unsigned end)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->tok = hk_xrealloc(s->tok, s->cap * sizeof *s->tok);
        s->changed = hk_xrealloc(s->changed, s->cap);
    }
    s->tok[s->n].start = start;
    s->tok[s->n].end = end;
    s->changed[s->n] = 1;
    s->n++;
}

static void tokenize(struct words_side *s, const char *text, unsigned len)
{
    s->text = text;
    s->n = 0;
    unsigned i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        unsigned j = i + 1;
        if (is_word(c))
            while (j < len && is_word((unsigned char)text[j]))
                j++;
        else if (is_space(c))
            while (j < len && is_space((unsigned char)text[j]))
                j++;
        push_tok(s, i, j);
        i = j;
    }
}

static int tok_eq(const struct words_side *a, size_t i, const struct words_side *b, size_t j)
{
    unsigned la = a->tok[i].end - a->tok[i].start, lb = b->tok[j].end - b->tok[j].start;
    return la == lb && memcmp(a->text + a->tok[i].start, b->text + b->tok[j].start, la) == 0;
}

/* Marks the tokens of the LCS of a[ia..ia+n) and b[ib..ib+m) as unchanged. */
static void lcs(struct words_scratch *w, size_t ia, size_t n, size_t ib, size_t m)
{
    struct words_side *a = &w->a, *b = &w->b;
    size_t cols = m + 1, need = (n + 1) * cols;
    if (need > w->tabcap) {
        w->tabcap = need;
        w->tab = hk_xrealloc(w->tab, need * sizeof *w->tab);
    }
    unsigned *t = w->tab;
    for (size_t i = n + 1; i-- > 0;)
        for (size_t j = m + 1; j-- > 0;) {
            if (i == n || j == m)
                t[i * cols + j] = 0;
            else if (tok_eq(a, ia + i, b, ib + j))
                t[i * cols + j] = t[(i + 1) * cols + j + 1] + 1;
            else {
                unsigned down = t[(i + 1) * cols + j], right = t[i * cols + j + 1];
                t[i * cols + j] = down > right ? down : right;
            }
        }
    size_t i = 0, j = 0;
    while (i < n && j < m) {
        if (tok_eq(a, ia + i, b, ib + j)) {
            a->changed[ia + i++] = 0;
            b->changed[ib + j++] = 0;
        } else if (t[(i + 1) * cols + j] >= t[i * cols + j + 1]) {
            i++;
        } else {
            j++;
        }
    }
}

static unsigned emit(const struct words_side *s, struct hk_diff_span *out, unsigned max)
{
    unsigned n = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!s->changed[i])
            continue;
        if (n && (out[n - 1].end == s->tok[i].start || n == max))
            out[n - 1].end = s->tok[i].end;
        else if (n < max)
            out[n++] = (struct hk_diff_span){s->tok[i].start, s->tok[i].end};
    }
    return n;
}

/* Whether the two lines share anything but whitespace: if not, highlighting
 * every byte says nothing the line colour does not already say. */
static int share_words(const struct words_side *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (!s->changed[i] && !is_space((unsigned char)s->text[s->tok[i].start]))
            return 1;
    return 0;
}

void hk_words_diff(struct words_scratch *w, const char *a, unsigned alen, const char *b,
                unsigned blen, struct hk_diff_span *sa, unsigned *na, struct hk_diff_span *sb,
                unsigned *nb, unsigned max)
{
    tokenize(&w->a, a, alen);
    tokenize(&w->b, b, blen);
    size_t n = w->a.n, m = w->b.n, pre = 0, suf = 0;
    while (pre < n && pre < m && tok_eq(&w->a, pre, &w->b, pre)) {
        w->a.changed[pre] = w->b.changed[pre] = 0;
        pre++;
    }
    while (suf < n - pre && suf < m - pre && tok_eq(&w->a, n - 1 - suf, &w->b, m - 1 - suf)) {
        w->a.changed[n - 1 - suf] = w->b.changed[m - 1 - suf] = 0;
        suf++;
    }
    size_t mn = n - pre - suf, mm = m - pre - suf;
    if (mn && mm && (mn + 1) * (mm + 1) <= LCS_LIMIT)
        lcs(w, pre, mn, pre, mm);
    if (!share_words(&w->a)) {
        *na = *nb = 0;
        return;
    }
    *na = emit(&w->a, sa, max);
    *nb = emit(&w->b, sb, max);
}

void hk_words_scratch_free(struct words_scratch *w)
{
    free(w->a.tok);
    free(w->a.changed);
    free(w->b.tok);
    free(w->b.changed);
    free(w->tab);
}

void hk_diff_word_spans(const char *a, unsigned alen, const char *b, unsigned blen,
                        struct hk_diff_span *sa, unsigned *na, struct hk_diff_span *sb,
                        unsigned *nb, unsigned max)
{
    struct words_scratch w = {0};
    hk_words_diff(&w, a, alen, b, blen, sa, na, sb, nb, max);
    hk_words_scratch_free(&w);
}

/* Cheap likeness of two lines: shared prefix and suffix bytes over the longer length. */
static double likeness(const struct hk_diff_line *a, const struct hk_diff_line *b)
{
    unsigned n = a->len < b->len ? a->len : b->len, max = a->len > b->len ? a->len : b->len;
    unsigned pre = 0, suf = 0;
    if (!max)
        return 1.0;
    while (pre < n && a->content[pre] == b->content[pre])
        pre++;
    while (suf < n - pre && a->content[a->len - 1 - suf] == b->content[b->len - 1 - suf])
        suf++;
    return (double)(pre + suf) / max;
}

/* Pairs the deleted lines dels[0..nd) with the added lines adds[0..na). */
static void pair_block(const struct hk_diff_line *l, const int *dels, int nd, const int *adds, int na,
                       int *pair)
{
    if (nd == na) {
        for (int i = 0; i < nd; i++)
            pair[dels[i]] = adds[i], pair[adds[i]] = dels[i];
        return;
    }
    int next = 0;
    for (int i = 0; i < nd && next < na; i++) {
        int best = na;
        double best_score = 0.5;
        for (int j = next; j < na && j < next + PAIR_WINDOW; j++) {
            double s = likeness(&l[dels[i]], &l[adds[j]]);
            if (s >= best_score) {
                best_score = s;
                best = j;
            }
        }
        if (best == na)
            continue;
        pair[dels[i]] = adds[best], pair[adds[best]] = dels[i];
        next = best + 1;
    }
}

void hk_diff_pair_lines(const struct hk_diff_line *lines, int n, int *pair)
{
    int *dels = hk_xmalloc(2 * (size_t)(n > 0 ? n : 1) * sizeof *dels), *adds = dels + n;
    for (int i = 0; i < n; i++)
        pair[i] = -1;
    for (int i = 0; i < n;) {
        int nd = 0, na = 0;
        for (; i < n && lines[i].kind != HK_DIFF_LINE_CONTEXT && lines[i].kind != HK_DIFF_LINE_ADD; i++)
            if (lines[i].kind == HK_DIFF_LINE_DELETE)
                dels[nd++] = i;
        for (; i < n && lines[i].kind != HK_DIFF_LINE_CONTEXT && lines[i].kind != HK_DIFF_LINE_DELETE; i++)
            if (lines[i].kind == HK_DIFF_LINE_ADD)
                adds[na++] = i;
        if (nd && na)
            pair_block(lines, dels, nd, adds, na, pair);
        if (!nd && !na)
            i++;
    }
    free(dels);
}
