#include "playlist.h"

const char *playlist_next(struct playlist *p)
{
    const char *song = p->songs[p->pos % p->count];
    p->pos++;
    return song;
}
