/* The price table: published list prices in USD per million tokens, by
 * model-name prefix, longest first; a cache read costs a tenth of input and
 * a five-minute cache write a quarter more (Anthropic), OpenAI charges no
 * write and half or a tenth for a read. honk.price.<model>.input, .output,
 * .cacheRead and .cacheWrite override them, or price a model not listed. */
#include "price.h"

#include "config.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *prefix;
    struct hk_price price;
} table[] = {
    {"claude-opus-4-5", {1, 5, 25, 0.5, 6.25}},
    {"claude-opus-4", {1, 15, 75, 1.5, 18.75}},
    {"claude-sonnet-4", {1, 3, 15, 0.3, 3.75}},
    {"claude-3-7-sonnet", {1, 3, 15, 0.3, 3.75}},
    {"claude-haiku-4", {1, 1, 5, 0.1, 1.25}},
    {"claude-3-5-haiku", {1, 0.8, 4, 0.08, 1}},
    {"gpt-5-nano", {1, 0.05, 0.4, 0.005, 0.05}},
    {"gpt-5-mini", {1, 0.25, 2, 0.025, 0.25}},
    {"gpt-5", {1, 1.25, 10, 0.125, 1.25}},
    {"gpt-4.1-mini", {1, 0.4, 1.6, 0.1, 0.4}},
    {"gpt-4.1", {1, 2, 8, 0.5, 2}},
    {"gpt-4o-mini", {1, 0.15, 0.6, 0.075, 0.15}},
    {"gpt-4o", {1, 2.5, 10, 1.25, 2.5}},
};

void hk_price_default(const char *model, struct hk_price *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; model && i < sizeof table / sizeof *table; i++)
        if (!strncmp(model, table[i].prefix, strlen(table[i].prefix))) {
            *out = table[i].price;
            return;
        }
}

/* One configured figure; 1 if set, 0 if not, -1 with *err. */
static int figure(struct hk_config *cfg, const char *model, const char *name, double *out, char **err)
{
    char *key = hk_xasprintf("honk.price.%s.%s", model, name);
    char *v = hk_config_string(cfg, key);
    int rc = 0;
    if (v) {
        char *end;
        double d = strtod(v, &end);
        if (end == v || *end || d < 0) {
            *err = hk_xasprintf("%s is \"%s\"; it must be a price in USD per million tokens", key, v);
            rc = -1;
        } else {
            *out = d;
            rc = 1;
        }
    }
    free(v);
    free(key);
    return rc;
}

int hk_price_resolve(struct hk_config *cfg, const char *model, struct hk_price *out, char **err)
{
    hk_price_default(model, out);
    if (!cfg || !model)
        return 0;
    static const char *const names[] = {"input", "output", "cacheRead", "cacheWrite"};
    double *fields[] = {&out->input, &out->output, &out->cache_read, &out->cache_write};
    int set = 0;
    for (size_t i = 0; i < 4; i++) {
        int rc = figure(cfg, model, names[i], fields[i], err);
        if (rc < 0)
            return -1;
        set |= rc;
    }
    /* A model priced only by its input and output pays input for the cache too. */
    if (set && !out->known) {
        if (!figure(cfg, model, "cacheRead", &out->cache_read, err))
            out->cache_read = out->input;
        if (!figure(cfg, model, "cacheWrite", &out->cache_write, err))
            out->cache_write = out->input;
    }
    out->known |= set;
    return 0;
}

double hk_price_cost(const struct hk_price *p, long input, long output, long cache_read, long cache_write)
{
    if (!p->known)
        return 0;
    return (input * p->input + output * p->output + cache_read * p->cache_read +
            cache_write * p->cache_write) / 1e6;
}

#define MAX_TOKENS 1e15 /* no real count comes near; a journal saying more is corrupt */

static long field(const cJSON *d, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, name);
    return cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < MAX_TOKENS ? (long)v->valuedouble : 0;
}

void hk_usage_add(struct hk_usage_total *u, const cJSON *d)
{
    if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(d, "input_tokens")))
        return; /* a turn closed as interrupted: nothing was billed for it */
    const cJSON *cost = cJSON_GetObjectItemCaseSensitive(d, "cost_usd");
    u->input += field(d, "input_tokens");
    u->output += field(d, "output_tokens");
    u->cache_read += field(d, "cache_read_input_tokens");
    u->cache_write += field(d, "cache_creation_input_tokens");
    u->turns++;
    if (cJSON_IsNumber(cost)) {
        u->cost_usd += cost->valuedouble;
        u->priced++;
    }
}

long hk_usage_prompt(const struct hk_usage_total *u)
{
    return u->input + u->cache_read + u->cache_write;
}

int hk_usage_cost_known(const struct hk_usage_total *u)
{
    return u->priced == u->turns;
}

char *hk_usage_sentence(const struct hk_usage_total *u, const char *model)
{
    struct hk_buf b = {0};
    hk_buf_printf(&b, "tokens: %ld in", hk_usage_prompt(u));
    if (u->cache_read || u->cache_write)
        hk_buf_printf(&b, " (%ld from the cache, %ld written to it)", u->cache_read, u->cache_write);
    hk_buf_printf(&b, ", %ld out; ", u->output);
    if (hk_usage_cost_known(u))
        hk_buf_printf(&b, "cost $%.4f", u->cost_usd);
    else
        hk_buf_printf(&b, "cost unknown (no honk.price for %s)", model ? model : "the model");
    return hk_buf_steal(&b);
}

cJSON *hk_usage_json(const struct hk_usage_total *u)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "input_tokens", (double)u->input);
    cJSON_AddNumberToObject(o, "output_tokens", (double)u->output);
    cJSON_AddNumberToObject(o, "cache_read_input_tokens", (double)u->cache_read);
    cJSON_AddNumberToObject(o, "cache_creation_input_tokens", (double)u->cache_write);
    if (hk_usage_cost_known(u))
        cJSON_AddNumberToObject(o, "cost_usd", u->cost_usd);
    else
        cJSON_AddNullToObject(o, "cost_usd");
    return o;
}
