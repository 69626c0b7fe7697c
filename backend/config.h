/* honk's settings in git-config format, read with libgit2's config API.
 * Precedence: the repository's config > the user's global > XDG > the
 * committed `.honk/config` of the team > the system file. */
#ifndef HK_CONFIG_H
#define HK_CONFIG_H

#include "model.h"

struct hk_config;

/* Reads the configuration that applies in dir (NULL: the current directory),
 * inside a repository or not. NULL with *err set on a broken config file. */
struct hk_config *hk_config_open(const char *dir, char **err);
/* Reads one file in git-config format (a theme, say) and nothing else. */
struct hk_config *hk_config_open_file(const char *path, char **err);
void hk_config_free(struct hk_config *cfg);

/* The value of key, or NULL when unset (caller frees). */
char *hk_config_string(struct hk_config *cfg, const char *key);
/* Calls fn for every variable whose name starts with prefix ("honk.bind."),
 * every file's in turn; strings valid during the call. */
void hk_config_each(struct hk_config *cfg, const char *prefix,
                    void (*fn)(const char *name, const char *value, void *data), void *data);
/* 0 with *out set (left alone when unset); -1 with *err on a bad value. */
int hk_config_int(struct hk_config *cfg, const char *key, long *out, char **err);
int hk_config_seconds(struct hk_config *cfg, const char *key, long *out_ms, char **err);
int hk_config_bool(struct hk_config *cfg, const char *key, int *out, char **err);

/* What the command line says about the model; NULL/-1 where it is silent. */
struct hk_model_flags {
    const char *provider;
    const char *model;
    const char *base_url;
    long max_tokens;
    long retries;
    long timeout_ms;
    double max_cost; /* USD; negative: silent */
};

#define HK_MODEL_FLAGS_NONE {NULL, NULL, NULL, -1, -1, -1, -1}

/* Flags over environment over config over defaults. Fails with one sentence,
 * e.g. naming the variable to set when the API key is missing. */
int hk_model_settings_resolve(struct hk_config *cfg, const struct hk_model_flags *flags,
                              struct hk_model_settings *out, char **err);

#endif
