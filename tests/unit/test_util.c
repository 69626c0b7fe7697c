/* backend/util.c: the clocks, and formatting into a fresh string. */
#include "check.h"
#include "util.h"

#include <stdlib.h>
#include <time.h>

TEST(wall_clock_is_the_time_of_day_in_ms)
{
    int64_t before = (int64_t)time(NULL) * 1000;
    int64_t wall = hk_wall_ms();
    int64_t after = (int64_t)time(NULL) * 1000 + 1000;
    CHECK(wall >= before && wall <= after, "%lld not in [%lld, %lld]", (long long)wall, (long long)before,
          (long long)after);
}

TEST(monotonic_us_and_ms_are_one_clock)
{
    int64_t ms = hk_now_ms();
    int64_t us = hk_now_us();
    int64_t ms2 = hk_now_ms();
    CHECK(us / 1000 >= ms && us / 1000 <= ms2, "%lld us is not between %lld and %lld ms", (long long)us,
          (long long)ms, (long long)ms2);
    CHECK(hk_now_us() >= us, "the monotonic clock went back");
}
