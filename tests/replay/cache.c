/* Prompt caching and the context window, counted the way the providers
 * document them, so that tests can assert on what a real bill would say.
 * Anthropic: a prompt is tools, then system, then messages, as blocks; a
 * block with cache_control is a breakpoint (at most 4); the prefix up to a
 * breakpoint, or up to any block within the 20 before it, found among the
 * prefixes cached in the last TTL is read from cache, and the rest up to the
 * last breakpoint is written. OpenAI: the longest byte-identical prefix of
 * an earlier request's body, in steps of 128 tokens past the minimum.
 * Tokens are bytes / 4 throughout, as the default input_tokens are. */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#define LOOKBACK 20
#define MAX_BREAKPOINTS 4
#define MAX_ENTRIES 4096
#define MAX_BODIES 64

struct entry {
    uint64_t hash;
    int64_t at_ms;
};

struct body {
    char *text;
    size_t len;
    int64_t at_ms;
};

struct replay_cache {
    struct entry *entries;
    size_t nentries;
    struct body bodies[MAX_BODIES];
    size_t nbodies;
};

/* The running state of a prompt walked block by block. */
struct walk {
    uint64_t hash;
    long bytes;
    long nblocks, cap;
    uint64_t *hashes; /* prefix hash after each block */
    long *tokens;     /* prefix tokens after each block */
    long breakpoints[64];
    long nbreak;
};

struct replay_cache *replay_cache_new(void)
{
    return hk_xcalloc(1, sizeof(struct replay_cache));
}

void replay_cache_free(struct replay_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nbodies; i++)
        free(c->bodies[i].text);
    free(c->entries);
    free(c);
}

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void walk_text(struct walk *w, const char *s)
{
    size_t n = strlen(s);
    w->hash = fnv(w->hash, s, n);
    w->bytes += (long)n;
}

/* One block: its JSON without cache_control joins the prefix. */
static void walk_block(struct walk *w, const cJSON *block)
{
    cJSON *copy = cJSON_Duplicate(block, 1);
    bool marked = false;
    if (cJSON_IsObject(copy)) {
        const cJSON *cc = cJSON_GetObjectItemCaseSensitive(copy, "cache_control");
        marked = cJSON_IsObject(cc);
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "cache_control");
    }
    char *text = cJSON_PrintUnformatted(copy);
    walk_text(w, "\x1f");
    walk_text(w, text);
    free(text);
    cJSON_Delete(copy);
    if (w->nblocks == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 64;
        w->hashes = hk_xrealloc(w->hashes, (size_t)w->cap * sizeof *w->hashes);
        w->tokens = hk_xrealloc(w->tokens, (size_t)w->cap * sizeof *w->tokens);
    }
    w->hashes[w->nblocks] = w->hash;
    w->tokens[w->nblocks] = w->bytes / 4;
    if (marked && w->nbreak < (long)(sizeof w->breakpoints / sizeof *w->breakpoints))
        w->breakpoints[w->nbreak++] = w->nblocks;
    w->nblocks++;
}

static void walk_blocks(struct walk *w, const cJSON *v)
{
    const cJSON *b;
    if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(b, v)
            walk_block(w, b);
    } else if (cJSON_IsString(v)) { /* the same prompt as one text block, unmarked */
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "type", "text");
        cJSON_AddStringToObject(t, "text", v->valuestring);
        walk_block(w, t);
        cJSON_Delete(t);
    }
}

static void walk_prompt(struct walk *w, const cJSON *body)
{
    memset(w, 0, sizeof *w);
    w->hash = 14695981039346656037ULL;
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(body, "model");
    walk_text(w, cJSON_IsString(model) ? model->valuestring : "");
    w->bytes = 0; /* the model picks the cache, it is not part of the prompt */
    walk_blocks(w, cJSON_GetObjectItemCaseSensitive(body, "tools"));
    walk_text(w, "\x1esystem");
    walk_blocks(w, cJSON_GetObjectItemCaseSensitive(body, "system"));
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(body, "messages")) {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        walk_text(w, "\x1e");
        walk_text(w, cJSON_IsString(role) ? role->valuestring : "");
        w->bytes += 25; /* {"role":,"content":[]}, : the message's own share of the body */
        walk_blocks(w, cJSON_GetObjectItemCaseSensitive(m, "content"));
    }
}

