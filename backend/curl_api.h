/* libcurl, loaded when honk first talks to a model rather than when it
 * starts: its dependency tree (TLS, Kerberos, LDAP, ...) is two thirds of
 * the libraries a honk process maps, which every command would otherwise
 * pay for in start-up time and resident memory (`make bench`). */
#ifndef HK_CURL_API_H
#define HK_CURL_API_H

#include <curl/curl.h>

struct hk_curl_api {
    CURLcode (*global_init)(long flags);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_setopt)(CURLM *multi, CURLMoption option, ...);
    CURLMcode (*multi_add_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_remove_handle)(CURLM *multi, CURL *easy);
    CURLMcode (*multi_socket_action)(CURLM *multi, curl_socket_t s, int ev_bitmask, int *running);
    CURLMsg *(*multi_info_read)(CURLM *multi, int *msgs_in_queue);
    CURLMcode (*multi_cleanup)(CURLM *multi);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *easy, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *easy, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    void (*easy_cleanup)(CURL *easy);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
};

extern struct hk_curl_api hk_curl;

/* Loads libcurl once; 0, or -1 with *err saying why it cannot be used. */
int hk_curl_load(char **err);

#endif
