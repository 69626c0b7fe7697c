/* Reading members of a cJSON object with a type check, for every reader of
 * honk's JSON (events, the journal, tool input, wire formats), and the one
 * printer for JSON that leaves honk. */
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

/* Whether the JSON text has a string holding NUL (the escape \u0000),
 * which cJSON cuts the string at without a word. *member is then the name
 * of the top-level member it is in (malloc'd; "" when it is in a name). */
bool hk_json_has_nul(const char *json, char **member);

/* The item as one line of JSON text (malloc'd, never NULL) that is always
 * valid UTF-8: what honk sends to a model and writes to its journal. */
char *hk_json_print(const cJSON *item);

#endif
