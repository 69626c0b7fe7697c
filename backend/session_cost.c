/* The cost budget: honk.maxCost (--max-cost) checked before each request
 * against the cost so far and what the request's prompt will cost. */
#include "session_internal.h"

#include "util.h"

#include <stdlib.h>

/* What the next request will cost, as far as can be known before it is
 * sent: its prompt (the part the last request sent read from the cache
 * when caching is on, the rest written to it or plain input); not the
 * answer, whose length nobody knows yet. */
static double next_request_cost(const struct hk_session *s)
{
    const struct hk_model_settings *m = s->model;
    long prompt = (long)(hk_model_request_bytes(s->conv, m) / 4);
    if (!m->cache)
        return hk_price_cost(&m->price, prompt, 0, 0, 0);
    long seen = s->last_prompt < prompt ? s->last_prompt : prompt;
    if (m->provider == HK_PROVIDER_OPENAI)
        return hk_price_cost(&m->price, prompt - seen, 0, seen, 0);
    return hk_price_cost(&m->price, 0, 0, seen, prompt - seen);
}

/* honk.maxCost (--max-cost): the session stops before the request that
 * would pass it, and waits; resumed with a higher limit, it goes on. */
int hk_session_over_budget(struct hk_session *s)
{
    const struct hk_model_settings *m = s->model;
    if (m->max_cost <= 0)
        return 0;
    char *msg;
    if (!m->price.known) {
        msg = hk_xasprintf("Stopped before asking the model: honk.maxCost is $%.2f, but the price of %s is "
                           "unknown (set honk.price.%s.input and .output).", m->max_cost, m->model, m->model);
    } else {
        double next = next_request_cost(s);
        if (s->usage.cost_usd + next <= m->max_cost)
            return 0;
        msg = hk_xasprintf("Stopped before the next request: $%.4f spent, and it would cost about $%.4f more, "
                           "past the limit of $%.2f (honk.maxCost, --max-cost). Resume with a higher limit to go on.",
                           s->usage.cost_usd, next, m->max_cost);
    }
    s->out_of_money = 1;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "message", msg);
    cJSON_AddNumberToObject(d, "max_cost", m->max_cost);
    hk_session_emit(s, HK_EV_NOTE, d, 1);
    free(msg);
    s->waiting = HK_WAIT_MESSAGE;
    hk_session_set_state(s, HK_STATE_IDLE);
    return 1;
}