static struct entry *find(struct replay_cache *c, uint64_t hash, int64_t now, long ttl_ms)
{
    for (size_t i = 0; i < c->nentries; i++)
        if (c->entries[i].hash == hash && now - c->entries[i].at_ms < ttl_ms)
            return &c->entries[i];
    return NULL;
}

static void store(struct replay_cache *c, uint64_t hash, int64_t now, long ttl_ms)
{
    struct entry *e = find(c, hash, now, ttl_ms);
    if (e) {
        e->at_ms = now;
        return;
    }
    if (c->nentries == MAX_ENTRIES) { /* the oldest goes, as an evicted entry would */
        memmove(c->entries, c->entries + 1, (MAX_ENTRIES - 1) * sizeof *c->entries);
        c->nentries--;
    }
    if (!c->entries)
        c->entries = hk_xcalloc(MAX_ENTRIES, sizeof *c->entries);
    c->entries[c->nentries++] = (struct entry){hash, now};
}

/* The longest cached prefix reachable from the breakpoints; its block or -1. */
static long cached_block(struct replay_cache *c, const struct walk *w, int64_t now, long ttl_ms)
{
    long best = -1;
    for (long k = 0; k < w->nbreak; k++) {
        long b = w->breakpoints[k];
        for (long j = b; j >= 0 && j > b - LOOKBACK && j > best; j--) {
            struct entry *e = find(c, w->hashes[j], now, ttl_ms);
            if (e) {
                e->at_ms = now; /* a hit refreshes the entry's lifetime */
                best = j;
                break;
            }
        }
    }
    return best;
}

int replay_cache_anthropic(struct replay_cache *c, const struct cache_opts *o, const cJSON *body,
                           long total, int64_t now, struct usage *u, char **why)
{
    struct walk w;
    walk_prompt(&w, body);
    int status = 0;
    if (w.nbreak > MAX_BREAKPOINTS) {
        *why = hk_xasprintf("A maximum of %d blocks with cache_control may be provided. Found %ld.",
                            MAX_BREAKPOINTS, w.nbreak);
        status = 400;
        goto out;
    }
    long hit = cached_block(c, &w, now, o->ttl_ms);
    u->cache_read = hit >= 0 ? w.tokens[hit] : 0;
    u->cache_creation = 0;
    for (long k = 0; k < w.nbreak; k++) {
        long b = w.breakpoints[k];
        if (w.tokens[b] < o->min_tokens)
            continue; /* too short to cache: counted as plain input, no error */
        store(c, w.hashes[b], now, o->ttl_ms);
        if (w.tokens[b] - u->cache_read > u->cache_creation)
            u->cache_creation = w.tokens[b] - u->cache_read;
    }
    if (total < w.bytes / 4)
        total = w.bytes / 4;
    u->input = total - u->cache_read - u->cache_creation;
out:
    free(w.hashes);
    free(w.tokens);
    return status;
}

static size_t common_prefix(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen, i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

void replay_cache_openai(struct replay_cache *c, const struct cache_opts *o, const char *body,
                         size_t len, int64_t now, struct usage *u)
{
    size_t best = 0;
    for (size_t i = 0; i < c->nbodies; i++) {
        struct body *b = &c->bodies[i];
        if (now - b->at_ms >= o->ttl_ms)
            continue;
        size_t n = common_prefix(b->text, b->len, body, len);
        if (n > best)
            best = n;
        if (n == b->len) /* the whole earlier prompt was read again: it lives on */
            b->at_ms = now;
    }
    long tokens = (long)(best / 4);
    u->input = (long)(len / 4);
    u->cached = tokens < o->min_tokens ? 0 : o->min_tokens + (tokens - o->min_tokens) / 128 * 128;
    if ((long)(len / 4) < o->min_tokens)
        return; /* too short to be cached at all */
    if (c->nbodies == MAX_BODIES) {
        free(c->bodies[0].text);
        memmove(c->bodies, c->bodies + 1, (MAX_BODIES - 1) * sizeof *c->bodies);
        c->nbodies--;
    }
    c->bodies[c->nbodies++] = (struct body){hk_xstrndup(body, len), len, now};
}
