/* A minimal unit-test harness: TEST() cases register themselves, CHECK()
 * records a failure with its place, and main() prints one line per case,
 * "ok - name" or "FAIL - name: why", which tests/run counts. */
#ifndef HK_CHECK_H
#define HK_CHECK_H

#include <stdio.h>
#include <string.h>

typedef void (*hk_test_fn)(void);
struct hk_test { const char *name; hk_test_fn fn; };

#define HK_MAX_TESTS 256
static struct hk_test hk_tests[HK_MAX_TESTS];
static int hk_ntests;
static int hk_case_failed;

#define TEST(name)                                                        \
    static void name(void);                                               \
    __attribute__((constructor)) static void register_##name(void)        \
    {                                                                     \
        if (hk_ntests < HK_MAX_TESTS)                                     \
            hk_tests[hk_ntests++] = (struct hk_test){#name, name};       \
    }                                                                     \
    static void name(void)

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            if (!hk_case_failed)                                          \
                printf("FAIL - %s: ", hk_current_name);                   \
            else                                                          \
                printf("       also: ");                                  \
            printf("%s:%d: %s: ", __FILE__, __LINE__, #cond);             \
            printf(__VA_ARGS__);                                          \
            printf("\n");                                                 \
            hk_case_failed = 1;                                           \
        }                                                                 \
    } while (0)

#define CHECK_STR(got, want)                                              \
    do {                                                                  \
        const char *g_ = (got), *w_ = (want);                             \
        CHECK(g_ && w_ && strcmp(g_, w_) == 0, "got \"%s\", want \"%s\"", \
              g_ ? g_ : "(null)", w_ ? w_ : "(null)");                   \
    } while (0)

static const char *hk_current_name = "";
static int hk_case_skipped;

/* Ends the case without a verdict: what it tests cannot exist here. It is
 * reported as "skip - name: why" and counted neither way. */
#define SKIP(...)                                                         \
    do {                                                                  \
        printf("skip - %s: ", hk_current_name);                          \
        printf(__VA_ARGS__);                                              \
        printf("\n");                                                    \
        hk_case_skipped = 1;                                              \
        return;                                                           \
    } while (0)

int main(int argc, char **argv)
{
    int failed = 0;
    for (int i = 0; i < hk_ntests; i++) {
        if (argc > 1 && strcmp(argv[1], hk_tests[i].name) != 0)
            continue;
        hk_current_name = hk_tests[i].name;
        hk_case_failed = 0;
        hk_case_skipped = 0;
        fflush(stdout);
        hk_tests[i].fn();
        if (!hk_case_failed && !hk_case_skipped)
            printf("ok - %s\n", hk_tests[i].name);
        failed += hk_case_failed;
        fflush(stdout);
    }
    return failed ? 1 : 0;
}

#endif
