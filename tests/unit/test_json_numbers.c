/* Numbers read from JSON that honk did not write (a journal, a server's
 * events, a model's tool input) become integers without overflowing a cast:
 * 1e300 is clamped, never undefined (fuzz findings). */
#include "check.h"
#include "journal.h"
#include "json.h"
#include "util.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

TEST(integers_out_of_range_are_clamped)
{
    cJSON *o = cJSON_Parse("{\"big\":1e300,\"small\":-1e300,\"s\":\"7\",\"f\":3.9,\"n\":-42,"
                           "\"edge\":9223372036854775807,\"wide\":1e10}");
    CHECK(hk_json_long(o, "big", 0) == LONG_MAX, "big %ld", hk_json_long(o, "big", 0));
    CHECK(hk_json_long(o, "small", 0) == LONG_MIN, "small %ld", hk_json_long(o, "small", 0));
    CHECK(hk_json_long(o, "edge", 0) == LONG_MAX, "edge %ld", hk_json_long(o, "edge", 0));
    CHECK(hk_json_long(o, "s", 5) == 5 && hk_json_long(o, "none", -1) == -1, "fallbacks");
    CHECK(hk_json_long(o, "f", 0) == 3 && hk_json_long(o, "n", 0) == -42, "ordinary numbers");
    CHECK(hk_json_int(o, "wide", 0) == INT_MAX, "wide %d", hk_json_int(o, "wide", 0));
    CHECK(hk_json_int(o, "small", 0) == INT_MIN, "small %d", hk_json_int(o, "small", 0));
    CHECK(hk_json_int(o, "n", 0) == -42, "n %d", hk_json_int(o, "n", 0));
    cJSON_Delete(o);
}

static void keep_time(const struct hk_event *ev, void *user)
{
    int64_t *times = user;
    times[times[0] + 1] = ev->time_ms;
    times[0]++;
}

TEST(journal_time_out_of_range_is_clamped)
{
    char path[] = "/tmp/honk-json-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "mkstemp");
    const char lines[] = "{\"kind\":\"state\",\"time\":1e300,\"data\":{}}\n"
                         "{\"kind\":\"state\",\"time\":-1e300,\"data\":{}}\n"
                         "{\"kind\":\"state\",\"time\":\"soon\",\"data\":{}}\n";
    CHECK(write(fd, lines, sizeof lines - 1) == (ssize_t)(sizeof lines - 1), "write");
    close(fd);
    int64_t times[4] = {0};
    char *err = NULL;
    CHECK(hk_journal_read(path, keep_time, times, &err) == 3, "read: %s", err ? err : "");
    CHECK(times[1] == INT64_MAX && times[2] == INT64_MIN && times[3] == 0,
          "times %lld %lld %lld", (long long)times[1], (long long)times[2], (long long)times[3]);
    free(err);
    unlink(path);
}
