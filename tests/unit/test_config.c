/* Configuration: precedence local > global > .honk/config > system, the
 * user's config alone outside a repository, and model settings. */
#include <stdlib.h>

#include "check.h"
#include "config.h"
#include "util.h"
#include "repo_fixture.h"

static const char *team_config = "[honk]\n"
                                 "\tmodel = team-model\n"
                                 "\ttest = team-test\n"
                                 "\tonly = team-only\n"
                                 "\tflag = yes\n"
                                 "\tmaxIterations = 12\n"
                                 "\tbad = maybe\n"
                                 "[honk \"bind\"]\n"
                                 "\tctrl-t = tests\n"
                                 "\tctrl-d = diff\n";

static char *setup(void)
{
    fx_begin(1);
    char *dir = fx_repo();
    write_file(dir, ".honk/config", team_config);
    sh("git config --global honk.model global-model && git config --global honk.test global-test"
       " && git config --global honk.bind.ctrl-d global-diff");
    sh("git -C '%s' config honk.test local-test && git -C '%s' config honk.bind.ctrl-l local",
       dir, dir);
    return dir;
}

static char *get(struct hk_config *cfg, const char *key)
{
    static char value[256];
    char *v = hk_config_string(cfg, key);
    snprintf(value, sizeof value, "%s", v ? v : "(unset)");
    free(v);
    return value;
}

TEST(config_precedence)
{
    char *dir = setup();
    char *err = NULL;
    struct hk_config *cfg = hk_config_open(dir, &err);
    CHECK(cfg, "open: %s", err);
    CHECK_STR(get(cfg, "honk.model"), "global-model");
    CHECK_STR(get(cfg, "honk.test"), "local-test");
    CHECK_STR(get(cfg, "honk.only"), "team-only");
    CHECK_STR(get(cfg, "honk.absent"), "(unset)");
    CHECK_STR(get(cfg, "user.name"), "Test User");
    hk_config_free(cfg);
    free(dir);
    fx_end();
}

static void collect(const char *name, const char *value, void *data)
{
    struct hk_buf *b = data;
    hk_buf_printf(b, "%s=%s;", name, value);
}

/* Every file's honk.bind entries, so the cockpit can name an unknown action. */
TEST(config_each_lists_a_prefix)
{
    char *dir = setup();
    char *err = NULL;
    struct hk_config *cfg = hk_config_open(dir, &err);
    CHECK(cfg, "open: %s", err);
    struct hk_buf b = {0};
    hk_config_each(cfg, "honk.bind.", collect, &b);
    const char *all = b.data ? b.data : "";
    CHECK(strstr(all, "honk.bind.ctrl-t=tests;"), "team entry missing: %s", all);
    CHECK(strstr(all, "honk.bind.ctrl-d=diff;") && strstr(all, "honk.bind.ctrl-d=global-diff;"),
          "both files' ctrl-d: %s", all);
    CHECK(strstr(all, "honk.bind.ctrl-l=local;"), "local entry missing: %s", all);
    CHECK(!strstr(all, "honk.model") && !strstr(all, "user."), "other names listed: %s", all);
    hk_buf_free(&b);
    hk_config_free(cfg);
    free(dir);
    fx_end();
}

TEST(config_bool_int_and_errors)
{
    char *dir = setup();
    char *err = NULL;
    struct hk_config *cfg = hk_config_open(dir, &err);
    int flag = 0;
    long n = 0;
    CHECK(hk_config_bool(cfg, "honk.flag", &flag, &err) == 0 && flag == 1, "flag");
    CHECK(hk_config_int(cfg, "honk.maxiterations", &n, &err) == 0 && n == 12, "int");
    flag = 7;
    CHECK(hk_config_bool(cfg, "honk.nothing", &flag, &err) == 0 && flag == 7, "absent bool left alone");
    CHECK(hk_config_bool(cfg, "honk.bad", &flag, &err) == -1, "bad bool accepted");
    CHECK(err && strstr(err, "honk.bad") && strstr(err, "maybe"), "err %s", err);
    free(err);
    hk_config_free(cfg);
    free(dir);
    fx_end();
}

TEST(config_outside_a_repository)
{
    char *dir = setup();
    char *err = NULL;
    struct hk_config *cfg = hk_config_open("/", &err);
    CHECK_STR(get(cfg, "honk.model"), "global-model");
    CHECK_STR(get(cfg, "honk.only"), "(unset)");
    CHECK_STR(get(cfg, "honk.bind.ctrl-d"), "global-diff");
    hk_config_free(cfg);
    free(dir);
    fx_end();
}

TEST(model_settings_resolution)
{
    char *dir = setup();
    char *err = NULL;
    sh("git -C '%s' config honk.provider openai && git -C '%s' config honk.retries 2", dir, dir);
    struct hk_config *cfg = hk_config_open(dir, &err);
    struct hk_model_flags flags = HK_MODEL_FLAGS_NONE;
    struct hk_model_settings s;
    unsetenv("OPENAI_API_KEY");
    unsetenv("OPENAI_BASE_URL");
    CHECK(hk_model_settings_resolve(cfg, &flags, &s, &err) == -1, "no key, remote server");
    CHECK_STR(err, "no API key for openai: set OPENAI_API_KEY in the environment");
    free(err);
    setenv("OPENAI_API_KEY", "k", 1);
    setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1", 1);
    flags.model = "flag-model";
    CHECK(hk_model_settings_resolve(cfg, &flags, &s, &err) == 0, "%s", err);
    CHECK(s.provider == HK_PROVIDER_OPENAI && s.max_tries == 2, "provider and retries from config");
    CHECK_STR(s.model, "flag-model");
    CHECK_STR(s.base_url, "http://127.0.0.1:9/v1");
    hk_model_settings_free(&s);
    unsetenv("OPENAI_API_KEY");
    CHECK(hk_model_settings_resolve(cfg, &flags, &s, &err) == 0, "a local server needs no key: %s", err);
    CHECK(s.api_key == NULL, "no key sent");
    hk_model_settings_free(&s);
    unsetenv("OPENAI_BASE_URL");
    flags.provider = "gemini";
    CHECK(hk_model_settings_resolve(cfg, &flags, &s, &err) == -1 && strstr(err, "unknown provider"), "%s", err);
    free(err);
    hk_config_free(cfg);
    free(dir);
    fx_end();
}
