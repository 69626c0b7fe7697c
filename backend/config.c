/* Configuration files and the model settings resolved from them. libgit2
 * orders files by level only and has no level between the system file and
 * the user's, so honk builds its own stack with the user's levels shifted up
 * one: `.honk/config`, which anyone with commit access can change, then ranks
 * below every file the user controls and above the system file. */
#include "config.h"
#include "git_api.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_MAX_TOKENS 8192
#define DEFAULT_TRIES 5
#define DEFAULT_TIMEOUT_MS 300000

struct hk_config {
    git_config *cfg;
};

enum {
    LEVEL_SYSTEM = GIT_CONFIG_LEVEL_SYSTEM,
    LEVEL_TEAM = GIT_CONFIG_LEVEL_XDG,
    LEVEL_XDG = GIT_CONFIG_LEVEL_GLOBAL,
    LEVEL_GLOBAL = GIT_CONFIG_LEVEL_LOCAL,
    LEVEL_LOCAL = GIT_CONFIG_LEVEL_APP,
};

typedef int (*find_fn)(git_buf *out);

static int add_file(git_config *cfg, const char *path, int level, const git_repository *repo, char **err)
{
    if (access(path, F_OK) != 0)
        return 0;
    if (git_config_add_file_ondisk(cfg, path, (git_config_level_t)level, repo, 0) == 0)
        return 0;
    const git_error *e = git_error_last();
    *err = hk_xasprintf("cannot read config file %s: %s", path, e ? e->message : "unknown error");
    return -1;
}

static int add_found(git_config *cfg, find_fn find, int level, const git_repository *repo, char **err)
{
    git_buf buf = {0};
    int rc = 0;
    if (find(&buf) == 0)
        rc = add_file(cfg, buf.ptr, level, repo, err);
    git_buf_dispose(&buf);
    return rc;
}

static int build_stack(git_config *cfg, git_repository *repo, char **err)
{
    int rc = add_found(cfg, git_config_find_system, LEVEL_SYSTEM, repo, err);
    if (rc == 0 && repo && git_repository_workdir(repo)) {
        char *team = hk_xasprintf("%s.honk/config", git_repository_workdir(repo));
        rc = add_file(cfg, team, LEVEL_TEAM, repo, err);
        free(team);
    }
    if (rc == 0)
        rc = add_found(cfg, git_config_find_xdg, LEVEL_XDG, repo, err);
    if (rc == 0)
        rc = add_found(cfg, git_config_find_global, LEVEL_GLOBAL, repo, err);
    if (rc == 0 && repo) {
        git_buf local = {0};
        if (git_repository_item_path(&local, repo, GIT_REPOSITORY_ITEM_CONFIG) == 0)
            rc = add_file(cfg, local.ptr, LEVEL_LOCAL, repo, err);
        git_buf_dispose(&local);
    }
    return rc;
}

struct hk_config *hk_config_open(const char *dir, char **err)
{
    hk_git_init();
    git_config *cfg = NULL;
    git_repository *repo = NULL;
    *err = NULL;
    /* Outside a repository only the user's and the system's files count. */
    if (git_repository_open_ext(&repo, dir ? dir : ".", 0, NULL) != 0)
        repo = NULL;
    if (git_config_new(&cfg) != 0 || build_stack(cfg, repo, err) != 0) {
        if (!*err)
            *err = hk_xstrdup("cannot set up the configuration");
        git_config_free(cfg);
        git_repository_free(repo);
        git_libgit2_shutdown();
        return NULL;
    }
    git_repository_free(repo);
    struct hk_config *c = hk_xcalloc(1, sizeof *c);
    c->cfg = cfg;
    return c;
}

struct hk_config *hk_config_open_file(const char *path, char **err)
{
    hk_git_init();
    git_config *cfg = NULL;
    *err = NULL;
    if (git_config_open_ondisk(&cfg, path) != 0) {
        const git_error *e = git_error_last();
        *err = hk_xasprintf("cannot read %s: %s", path, e ? e->message : "unknown error");
        git_libgit2_shutdown();
        return NULL;
    }
    struct hk_config *c = hk_xcalloc(1, sizeof *c);
    c->cfg = cfg;
    return c;
}

