/* A playlist that loops over its songs. */
#ifndef PLAYLIST_H
#define PLAYLIST_H

#include <stddef.h>

struct playlist {
    const char **songs;
    size_t count;
    size_t pos;
};

/* The next song, looping back to the first after the last. */
const char *playlist_next(struct playlist *p);

#endif
