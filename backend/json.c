/* Type-checked member access for cJSON objects (see json.h). */
#include "json.h"

#include <limits.h>
#include <math.h>

const char *hk_json_str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double hk_json_num(const cJSON *obj, const char *name, double fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

long hk_json_long(const cJSON *obj, const char *name, long fallback)
{
    double d = hk_json_num(obj, name, NAN);
    if (isnan(d))
        return fallback;
    /* LONG_MAX is not a double: compare with 2^63, the first one past it. */
    if (d >= -(double)LONG_MIN)
        return LONG_MAX;
    return d <= (double)LONG_MIN ? LONG_MIN : (long)d;
}

int hk_json_int(const cJSON *obj, const char *name, int fallback)
{
    long v = hk_json_long(obj, name, fallback);
    return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

bool hk_json_true(const cJSON *obj, const char *name)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, name));
}
