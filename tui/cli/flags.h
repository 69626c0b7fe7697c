/* Command-line flags shared by the commands that talk to a model. */
#ifndef HK_FLAGS_H
#define HK_FLAGS_H

#include "config.h"

/* If argv[*i] is a flag taking a value (`--name V` or `--name=V`) with the
 * given name, stores the value, advances *i past it and returns 1; returns
 * -1 with a message on stderr when the value is missing, 0 otherwise. */
int hk_flag_value(int argc, char **argv, int *i, const char *name, const char **value);

/* text as a number times scale (seconds to ms: 1000) into *out: 1, or -1
 * with a message on stderr when it is not a number. */
int hk_flag_number(const char *name, const char *text, double scale, long *out);

/* Consumes one of --provider, --model, --base-url, --max-tokens, --retries,
 * --timeout, --max-cost. Same return values as hk_flag_value. */
int hk_flag_model(int argc, char **argv, int *i, struct hk_model_flags *flags);

#define HK_MODEL_FLAGS_HELP                                                          \
    "  --provider anthropic|openai   wire protocol (honk.provider)\n"                 \
    "  --model NAME                  model name (honk.model)\n"                       \
    "  --base-url URL                server base URL (honk.baseUrl, *_BASE_URL)\n"    \
    "  --max-tokens N                reply length limit (honk.maxTokens)\n"           \
    "  --retries N                   tries before giving up (honk.retries)\n"         \
    "  --timeout SECONDS             silence that ends a try (honk.timeout)\n"          \
    "  --max-cost USD                stop before a request would pass it (honk.maxCost)\n"

#endif
