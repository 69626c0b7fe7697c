/* Word-level change spans between two lines, with reusable scratch memory
 * so a large diff does not allocate per line pair. Internal to repo_diff.c. */
#ifndef HK_REPO_WORDS_H
#define HK_REPO_WORDS_H

#include <stddef.h>

#include "repo.h"

struct words_side {
    const char *text;
    struct hk_diff_span *tok; /* token byte ranges */
    unsigned char *changed;   /* per token */
    size_t n, cap;
};

struct words_scratch {
    struct words_side a, b;
    unsigned *tab;
    size_t tabcap;
};

void hk_words_diff(struct words_scratch *w, const char *a, unsigned alen, const char *b,
                unsigned blen, struct hk_diff_span *sa, unsigned *na, struct hk_diff_span *sb,
                unsigned *nb, unsigned max);
void hk_words_scratch_free(struct words_scratch *w);

#endif