void hk_config_free(struct hk_config *cfg)
{
    if (!cfg)
        return;
    git_config_free(cfg->cfg);
    free(cfg);
    git_libgit2_shutdown();
}

char *hk_config_string(struct hk_config *cfg, const char *key)
{
    git_buf buf = {0};
    char *out = NULL;
    if (cfg && git_config_get_string_buf(&buf, cfg->cfg, key) == 0)
        out = hk_xstrdup(buf.ptr);
    git_buf_dispose(&buf);
    return out;
}

/* An iterator rather than git_config_foreach_match, whose regex leaks
 * its match data in libgit2 1.5. */
void hk_config_each(struct hk_config *cfg, const char *prefix,
                    void (*fn)(const char *name, const char *value, void *data), void *data)
{
    git_config_iterator *it = NULL;
    git_config_entry *e;
    if (!cfg || git_config_iterator_new(&it, cfg->cfg) != 0)
        return;
    size_t n = strlen(prefix);
    while (git_config_next(&e, it) == 0)
        if (!strncmp(e->name, prefix, n))
            fn(e->name, e->value ? e->value : "", data);
    git_config_iterator_free(it);
}

int hk_config_int(struct hk_config *cfg, const char *key, long *out, char **err)
{
    char *s = hk_config_string(cfg, key);
    if (!s)
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    int rc = 0;
    if (end == s || *end || v < 0) {
        *err = hk_xasprintf("%s is \"%s\"; it must be a whole number", key, s);
        rc = -1;
    } else {
        *out = v;
    }
    free(s);
    return rc;
}

int hk_config_seconds(struct hk_config *cfg, const char *key, long *out_ms, char **err)
{
    char *s = hk_config_string(cfg, key);
    if (!s)
        return 0;
    char *end;
    double v = strtod(s, &end);
    int rc = 0;
    if (end == s || *end || v < 0 || v > 86400) {
        *err = hk_xasprintf("%s is \"%s\"; it must be a number of seconds", key, s);
        rc = -1;
    } else {
        *out_ms = (long)(v * 1000);
    }
    free(s);
    return rc;
}

int hk_config_bool(struct hk_config *cfg, const char *key, int *out, char **err)
{
    char *s = hk_config_string(cfg, key);
    if (!s)
        return 0;
    int rc = 0;
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on") || !strcmp(s, "1"))
        *out = 1;
    else if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off") || !strcmp(s, "0"))
        *out = 0;
    else {
        *err = hk_xasprintf("%s is \"%s\"; it must be true or false", key, s);
        rc = -1;
    }
    free(s);
    return rc;
}

/* --- model settings ---------------------------------------------------- */

static const char *nonempty_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static int resolve_provider(struct hk_config *cfg, const struct hk_model_flags *flags,
                            enum hk_provider *out, char **err)
{
    char *configured = flags->provider ? NULL : hk_config_string(cfg, "honk.provider");
    const char *name = flags->provider ? flags->provider : configured;
    int rc = 0;
    if (name) {
        if (hk_provider_parse(name, out) != 0) {
            *err = hk_xasprintf("unknown provider \"%s\" (honk speaks anthropic and openai)", name);
            rc = -1;
        }
    } else if (!nonempty_env("ANTHROPIC_API_KEY") && nonempty_env("OPENAI_API_KEY")) {
        *out = HK_PROVIDER_OPENAI;
    } else {
        *out = HK_PROVIDER_ANTHROPIC;
    }
    free(configured);
    return rc;
}

static char *pick(const char *flag, const char *env, char *configured, const char *fallback)
{
    char *v = hk_xstrdup(flag ? flag : env ? env : configured ? configured : fallback);
    free(configured);
    return v;
}

static int is_loopback_url(const char *url)
{
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    return !strncmp(host, "localhost", 9) || !strncmp(host, "127.", 4) || !strncmp(host, "[::1]", 5);
}

