/* Reading members of a cJSON object with a type check, for every reader of
 * honk's JSON (events, the journal, tool input, wire formats). */
#ifndef HK_JSON_H
#define HK_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>

/* The member's string, or NULL when it is missing or not a string. */
const char *hk_json_str(const cJSON *obj, const char *name);
/* The member's number, or fallback when it is missing or not a number. */
double hk_json_num(const cJSON *obj, const char *name, double fallback);
/* The member's number as an integer, clamped to [LONG_MIN, LONG_MAX] or
 * [INT_MIN, INT_MAX]; fallback when it is missing, not a number or NaN.
 * What a file or a server wrote never overflows a cast (1e300 is UB). */
long hk_json_long(const cJSON *obj, const char *name, long fallback);
int hk_json_int(const cJSON *obj, const char *name, int fallback);
/* Whether the member is true. */
bool hk_json_true(const cJSON *obj, const char *name);

#endif
