/* Loads and checks a scenario file ({"turns": [...]}) into struct scenario. */
#include "replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *default_text[] = {"(honk-replay: the scenario has no turns left)"};

static const struct turn default_turn = {
    .text = (char **)default_text,
    .ntext = 1,
    .input_tokens = -1,
    .output_tokens = -1,
    .retry_after = -1,
    .drop_after_bytes = -1,
    .error_after_deltas = -1,
};

const struct turn *replay_default_turn(void)
{
    return &default_turn;
}

static char *read_all(const char *path, size_t *len, char **err)
{
    struct hk_buf b = {0};
    if (hk_read_file(path, &b) != 0) {
        *err = hk_xasprintf("%s: cannot read: %s", path, strerror(errno));
        hk_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return hk_buf_steal(&b);
}

/* Reads an optional non-negative integer field; false (with *err) if mistyped. */
static bool get_long(const cJSON *o, const char *key, long *out, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return true;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e15) {
        *err = hk_xasprintf("\"%s\" must be a non-negative number", key);
        return false;
    }
    *out = (long)v->valuedouble;
    return true;
}

static bool get_str(const cJSON *o, const char *key, char **out, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return true;
    if (!cJSON_IsString(v)) {
        *err = hk_xasprintf("\"%s\" must be a string", key);
        return false;
    }
    *out = hk_xstrdup(v->valuestring);
    return true;
}

static bool load_text(struct turn *t, const cJSON *o, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "text");
    if (!v)
        return true;
    if (cJSON_IsString(v)) { /* a lone string is one chunk */
        t->text = hk_xcalloc(1, sizeof *t->text);
        t->text[t->ntext++] = hk_xstrdup(v->valuestring);
        return true;
    }
    if (!cJSON_IsArray(v)) {
        *err = hk_xstrdup("\"text\" must be an array of strings");
        return false;
    }
    t->text = hk_xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *t->text);
    const cJSON *c;
    cJSON_ArrayForEach(c, v) {
        if (!cJSON_IsString(c)) {
            *err = hk_xstrdup("\"text\" must be an array of strings");
            return false;
        }
        t->text[t->ntext++] = hk_xstrdup(c->valuestring);
    }
    return true;
}

static bool load_tool(struct tool_call *tc, const cJSON *o, long *auto_id, char **err)
{
    tc->split = 4;
    if (!cJSON_IsObject(o)) {
        *err = hk_xstrdup("each of \"tool_calls\" must be an object");
        return false;
    }
    if (!get_str(o, "id", &tc->id, err) || !get_str(o, "name", &tc->name, err) ||
        !get_long(o, "split", &tc->split, err))
        return false;
    if (!tc->name) {
        *err = hk_xstrdup("a tool call needs a \"name\"");
        return false;
    }
    if (tc->split < 1)
        tc->split = 1;
    if (!tc->id)
        tc->auto_id = ++*auto_id;
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(o, "input");
    if (in && !cJSON_IsObject(in)) {
        *err = hk_xstrdup("a tool call's \"input\" must be an object");
        return false;
    }
    /* The text as it is, for what a parsed object cannot hold (\u0000). */
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(o, "input_text");
    if (text && (!cJSON_IsString(text) || in)) {
        *err = hk_xstrdup("a tool call's \"input_text\" must be a string, and comes instead of \"input\"");
        return false;
    }
    tc->input_json = text ? hk_xstrdup(text->valuestring) : in ? cJSON_PrintUnformatted(in) : hk_xstrdup("{}");
    return true;
}

static bool load_tools(struct turn *t, const cJSON *o, long *auto_id, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "tool_calls");
    if (!v)
        return true;
    if (!cJSON_IsArray(v)) {
        *err = hk_xstrdup("\"tool_calls\" must be an array");
        return false;
    }
    t->tools = hk_xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *t->tools);
    const cJSON *c;
    cJSON_ArrayForEach(c, v) {
        if (!load_tool(&t->tools[t->ntools++], c, auto_id, err))
            return false;
    }
    return true;
}

static bool load_repeat(struct turn *t, const cJSON *o, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "repeat");
    if (!v)
        return true;
    if (!cJSON_IsObject(v) || !get_str(v, "text", &t->repeat_text, err) ||
        !get_long(v, "count", &t->repeat_count, err) || !t->repeat_text) {
        if (!*err)
            *err = hk_xstrdup("\"repeat\" must be {\"text\": \"...\", \"count\": N}");
        return false;
    }
    return true;
}

static bool load_usage(struct turn *t, const cJSON *o, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "usage");
    if (!v)
        return true;
    if (!cJSON_IsObject(v)) {
        *err = hk_xstrdup("\"usage\" must be an object");
        return false;
    }
    return get_long(v, "input_tokens", &t->input_tokens, err) &&
           get_long(v, "output_tokens", &t->output_tokens, err);
}

