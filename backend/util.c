/* Allocation wrappers, the byte buffer and the clock. Allocation failure is
 * not recoverable in an interactive tool, so it aborts here, in one place. */
#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void out_of_memory(void)
{
    fputs("honk: out of memory\n", stderr);
    abort();
}

void *hk_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *hk_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *hk_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

char *hk_xstrdup(const char *s)
{
    return hk_xstrndup(s, strlen(s));
}

char *hk_xstrndup(const char *s, size_t n)
{
    char *p = hk_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *hk_xvasprintf(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        abort();
    char *p = hk_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *hk_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = hk_xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

static void buf_reserve(struct hk_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = hk_xrealloc(b->data, cap);
    b->cap = cap;
}

void hk_buf_add(struct hk_buf *b, const void *data, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void hk_buf_adds(struct hk_buf *b, const char *s)
{
    hk_buf_add(b, s, strlen(s));
}

void hk_buf_addc(struct hk_buf *b, char c)
{
    hk_buf_add(b, &c, 1);
}

void hk_buf_printf(struct hk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = hk_xvasprintf(fmt, ap);
    va_end(ap);
    hk_buf_adds(b, s);
    free(s);
}

void hk_buf_clear(struct hk_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void hk_buf_free(struct hk_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *hk_buf_steal(struct hk_buf *b)
{
    char *s = b->data ? b->data : hk_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

int hk_read_file(const char *path, struct hk_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        hk_buf_add(b, chunk, n);
    int failed = ferror(f);
    fclose(f);
    if (failed)
        errno = EIO;
    return failed ? -1 : 0;
}

static int64_t clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t hk_now_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}

int64_t hk_now_ms(void)
{
    return clock_us(CLOCK_MONOTONIC) / 1000;
}

int64_t hk_wall_ms(void)
{
    return clock_us(CLOCK_REALTIME) / 1000;
}

/* The length of the well-formed UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c >= 0x01 && c <= 0x7f)
        return 1;
    size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!len || len > n)
        return 0;
    /* The second byte's range is narrower after E0, ED, F0 and F4. */
    unsigned lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    unsigned hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return len;
}

size_t hk_buf_add_utf8(struct hk_buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    size_t bad = 0;
    while (p < end) {
        const unsigned char *run = p;
        size_t n;
        while (p < end && (n = utf8_seq(p, (size_t)(end - p))) > 0)
            p += n;
        hk_buf_add(b, run, (size_t)(p - run));
        if (p < end) {
            hk_buf_add(b, "\xef\xbf\xbd", 3);
            bad++;
            p++;
        }
    }
    if (!b->data)
        hk_buf_add(b, "", 0);
    return bad;
}
