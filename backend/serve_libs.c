/* Loading libmicrohttpd and libcrypto with dlopen when serve starts (see
 * serve_libs.h for why). */
#define HK_SERVE_LIBS_LOADER
#include "serve_libs.h"
#include "util.h"

#include <dlfcn.h>
#include <string.h>

struct hk_serve_libs hk_serve_libs;

/* The sonames of the ABIs honk is compiled against (Debian 12). */
#define MHD_SONAME "libmicrohttpd.so.12"
#define CRYPTO_SONAME "libcrypto.so.3"

static void *open_lib(const char *soname, const char *why, char **err)
{
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        *err = hk_xasprintf("cannot load %s, which honk serve needs %s: %s", soname, why, dlerror());
    return lib;
}

/* POSIX guarantees function pointers survive a round trip through void *. */
#define HK_LOAD(name)                                                                      \
    if (!(fn = dlsym(lib, #name))) {                                                       \
        *err = hk_xasprintf("%s has no %s; it is too old for honk serve", soname, #name);  \
        return -1;                                                                         \
    }                                                                                      \
    memcpy(&hk_serve_libs.name, &fn, sizeof fn);

static int load_crypto(char **err)
{
    const char *soname = CRYPTO_SONAME;
    void *fn, *lib = open_lib(soname, "to check Slack's signatures", err);
    if (!lib)
        return -1;
    HK_CRYPTO_FUNCTIONS(HK_LOAD)
    return 0;
}

static int load_mhd(char **err)
{
    const char *soname = MHD_SONAME;
    void *fn, *lib = open_lib(soname, "to serve HTTP", err);
    if (!lib)
        return -1;
    HK_MHD_FUNCTIONS(HK_LOAD)
    return 0;
}
#undef HK_LOAD

int hk_crypto_load(char **err)
{
    static int loaded;
    if (!loaded && load_crypto(err) == 0)
        loaded = 1;
    return loaded ? 0 : -1;
}

int hk_serve_libs_load(char **err)
{
    static int loaded;
    if (hk_crypto_load(err) != 0)
        return -1;
    if (!loaded && load_mhd(err) == 0)
        loaded = 1;
    return loaded ? 0 : -1;
}
