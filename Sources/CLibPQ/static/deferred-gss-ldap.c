/*
 * Linked into the release binary only (scripts/static-libpq), beside Debian's libpq.a: the GSSAPI and LDAP
 * functions libpq.a calls, each loading the system's library (libgssapi_krb5.so.2, libldap-2.5.so.0) with
 * dlopen on first use and calling the real function. A process that never meets Kerberos or an ldap://
 * service entry never loads either library's chain (krb5 and OpenLDAP, GnuTLS, p11-kit, gmp...: 4,000
 * symbol relocations at every start). libpq asks GSSAPI for credentials on every TCP connection
 * (gssencmode=prefer), so TCP connections load libgssapi_krb5 once per process, as before.
 *
 * Without the library, GSSAPI calls answer GSS_S_UNAVAILABLE (libpq then goes on without GSSAPI, as a
 * libpq built without it) and ldap_init answers NULL (libpq: "could not create LDAP structure").
 * The prototypes are RFC 2744's and OpenLDAP's; this file includes neither header so the build needs
 * neither libkrb5-dev nor libldap-dev.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint32_t OM_uint32;
typedef struct {
    size_t length;
    void *value;
} gss_buffer_desc, *gss_buffer_t;
typedef struct {
    OM_uint32 length;
    void *elements;
} gss_OID_desc, *gss_OID;
typedef void *gss_name_t, *gss_cred_id_t, *gss_ctx_id_t, *gss_OID_set, *gss_channel_bindings_t;

#define GSS_S_UNAVAILABLE (16u << 16)

/* GSS_C_NT_HOSTBASED_SERVICE, 1.2.840.113554.1.2.1.4 (RFC 2744 §4): libpq passes it to gss_import_name,
 * which compares OIDs by value. */
