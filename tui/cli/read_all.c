/* Reading what the engineer hands over on standard input or in a file. */
#include "read_all.h"

#include <unistd.h>

int hk_read_all(FILE *in, struct hk_buf *b)
{
    char chunk[65536];
    size_t n;
    /* A short read is the end: a terminal's Ctrl-D is not sticky, and
     * reading on would wait for a second one. */
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
        hk_buf_add(b, chunk, n);
        if (n < sizeof chunk)
            break;
    }
    return ferror(in) ? -1 : 0;
}

int hk_read_all_stdin(const char *notice, struct hk_buf *b)
{
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "%s from standard input (Ctrl-D to end)\n", notice);
    return hk_read_all(stdin, b);
}
