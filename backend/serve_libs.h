/* libmicrohttpd and libcrypto, loaded by honk serve when it starts rather than
 * by every honk process, as libcurl and libgit2 are (curl_api.h, git_api.h):
 * Debian's libmicrohttpd brings GnuTLS and eight more libraries with it, and
 * libcrypto is 4.5 MB of relocations, which every `honk apply` or `honk log`
 * would otherwise pay at start-up for a server it never runs.
 *
 * Include this instead of <microhttpd.h> or <openssl/hmac.h>: each function
 * serve calls is listed below and its name redirected to a pointer. */
#ifndef HK_SERVE_LIBS_H
#define HK_SERVE_LIBS_H

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define HK_MHD_FUNCTIONS(X) \
    X(MHD_start_daemon) \
    X(MHD_stop_daemon) \
    X(MHD_run) \
    X(MHD_get_timeout) \
    X(MHD_get_daemon_info) \
    X(MHD_get_connection_info) \
    X(MHD_lookup_connection_value) \
    X(MHD_create_response_from_buffer) \
    X(MHD_add_response_header) \
    X(MHD_queue_response) \
    X(MHD_destroy_response) \
    X(MHD_is_feature_supported)

#define HK_CRYPTO_FUNCTIONS(X) \
    X(HMAC) \
    X(EVP_sha256) \
    X(CRYPTO_memcmp)

#define HK_SERVE_POINTER(fn) __typeof__(fn) *fn;
struct hk_serve_libs {
    HK_MHD_FUNCTIONS(HK_SERVE_POINTER)
    HK_CRYPTO_FUNCTIONS(HK_SERVE_POINTER)
};
#undef HK_SERVE_POINTER

extern struct hk_serve_libs hk_serve_libs;

/* Loads both libraries once: 0, or -1 with *err saying which one is missing. */
int hk_serve_libs_load(char **err);
/* Only libcrypto (the Slack signature checks without a server). */
int hk_crypto_load(char **err);

#ifndef HK_SERVE_LIBS_LOADER
#define MHD_start_daemon (hk_serve_libs.MHD_start_daemon)
#define MHD_stop_daemon (hk_serve_libs.MHD_stop_daemon)
#define MHD_run (hk_serve_libs.MHD_run)
#define MHD_get_timeout (hk_serve_libs.MHD_get_timeout)
#define MHD_get_daemon_info (hk_serve_libs.MHD_get_daemon_info)
#define MHD_get_connection_info (hk_serve_libs.MHD_get_connection_info)
#define MHD_lookup_connection_value (hk_serve_libs.MHD_lookup_connection_value)
#define MHD_create_response_from_buffer (hk_serve_libs.MHD_create_response_from_buffer)
#define MHD_add_response_header (hk_serve_libs.MHD_add_response_header)
#define MHD_queue_response (hk_serve_libs.MHD_queue_response)
#define MHD_destroy_response (hk_serve_libs.MHD_destroy_response)
#define MHD_is_feature_supported (hk_serve_libs.MHD_is_feature_supported)
#define HMAC (hk_serve_libs.HMAC)
#define EVP_sha256 (hk_serve_libs.EVP_sha256)
#define CRYPTO_memcmp (hk_serve_libs.CRYPTO_memcmp)
#endif

#endif