/* http:// or https:// and a host: anything else is a setting to correct,
 * not a server to retry for a minute. */
static int valid_base_url(const char *url)
{
    size_t scheme = !strncasecmp(url, "https://", 8) ? 8 : !strncasecmp(url, "http://", 7) ? 7 : 0;
    if (!scheme || !url[scheme] || strchr("/:?#", url[scheme]))
        return 0;
    for (const char *c = url; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            return 0;
    return 1;
}

static int resolve_numbers(struct hk_config *cfg, const struct hk_model_flags *flags,
                           struct hk_model_settings *s, char **err)
{
    long max_tokens = DEFAULT_MAX_TOKENS, tries = DEFAULT_TRIES, timeout_ms = DEFAULT_TIMEOUT_MS;
    if (hk_config_int(cfg, "honk.maxTokens", &max_tokens, err) ||
        hk_config_int(cfg, "honk.retries", &tries, err) ||
        hk_config_seconds(cfg, "honk.timeout", &timeout_ms, err))
        return -1;
    s->max_tokens = (int)(flags->max_tokens > 0 ? flags->max_tokens : max_tokens);
    tries = flags->retries >= 0 ? flags->retries : tries;
    s->max_tries = tries < 1 ? 1 : (int)tries;
    s->timeout_ms = flags->timeout_ms >= 0 ? flags->timeout_ms : timeout_ms;
    s->retry_base_ms = 1000;
    s->cache = 1;
    char *max_cost = flags->max_cost >= 0 ? NULL : hk_config_string(cfg, "honk.maxCost");
    s->max_cost = flags->max_cost >= 0 ? flags->max_cost : 0;
    if (max_cost) {
        char *end;
        s->max_cost = strtod(max_cost, &end);
        if (end == max_cost || *end || s->max_cost < 0)
            *err = hk_xasprintf("honk.maxCost is \"%s\"; it must be an amount in USD", max_cost);
        free(max_cost);
        if (*err)
            return -1;
    }
    return hk_config_bool(cfg, "honk.cache", &s->cache, err);
}

int hk_model_settings_resolve(struct hk_config *cfg, const struct hk_model_flags *flags,
                              struct hk_model_settings *out, char **err)
{
    struct hk_model_settings s = {0};
    *err = NULL;
    if (resolve_provider(cfg, flags, &s.provider, err) || resolve_numbers(cfg, flags, &s, err))
        return -1;
    s.model = pick(flags->model, NULL, hk_config_string(cfg, "honk.model"),
                   hk_provider_default_model(s.provider));
    if (hk_price_resolve(cfg, s.model, &s.price, err) != 0) {
        hk_model_settings_free(&s);
        return -1;
    }
    s.base_url = pick(flags->base_url, nonempty_env(hk_provider_base_env(s.provider)),
                      hk_config_string(cfg, "honk.baseUrl"), hk_provider_default_base(s.provider));
    if (!valid_base_url(s.base_url)) {
        *err = hk_xasprintf("the base URL \"%s\" is not an http:// or https:// URL with a host "
                            "(it comes from %s)", s.base_url,
                            flags->base_url ? "--base-url" : nonempty_env(hk_provider_base_env(s.provider))
                                                                 ? hk_provider_base_env(s.provider)
                                                                 : "honk.baseUrl");
        hk_model_settings_free(&s);
        return -1;
    }
    const char *key = nonempty_env(hk_provider_key_env(s.provider));
    /* Local servers (Ollama, llama.cpp) take no key. */
    if (!key && !(s.provider == HK_PROVIDER_OPENAI && is_loopback_url(s.base_url))) {
        *err = hk_xasprintf("no API key for %s: set %s in the environment", hk_provider_name(s.provider),
                            hk_provider_key_env(s.provider));
        hk_model_settings_free(&s);
        return -1;
    }
    s.api_key = key ? hk_xstrdup(key) : NULL;
    *out = s;
    return 0;
}
