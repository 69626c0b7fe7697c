#include "playlist.h"

#include <stdio.h>
#include <string.h>

static int failed;

static void check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "\033[32mPASS\033[0m" : "\033[31mFAIL\033[0m", what);
    failed += !ok;
}

int main(void)
{
    const char *songs[] = {"Blue in Green", "So What"};
    struct playlist two = {songs, 2, 0};
    check(strcmp(playlist_next(&two), "Blue in Green") == 0, "first song first");
    check(strcmp(playlist_next(&two), "So What") == 0, "second song next");
    check(strcmp(playlist_next(&two), "Blue in Green") == 0, "loops back to the first");
    fflush(stdout);
    struct playlist empty = {NULL, 0, 0};
    check(playlist_next(&empty) == NULL, "an empty playlist has no next song");
    return failed ? 1 : 0;
}
