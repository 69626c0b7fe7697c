/* Small helpers every backend file uses: allocation that aborts on failure,
 * a growable byte buffer, and the clocks. */
#ifndef HK_UTIL_H
#define HK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *hk_xmalloc(size_t n);
void *hk_xcalloc(size_t count, size_t size);
void *hk_xrealloc(void *p, size_t n);
char *hk_xstrdup(const char *s);
char *hk_xstrndup(const char *s, size_t n);
/* A fresh string formatted as printf would; aborts only when out of memory. */
char *hk_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *hk_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A growable byte buffer, always NUL-terminated after its len bytes. */
struct hk_buf {
    char *data;
    size_t len;
    size_t cap;
};

void hk_buf_add(struct hk_buf *b, const void *data, size_t n);
void hk_buf_adds(struct hk_buf *b, const char *s);
void hk_buf_addc(struct hk_buf *b, char c);
void hk_buf_printf(struct hk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hk_buf_clear(struct hk_buf *b);
void hk_buf_free(struct hk_buf *b);
/* Appends s[0..len) as valid UTF-8: every byte that is not part of a
 * well-formed sequence (RFC 3629: no overlongs, surrogates or code points
 * past U+10FFFF), and every NUL, becomes U+FFFD. Returns how many bytes
 * were replaced, so that whoever shows the text can say so. */
size_t hk_buf_add_utf8(struct hk_buf *b, const char *s, size_t len);
/* Hands the contents to the caller (never NULL) and leaves b empty. */
char *hk_buf_steal(struct hk_buf *b);

/* Appends the whole file to b; 0, or -1 with errno set. */
int hk_read_file(const char *path, struct hk_buf *b);

/* Milliseconds and microseconds on CLOCK_MONOTONIC (for intervals), and
 * milliseconds since the epoch on CLOCK_REALTIME (for what is shown or
 * journalled as a time of day). */
int64_t hk_now_ms(void);
int64_t hk_now_us(void);
int64_t hk_wall_ms(void);

#endif