static gss_OID_desc hostbased_service = {10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"};
gss_OID GSS_C_NT_HOSTBASED_SERVICE = &hostbased_service;

struct library {
    const char *file;
    pthread_once_t once;
    void *handle;
};
static struct library gssapi = {"libgssapi_krb5.so.2", PTHREAD_ONCE_INIT, NULL};
static struct library ldap = {"libldap-2.5.so.0", PTHREAD_ONCE_INIT, NULL};

static void open_gssapi(void) { gssapi.handle = dlopen(gssapi.file, RTLD_NOW | RTLD_LOCAL); }
static void open_ldap(void) { ldap.handle = dlopen(ldap.file, RTLD_NOW | RTLD_LOCAL); }

static void *gss_symbol(const char *name) {
    pthread_once(&gssapi.once, open_gssapi);
    return gssapi.handle ? dlsym(gssapi.handle, name) : NULL;
}

static void *ldap_symbol(const char *name) {
    pthread_once(&ldap.once, open_ldap);
    return ldap.handle ? dlsym(ldap.handle, name) : NULL;
}

/* Calls the real `name` with `args`, or answers GSS_S_UNAVAILABLE. */
#define GSS_FORWARD(name, params, args)                                       \
    OM_uint32 name params {                                                   \
        OM_uint32(*real) params = (OM_uint32(*) params)gss_symbol(#name);     \
        if (real) return real args;                                           \
        *minor = 0;                                                           \
        return GSS_S_UNAVAILABLE;                                             \
    }

GSS_FORWARD(gss_acquire_cred,
            (OM_uint32 * minor, gss_name_t name, OM_uint32 time, gss_OID_set mechs, int usage, gss_cred_id_t *cred,
             gss_OID_set *actual, OM_uint32 *time_rec),
            (minor, name, time, mechs, usage, cred, actual, time_rec))
GSS_FORWARD(gss_delete_sec_context, (OM_uint32 * minor, gss_ctx_id_t *context, gss_buffer_t token),
            (minor, context, token))
GSS_FORWARD(gss_import_name, (OM_uint32 * minor, gss_buffer_t input, gss_OID type, gss_name_t *output),
            (minor, input, type, output))
GSS_FORWARD(gss_init_sec_context,
            (OM_uint32 * minor, gss_cred_id_t cred, gss_ctx_id_t *context, gss_name_t target, gss_OID mech,
             OM_uint32 flags, OM_uint32 time, gss_channel_bindings_t bindings, gss_buffer_t input,
             gss_OID *actual_mech, gss_buffer_t output, OM_uint32 *ret_flags, OM_uint32 *time_rec),
            (minor, cred, context, target, mech, flags, time, bindings, input, actual_mech, output, ret_flags,
             time_rec))
GSS_FORWARD(gss_release_cred, (OM_uint32 * minor, gss_cred_id_t *cred), (minor, cred))
GSS_FORWARD(gss_release_name, (OM_uint32 * minor, gss_name_t *name), (minor, name))
GSS_FORWARD(gss_unwrap,
            (OM_uint32 * minor, gss_ctx_id_t context, gss_buffer_t input, gss_buffer_t output, int *conf_state,
             OM_uint32 *qop_state),
            (minor, context, input, output, conf_state, qop_state))
GSS_FORWARD(gss_wrap,
            (OM_uint32 * minor, gss_ctx_id_t context, int conf_req, OM_uint32 qop, gss_buffer_t input,
             int *conf_state, gss_buffer_t output),
            (minor, context, conf_req, qop, input, conf_state, output))
GSS_FORWARD(gss_wrap_size_limit,
            (OM_uint32 * minor, gss_ctx_id_t context, int conf_req, OM_uint32 qop, OM_uint32 output_size,
             OM_uint32 *max_input),
            (minor, context, conf_req, qop, output_size, max_input))

/* Without the library, the status text says why; it is released below with free(). */
OM_uint32 gss_display_status(OM_uint32 *minor, OM_uint32 status, int type, gss_OID mech, OM_uint32 *context,
                             gss_buffer_t text) {
    OM_uint32 (*real)(OM_uint32 *, OM_uint32, int, gss_OID, OM_uint32 *, gss_buffer_t) =
        (OM_uint32(*)(OM_uint32 *, OM_uint32, int, gss_OID, OM_uint32 *, gss_buffer_t))gss_symbol("gss_display_status");
    if (real) return real(minor, status, type, mech, context, text);
    static const char why[] = "GSSAPI is not available: libgssapi_krb5.so.2 cannot be loaded";
    *minor = 0;
    *context = 0;
    text->value = strdup(why);
    text->length = text->value ? strlen(why) : 0;
    return 0;
}

OM_uint32 gss_release_buffer(OM_uint32 *minor, gss_buffer_t buffer) {
    OM_uint32 (*real)(OM_uint32 *, gss_buffer_t) = (OM_uint32(*)(OM_uint32 *, gss_buffer_t))gss_symbol("gss_release_buffer");
    if (real) return real(minor, buffer);
    *minor = 0;
    if (buffer) {
        free(buffer->value);
        buffer->value = NULL;
        buffer->length = 0;
    }
    return 0;
}

/* Calls the real `name` with `args`, or answers `fallback`. */
#define LDAP_FORWARD(type, name, params, args, fallback)                      \
    type name params {                                                        \
        type(*real) params = (type(*) params)ldap_symbol(#name);              \
        return real ? real args : fallback;                                   \
    }

struct timeval;
LDAP_FORWARD(void *, ldap_init, (const char *host, int port), (host, port), NULL)
LDAP_FORWARD(int, ldap_set_option, (void *ld, int option, const void *value), (ld, option, value), -1)
LDAP_FORWARD(int, ldap_simple_bind, (void *ld, const char *who, const char *password), (ld, who, password), -1)
LDAP_FORWARD(int, ldap_search_st,
             (void *ld, const char *base, int scope, const char *filter, char **attrs, int attrsonly,
              struct timeval *timeout, void **result),
             (ld, base, scope, filter, attrs, attrsonly, timeout, result), -1)
LDAP_FORWARD(int, ldap_result, (void *ld, int id, int all, struct timeval *timeout, void **result),
             (ld, id, all, timeout, result), -1)
LDAP_FORWARD(int, ldap_count_entries, (void *ld, void *chain), (ld, chain), -1)
LDAP_FORWARD(void *, ldap_first_entry, (void *ld, void *chain), (ld, chain), NULL)
LDAP_FORWARD(void *, ldap_get_values_len, (void *ld, void *entry, const char *attribute), (ld, entry, attribute),
             NULL)
LDAP_FORWARD(int, ldap_msgfree, (void *message), (message), -1)
LDAP_FORWARD(int, ldap_unbind, (void *ld), (ld), -1)
LDAP_FORWARD(char *, ldap_err2string, (int error), (error), (char *)"LDAP is not available: libldap-2.5.so.0 cannot be loaded")

void ldap_value_free_len(void **values) {
    void (*real)(void **) = (void (*)(void **))ldap_symbol("ldap_value_free_len");
    if (real) real(values);
}
