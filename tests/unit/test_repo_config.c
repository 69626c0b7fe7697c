/* Configuration precedence: local > global > .honk/config > system, and the
 * user's config alone outside a repository. */
#include <stdlib.h>

#include "check.h"
#include "repo.h"
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

TEST(config_precedence)
{
    char *dir = setup();
    struct hk_repo *repo = NULL;
    char *err = NULL, *v = NULL;
    CHECK(hk_repo_open(&repo, dir, &err) == 0, "open: %s", err);
    if (!repo)
        goto out;
    CHECK(hk_repo_config_get_string(repo, "honk.model", &v, &err) == 1, "model");
    CHECK_STR(v, "global-model");
    free(v);
    CHECK(hk_repo_config_get_string(repo, "honk.test", &v, &err) == 1, "test");
    CHECK_STR(v, "local-test");
    free(v);
    CHECK(hk_repo_config_get_string(repo, "honk.only", &v, &err) == 1, "only");
    CHECK_STR(v, "team-only");
    free(v);
    v = NULL;
    CHECK(hk_repo_config_get_string(repo, "honk.absent", &v, &err) == 0 && !v, "absent");
    char *user = NULL;
    CHECK(hk_repo_config_get_string(repo, "user.name", &user, &err) == 1, "user.name");
    CHECK_STR(user, "Test User");
    free(user);
out:
    hk_repo_close(repo);
    free(dir);
    fx_end();
}

TEST(config_bool_int_and_errors)
{
    char *dir = setup();
    struct hk_repo *repo = NULL;
    char *err = NULL;
    CHECK(hk_repo_open(&repo, dir, &err) == 0, "open: %s", err);
    if (!repo)
        goto out;
    int flag = 0;
    long long n = 0;
    CHECK(hk_repo_config_get_bool(repo, "honk.flag", &flag, &err) == 1 && flag == 1, "flag");
    CHECK(hk_repo_config_get_int(repo, "honk.maxiterations", &n, &err) == 1 && n == 12, "int");
    CHECK(hk_repo_config_get_bool(repo, "honk.nothing", &flag, &err) == 0, "absent bool");
    CHECK(hk_repo_config_get_bool(repo, "honk.bad", &flag, &err) == -1, "bad bool accepted");
    CHECK(err && strstr(err, "honk.bad") && strstr(err, "maybe"), "err %s", err);
    free(err);
out:
    hk_repo_close(repo);
    free(dir);
    fx_end();
}

TEST(config_glob_entries)
{
    char *dir = setup();
    struct hk_repo *repo = NULL;
    char *err = NULL;
    CHECK(hk_repo_open(&repo, dir, &err) == 0, "open: %s", err);
    if (!repo)
        goto out;
    struct hk_config_entry *e = NULL;
    size_t n = 0;
    CHECK(hk_repo_config_get_all(repo, "honk.bind.*", &e, &n, &err) == 0, "all: %s", err);
    struct hk_buf b = {0};
    for (size_t i = 0; i < n; i++)
        hk_buf_printf(&b, "%s=%s;", e[i].name, e[i].value);
    /* lowest precedence first: a later entry with the same name wins */
    CHECK_STR(b.data, "honk.bind.ctrl-t=tests;honk.bind.ctrl-d=diff;"
                      "honk.bind.ctrl-d=global-diff;honk.bind.ctrl-l=local;");
    hk_buf_free(&b);
    hk_config_entries_free(e, n);
out:
    hk_repo_close(repo);
    free(dir);
    fx_end();
}

TEST(config_outside_a_repository)
{
    char *dir = setup();
    char *err = NULL, *v = NULL;
    CHECK(hk_repo_config_get_string(NULL, "honk.model", &v, &err) == 1, "model: %s", err);
    CHECK_STR(v, "global-model");
    free(v);
    v = NULL;
    CHECK(hk_repo_config_get_string(NULL, "honk.only", &v, &err) == 0 && !v, "team leaked");
    struct hk_config_entry *e = NULL;
    size_t n = 0;
    CHECK(hk_repo_config_get_all(NULL, "honk.bind.*", &e, &n, &err) == 0 && n == 1, "all %zu", n);
    hk_config_entries_free(e, n);
    free(dir);
    fx_end();
}
