/* backend/util.c: the clocks, and formatting into a fresh string. */
#include "check.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

TEST(wall_clock_is_the_time_of_day_in_ms)
{
    int64_t before = (int64_t)time(NULL) * 1000;
    int64_t wall = hk_wall_ms();
    int64_t after = (int64_t)time(NULL) * 1000 + 1000;
    CHECK(wall >= before && wall <= after, "%lld not in [%lld, %lld]", (long long)wall, (long long)before,
          (long long)after);
}

TEST(monotonic_us_and_ms_are_one_clock)
{
    int64_t ms = hk_now_ms();
    int64_t us = hk_now_us();
    int64_t ms2 = hk_now_ms();
    CHECK(us / 1000 >= ms && us / 1000 <= ms2, "%lld us is not between %lld and %lld ms", (long long)us,
          (long long)ms, (long long)ms2);
    CHECK(hk_now_us() >= us, "the monotonic clock went back");
}

static char *fmt_via_va(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt_via_va(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = hk_xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

TEST(xvasprintf_formats_a_long_text_whole)
{
    char *long_word = hk_xmalloc(5001);
    memset(long_word, 'x', 5000);
    long_word[5000] = '\0';
    char *s = fmt_via_va("[%s] %d %s", long_word, 42, "end");
    CHECK(strlen(s) == 5000 + 2 + 3 + 4, "length %zu", strlen(s));
    CHECK(strcmp(s + 5000 + 2, " 42 end") == 0, "tail \"%s\"", s + 5000 + 2);
    char *t = hk_xasprintf("%s|%s", "a", "");
    CHECK_STR(t, "a|");
    free(s);
    free(t);
    free(long_word);
}
