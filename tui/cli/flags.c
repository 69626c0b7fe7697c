/* Parsing of the flags that several commands share. */
#include "flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hk_flag_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "honk: %s needs a value\n", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int hk_flag_number(const char *name, const char *text, double scale, long *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || v < 0) {
        fprintf(stderr, "honk: %s wants a number, not \"%s\"\n", name, text);
        return -1;
    }
    *out = (long)(v * scale);
    return 1;
}

int hk_flag_model(int argc, char **argv, int *i, struct hk_model_flags *flags)
{
    const char *v;
    int rc;
    if ((rc = hk_flag_value(argc, argv, i, "--provider", &flags->provider)) ||
        (rc = hk_flag_value(argc, argv, i, "--model", &flags->model)) ||
        (rc = hk_flag_value(argc, argv, i, "--base-url", &flags->base_url)))
        return rc;
    if ((rc = hk_flag_value(argc, argv, i, "--max-tokens", &v)))
        return rc < 0 ? rc : hk_flag_number("--max-tokens", v, 1, &flags->max_tokens);
    if ((rc = hk_flag_value(argc, argv, i, "--retries", &v)))
        return rc < 0 ? rc : hk_flag_number("--retries", v, 1, &flags->retries);
    if ((rc = hk_flag_value(argc, argv, i, "--timeout", &v)))
        return rc < 0 ? rc : hk_flag_number("--timeout", v, 1000, &flags->timeout_ms);
    if ((rc = hk_flag_value(argc, argv, i, "--max-cost", &v))) {
        char *end;
        flags->max_cost = rc < 0 ? -1 : strtod(v, &end);
        if (rc > 0 && (end == v || *end || flags->max_cost < 0)) {
            fprintf(stderr, "honk: --max-cost wants an amount in USD, not \"%s\"\n", v);
            return -1;
        }
        return rc;
    }
    return 0;
}
