/* Reading what the engineer hands over on standard input or in a file. */
#ifndef HK_READ_ALL_H
#define HK_READ_ALL_H

#include "util.h"

#include <stdio.h>

/* Appends all of in to b; -1 on a read error (what was read stays in b). */
int hk_read_all(FILE *in, struct hk_buf *b);

/* The same from stdin; a terminal is first told "NOTICE from standard input
 * (Ctrl-D to end)", or it would look hung. */
int hk_read_all_stdin(const char *notice, struct hk_buf *b);

#endif
