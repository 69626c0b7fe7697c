/* Loading libcurl with dlopen on first use (see curl_api.h for why). */
#include "curl_api.h"
#include "util.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

struct hk_curl_api hk_curl;

struct symbol {
    const char *name;
    size_t offset;
};

#define SYM(field) {"curl_" #field, offsetof(struct hk_curl_api, field)}

static const struct symbol symbols[] = {
    SYM(global_init),     SYM(multi_init),          SYM(multi_setopt),    SYM(multi_add_handle),
    SYM(multi_remove_handle), SYM(multi_socket_action), SYM(multi_info_read), SYM(multi_cleanup),
    SYM(easy_init),       SYM(easy_setopt),         SYM(easy_getinfo),    SYM(easy_strerror),
    SYM(easy_cleanup),    SYM(slist_append),        SYM(slist_free_all),
};

int hk_curl_load(char **err)
{
    static int loaded;
    if (loaded)
        return 0;
    /* The soname of the ABI honk is compiled against (libcurl 7 and 8 keep it). */
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        *err = hk_xasprintf("cannot load libcurl (libcurl.so.4), which honk needs to reach a model: %s", dlerror());
        return -1;
    }
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        void *fn = dlsym(lib, symbols[i].name);
        if (!fn) {
            *err = hk_xasprintf("libcurl.so.4 has no %s; it is too old for honk", symbols[i].name);
            return -1;
        }
        /* POSIX guarantees function pointers survive a round trip through void *. */
        memcpy((char *)&hk_curl + symbols[i].offset, &fn, sizeof fn);
    }
    hk_curl.global_init(CURL_GLOBAL_DEFAULT);
    loaded = 1;
    return 0;
}