static bool load_error(struct turn *t, const cJSON *o, char **err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "error");
    if (!v)
        return true;
    if (!cJSON_IsObject(v)) {
        *err = hk_xstrdup("\"error\" must be {\"type\": ..., \"message\": ...}");
        return false;
    }
    return get_str(v, "type", &t->error_type, err) &&
           get_str(v, "message", &t->error_message, err);
}

static bool load_faults(struct turn *t, const cJSON *o, char **err)
{
    long status = 0;
    if (!get_long(o, "status", &status, err) || !get_long(o, "retry_after", &t->retry_after, err) ||
        !get_str(o, "message", &t->message, err) ||
        !get_long(o, "drop_after_bytes", &t->drop_after_bytes, err) ||
        !get_long(o, "stall_ms", &t->stall_ms, err) ||
        !get_long(o, "chunk_delay_ms", &t->chunk_delay_ms, err) ||
        !get_long(o, "error_after_deltas", &t->error_after_deltas, err) || !load_error(t, o, err))
        return false;
    if (status && (status < 100 || status > 999)) {
        *err = hk_xstrdup("\"status\" must be an HTTP status code (100-999)");
        return false;
    }
    t->status = (int)status;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "malformed");
    if (m && !cJSON_IsBool(m)) {
        *err = hk_xstrdup("\"malformed\" must be true or false");
        return false;
    }
    t->malformed = cJSON_IsTrue(m);
    return true;
}

static bool load_turn(struct turn *t, const cJSON *o, long *auto_id, char **err)
{
    t->input_tokens = t->output_tokens = t->retry_after = -1;
    t->drop_after_bytes = t->error_after_deltas = -1;
    if (!cJSON_IsObject(o)) {
        *err = hk_xstrdup("a turn must be an object");
        return false;
    }
    return load_text(t, o, err) && load_tools(t, o, auto_id, err) && load_repeat(t, o, err) &&
           get_str(o, "stop_reason", &t->stop_reason, err) && load_usage(t, o, err) &&
           load_faults(t, o, err);
}

static int line_of(const char *text, const char *at)
{
    int line = 1;
    for (const char *p = text; p < at && *p; p++)
        line += *p == '\n';
    return line;
}

/* The provider's own figures: the documented minimum cacheable prompt of
 * most Claude models (also OpenAI's) and the default five-minute lifetime. */
static bool load_options(struct scenario *sc, const cJSON *root, const char *path, char **err)
{
    long ttl_s = 300;
    char *why = NULL;
    sc->cache.min_tokens = 1024;
    if (get_long(root, "cache_min_tokens", &sc->cache.min_tokens, &why) &&
        get_long(root, "cache_ttl_s", &ttl_s, &why) &&
        get_long(root, "context_window", &sc->context_window, &why)) {
        sc->cache.ttl_ms = ttl_s * 1000;
        return true;
    }
    *err = hk_xasprintf("%s: %s", path, why);
    free(why);
    return false;
}

static bool load_turns(struct scenario *sc, const cJSON *root, const char *path, char **err)
{
    const cJSON *turns = cJSON_GetObjectItemCaseSensitive(root, "turns");
    if (!cJSON_IsObject(root) || !cJSON_IsArray(turns)) {
        *err = hk_xasprintf("%s: expected an object {\"turns\": [...]}", path);
        return false;
    }
    sc->turns = hk_xcalloc((size_t)cJSON_GetArraySize(turns) + 1, sizeof *sc->turns);
    long auto_id = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, turns) {
        char *why = NULL;
        size_t i = sc->nturns++;
        if (!load_turn(&sc->turns[i], c, &auto_id, &why)) {
            *err = hk_xasprintf("%s: turn %zu: %s", path, i + 1, why);
            free(why);
            return false;
        }
    }
    return true;
}

bool replay_scenario_load(struct scenario *sc, const char *path, char **err)
{
    memset(sc, 0, sizeof *sc);
    size_t len;
    char *text = read_all(path, &len, err);
    if (!text)
        return false;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    bool ok = false;
    if (!root) {
        *err = hk_xasprintf("%s: line %d: not valid JSON", path, line_of(text, end ? end : text));
        goto out;
    }
    ok = load_turns(sc, root, path, err) && load_options(sc, root, path, err);
    if (!ok)
        replay_scenario_free(sc);
out:
    cJSON_Delete(root);
    free(text);
    return ok;
}

static void free_turn(struct turn *t)
{
    for (size_t i = 0; i < t->ntext; i++)
        free(t->text[i]);
    free(t->text);
    for (size_t i = 0; i < t->ntools; i++) {
        free(t->tools[i].id);
        free(t->tools[i].name);
        free(t->tools[i].input_json);
    }
    free(t->tools);
    free(t->repeat_text);
    free(t->stop_reason);
    free(t->message);
    free(t->error_type);
    free(t->error_message);
}

void replay_scenario_free(struct scenario *sc)
{
    for (size_t i = 0; i < sc->nturns; i++)
        free_turn(&sc->turns[i]);
    free(sc->turns);
    memset(sc, 0, sizeof *sc);
}
