/* What a model's tokens cost: a price table per model, in USD per million
 * tokens, with defaults for the common models and honk.price.<model>.* in
 * the configuration over them. */
#ifndef HK_PRICE_H
#define HK_PRICE_H

struct hk_config;

struct hk_price {
    int known;          /* 0: no price for this model, cost unknown */
    double input;       /* USD per million uncached input tokens */
    double output;
    double cache_read;
    double cache_write;
};

/* The model's price: the configured keys over the defaults. 0, or -1 with
 * *err (a value that is not a number). */
int hk_price_resolve(struct hk_config *cfg, const char *model, struct hk_price *out, char **err);
/* The defaults alone (cfg NULL): known is 0 for a model not in the table. */
void hk_price_default(const char *model, struct hk_price *out);
/* USD for the given tokens; 0 when the price is unknown. */
double hk_price_cost(const struct hk_price *p, long input, long output, long cache_read, long cache_write);

/* A session's tokens and cost, summed from its turn_end events (their
 * input_tokens, output_tokens, cache_read_input_tokens,
 * cache_creation_input_tokens and cost_usd). */
struct hk_usage_total {
    long input, output, cache_read, cache_write;
    double cost_usd;
    int turns;
    int priced; /* turns that carried a cost */
};

#include <cJSON.h>

void hk_usage_add(struct hk_usage_total *u, const cJSON *turn_end);
/* Every prompt token sent, cached or not. */
long hk_usage_prompt(const struct hk_usage_total *u);
/* Whether every turn had a price (a session without turns costs $0). */
int hk_usage_cost_known(const struct hk_usage_total *u);
/* "tokens: 12,040 in (9,800 from the cache, 1,200 written to it), 310 out;
 * cost $0.0123" or "...; cost unknown (no honk.price for MODEL)". Caller frees. */
char *hk_usage_sentence(const struct hk_usage_total *u, const char *model);
/* The same as a JSON object {input_tokens, output_tokens, cache_read_input_tokens,
 * cache_creation_input_tokens, cost_usd (null when unknown)}. */
cJSON *hk_usage_json(const struct hk_usage_total *u);

#endif
