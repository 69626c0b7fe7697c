/* Loading libgit2 with dlopen on first use (see git_api.h for why). */
#define HK_GIT_API_LOADER
#include "git_api.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hk_git_api hk_git;

/* The soname of the ABI honk is compiled against: libgit2 changes it with
 * every minor version, and git2/version.h names it. */
#define LIBGIT2_SONAME "libgit2.so." LIBGIT2_SOVERSION

static void *symbol(void *lib, const char *name)
{
    void *fn = dlsym(lib, name);
    if (!fn) {
        fprintf(stderr, "honk: %s has no %s; honk was built for libgit2 %s\n", LIBGIT2_SONAME, name,
                LIBGIT2_VERSION);
        exit(127);
    }
    return fn;
}

static void load(void)
{
    void *lib = dlopen(LIBGIT2_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "honk: cannot load %s, which honk needs to work with git repositories: %s\n",
                LIBGIT2_SONAME, dlerror());
        exit(127);
    }
    void *fn;
    /* POSIX guarantees function pointers survive a round trip through void *. */
#define HK_GIT_LOAD(name) fn = symbol(lib, #name), memcpy(&hk_git.name, &fn, sizeof fn);
    HK_GIT_FUNCTIONS(HK_GIT_LOAD)
#undef HK_GIT_LOAD
}

void hk_git_init(void)
{
    static int loaded;
    if (!loaded) {
        load();
        loaded = 1;
    }
    hk_git.git_libgit2_init();
}
