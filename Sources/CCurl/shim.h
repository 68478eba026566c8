// libcurl, loaded with dlopen by the Wink management commands only: the binary has no DT_NEEDED entry for
// it, so workers and CGI requests never load libcurl's library chain (OpenSSL, nghttp2, LDAP, ...).
// curl.h gives the option numbers and types; nothing here links against libcurl.
#ifndef WINKHOOK_CCURL_SHIM_H
#define WINKHOOK_CCURL_SHIM_H

#include <curl/curl.h>
#include <dlfcn.h>
#include <stddef.h>

typedef struct winkhook_curl {
    void *library;
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *handle);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
} winkhook_curl;

/// Loads libcurl.so.4 into `api`; returns 0, or -1 with dlerror()'s text in `error` (of `size` bytes).
static inline int winkhook_curl_load(winkhook_curl *api, char *error, size_t size) {
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *text = dlerror();
        snprintf(error, size, "%s", text ? text : "dlopen failed");
        return -1;
    }
    api->library = library;
    api->global_init = (CURLcode(*)(long))dlsym(library, "curl_global_init");
    api->easy_init = (CURL * (*)(void)) dlsym(library, "curl_easy_init");
    api->easy_setopt = (CURLcode(*)(CURL *, CURLoption, ...))dlsym(library, "curl_easy_setopt");
    api->easy_perform = (CURLcode(*)(CURL *))dlsym(library, "curl_easy_perform");
    api->easy_getinfo = (CURLcode(*)(CURL *, CURLINFO, ...))dlsym(library, "curl_easy_getinfo");
    api->easy_cleanup = (void (*)(CURL *))dlsym(library, "curl_easy_cleanup");
    api->easy_strerror = (const char *(*)(CURLcode))dlsym(library, "curl_easy_strerror");
    api->slist_append = (struct curl_slist * (*)(struct curl_slist *, const char *)) dlsym(library, "curl_slist_append");
    api->slist_free_all = (void (*)(struct curl_slist *))dlsym(library, "curl_slist_free_all");
    if (!api->global_init || !api->easy_init || !api->easy_setopt || !api->easy_perform || !api->easy_getinfo ||
        !api->easy_cleanup || !api->easy_strerror || !api->slist_append || !api->slist_free_all) {
        snprintf(error, size, "libcurl.so.4 lacks an expected function");
        return -1;
    }
    return api->global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one wrapper per type.
static inline CURLcode winkhook_curl_setopt_long(const winkhook_curl *api, CURL *h, CURLoption o, long v) {
    return api->easy_setopt(h, o, v);
}
static inline CURLcode winkhook_curl_setopt_pointer(const winkhook_curl *api, CURL *h, CURLoption o, const void *v) {
    return api->easy_setopt(h, o, v);
}
static inline CURLcode winkhook_curl_setopt_size(const winkhook_curl *api, CURL *h, CURLoption o, curl_off_t v) {
    return api->easy_setopt(h, o, v);
}
typedef size_t (*winkhook_curl_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode winkhook_curl_setopt_callback(
    const winkhook_curl *api, CURL *h, CURLoption o, winkhook_curl_callback v) {
    return api->easy_setopt(h, o, v);
}
static inline CURLcode winkhook_curl_getinfo_long(const winkhook_curl *api, CURL *h, CURLINFO i, long *v) {
    return api->easy_getinfo(h, i, v);
}

#endif
