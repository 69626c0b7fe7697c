/* The price table, honk.price.<model>.* over it, a session's usage summed
 * from turn_end events, and the provider's too-long refusals recognised. */
#include <stdlib.h>

#include "check.h"
#include "config.h"
#include "model.h"
#include "price.h"
#include "util.h"
#include "repo_fixture.h"

TEST(defaults_by_model_prefix)
{
    struct hk_price p;
    hk_price_default("claude-sonnet-4-5", &p);
    CHECK(p.known && p.input == 3 && p.output == 15 && p.cache_read == 0.3 && p.cache_write == 3.75,
          "sonnet: %g %g %g %g", p.input, p.output, p.cache_read, p.cache_write);
    hk_price_default("gpt-5-mini", &p);
    CHECK(p.known && p.input == 0.25, "gpt-5-mini before gpt-5: %g", p.input);
    hk_price_default("local-coder", &p);
    CHECK(!p.known, "an unknown model has no price");
    CHECK(hk_price_cost(&p, 1000, 1000, 0, 0) == 0, "no guess");
}

TEST(configured_prices_and_errors)
{
    fx_begin(1);
    char *dir = fx_repo();
    sh("git -C '%s' config honk.price.local-coder.input 2 && git -C '%s' config honk.price.local-coder.output 4"
       " && git -C '%s' config honk.price.claude-sonnet-4-5.cacheRead 0.5"
       " && git -C '%s' config honk.price.gpt-4.1.output cheap", dir, dir, dir, dir);
    char *err = NULL;
    struct hk_config *cfg = hk_config_open(dir, &err);
    struct hk_price p;
    CHECK(hk_price_resolve(cfg, "local-coder", &p, &err) == 0 && p.known && p.input == 2 && p.output == 4 &&
              p.cache_read == 2 && p.cache_write == 2,
          "local-coder: %g %g %g %g", p.input, p.output, p.cache_read, p.cache_write);
    CHECK(hk_price_cost(&p, 1000000, 500000, 0, 0) == 4, "cost %g", hk_price_cost(&p, 1000000, 500000, 0, 0));
    CHECK(hk_price_resolve(cfg, "claude-sonnet-4-5", &p, &err) == 0 && p.cache_read == 0.5 && p.input == 3,
          "override one figure: %g %g", p.cache_read, p.input);
    CHECK(hk_price_resolve(cfg, "gpt-4.1", &p, &err) == -1 && err && strstr(err, "honk.price.gpt-4.1.output"),
          "error: %s", err ? err : "(none)");
    free(err);
    hk_config_free(cfg);
    free(dir);
    fx_end();
}

TEST(usage_sums_turns_and_says_unknown)
{
    struct hk_usage_total u = {0};
    cJSON *a = cJSON_Parse("{\"input_tokens\":100,\"output_tokens\":10,\"cache_read_input_tokens\":900,"
                           "\"cache_creation_input_tokens\":50,\"cost_usd\":0.25}");
    cJSON *b = cJSON_Parse("{\"stop_reason\":\"interrupted\"}");
    hk_usage_add(&u, a);
    hk_usage_add(&u, b);
    hk_usage_add(&u, a);
    char *s = hk_usage_sentence(&u, "claude-x");
    CHECK_STR(s, "tokens: 2100 in (1800 from the cache, 100 written to it), 20 out; cost $0.5000");
    free(s);
    cJSON *c = cJSON_Parse("{\"input_tokens\":5,\"output_tokens\":1}");
    hk_usage_add(&u, c);
    s = hk_usage_sentence(&u, "claude-x");
    CHECK(strstr(s, "; cost unknown (no honk.price for claude-x)"), "%s", s);
    free(s);
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
}

/* A corrupt journal's absurd count (the fuzzer's 5e61) is not converted
 * to a long it does not fit (undefined behaviour): it counts as nothing. */
TEST(usage_ignores_counts_past_any_real_one)
{
    struct hk_usage_total u = {0};
    cJSON *a = cJSON_Parse("{\"input_tokens\":5.11111e+61,\"output_tokens\":7,\"cache_read_input_tokens\":1e300}");
    hk_usage_add(&u, a);
    CHECK(u.input == 0 && u.output == 7 && u.cache_read == 0, "%ld %ld %ld", u.input, u.output, u.cache_read);
    cJSON_Delete(a);
}

TEST(too_long_refusals)
{
    CHECK(hk_model_too_long("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                            "\"message\":\"prompt is too long: 21034 tokens > 20000 maximum\"}}") == 20000,
          "anthropic");
    CHECK(hk_model_too_long("{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens. "
                            "However, your messages resulted in 9000 tokens.\",\"type\":\"invalid_request_error\","
                            "\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}") == 8192,
          "openai");
    CHECK(hk_model_too_long("{\"error\":{\"code\":\"context_length_exceeded\"}}") == 0, "no figure");
    CHECK(hk_model_too_long("{\"error\":{\"message\":\"max_tokens: Field required\"}}") == -1, "another 400");
    CHECK(hk_model_too_long(NULL) == -1, "no body");
}
