/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * http.c - the checker's HTTP client: one request at a time to the checked
 * host over one reused connection (libcurl), never following redirects,
 * keeping at most KK_SITE_BODY_MAX bytes of a body.
 *
 * The host's address comes from our own resolution (check.c), handed to
 * curl as a --resolve entry, so the system resolver is never asked and the
 * checker sees the site at the address it judges.  Certificates are not
 * verified here: a site with a broken certificate must still be read, and
 * tls.c reports the certificate itself.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "site_int.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_OK;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void site_resp_clear(struct site_resp *resp)
{
    kk_buf_free(resp->headers);
    kk_buf_free(resp->body);
    memset(resp, 0, sizeof *resp);
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct site_resp *resp = arg;
    size_t len = size * n;
    /* A new status line (after a 100 Continue, say) starts a new block. */
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        kk_buf_reset(resp->headers);
        return len;
    }
    if (kk_buf_put(resp->headers, p, len) != KK_OK) {
        return 0; /* over KK_SITE_HEADERS_MAX: abort the transfer */
    }
    return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct site_resp *resp = arg;
    size_t len = size * n;
    size_t room = KK_SITE_BODY_MAX - kk_buf_len(resp->body);
    if (len > room) {
        if (room > 0 && kk_buf_put(resp->body, p, room) != KK_OK) {
            return 0;
        }
        resp->truncated = true;
        return 0; /* enough read: stop the transfer */
    }
    if (kk_buf_put(resp->body, p, len) != KK_OK) {
        return 0;
    }
    return len;
}

bool site_resp_header_n(const struct site_resp *resp, const char *name,
                        size_t i, char *out, size_t cap)
{
    if (resp->headers == NULL || cap == 0) {
        return false;
    }
    size_t nl = strlen(name);
    struct kk_span s =
        kk_span_make(kk_buf_data(resp->headers), kk_buf_len(resp->headers));
    const char *line;
    size_t len;
    while (kk_span_get_line(&s, KK_SITE_HEADERS_MAX, &line, &len) == KK_OK) {
        if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0) {
            continue;
        }
        if (i > 0) {
            i--;
            continue;
        }
        const char *v = line + nl + 1;
        const char *e = line + len;
        while (v < e && (*v == ' ' || *v == '\t')) {
            v++;
        }
        while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) {
            e--;
        }
        size_t vl = (size_t)(e - v);
        if (vl >= cap) {
            vl = cap - 1;
        }
        memcpy(out, v, vl);
        out[vl] = '\0';
        return true;
    }
    return false;
}

bool site_resp_header(const struct site_resp *resp, const char *name, char *out,
                      size_t cap)
{
    return site_resp_header_n(resp, name, 0, out, cap);
}

static void set_ctype(struct site_resp *resp, const char *ct)
{
    size_t i = 0;
    if (ct == NULL) {
        return;
    }
    while (ct[i] != '\0' && ct[i] != ';' && ct[i] != ' ' &&
           i + 1 < sizeof resp->ctype) {
        resp->ctype[i] = (char)tolower((unsigned char)ct[i]);
        i++;
    }
    resp->ctype[i] = '\0';
}

int site_http(struct site_ctx *c, const char *scheme, const char *path,
              const char *method, const char *body, struct site_resp *resp)
{
    int rc = KK_ERR_NOMEM;
    struct curl_slist *resolve = NULL;
    struct curl_slist *hdrs = NULL;
    bool tls = strcmp(scheme, "https") == 0;
    unsigned port = tls ? c->https_port : c->http_port;
    char url[KK_SITE_URL_MAX + 300];
    char entry[KK_SITE_HOST_MAX + SITE_ADDR_MAX + 16];
    const char *addr = c->addr4[0] != '\0' ? c->addr4 : c->addr6;

    memset(resp, 0, sizeof *resp);
    if ((strcmp(scheme, "http") != 0 && !tls) || path[0] != '/') {
        return KK_ERR_INVAL;
    }
    if (c->r->requests >= KK_SITE_HTTP_MAX) {
        return KK_ERR_LIMIT;
    }
    /* A server that closes every connection costs a handshake per
     * request: the handshake budget bounds those requests too. */
    if (tls && !c->https_kept && c->r->handshakes >= KK_SITE_TLS_MAX) {
        return KK_ERR_LIMIT;
    }
    resp->headers = kk_buf_new(KK_SITE_HEADERS_MAX);
    resp->body = kk_buf_new(KK_SITE_BODY_MAX);
    if (resp->headers == NULL || resp->body == NULL) {
        goto out;
    }
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) {
        rc = KK_ERR_SYSTEM;
        goto out;
    }
    if (c->curl == NULL) {
        c->curl = curl_easy_init();
        if (c->curl == NULL) {
            goto out;
        }
    }
    CURL *h = c->curl;
    bool v6host = strchr(c->host, ':') != NULL;
    int n = snprintf(url, sizeof url, "%s://%s%s%s:%u%s", scheme,
                     v6host ? "[" : "", c->host, v6host ? "]" : "", port, path);
    if (n < 0 || (size_t)n >= sizeof url) {
        rc = KK_ERR_INVAL;
        goto out;
    }
    if (!c->host_is_ip && addr[0] != '\0') {
        bool v6 = strchr(addr, ':') != NULL;
        n = snprintf(entry, sizeof entry, "%s:%u:%s%s%s", c->host, port,
                     v6 ? "[" : "", addr, v6 ? "]" : "");
        if (n < 0 || (size_t)n >= sizeof entry) {
            rc = KK_ERR_INVAL;
            goto out;
        }
        resolve = curl_slist_append(NULL, entry);
        if (resolve == NULL) {
            goto out;
        }
    }
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_MAXCONNECTS, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    /* Read legacy sites too (TLS 1.0, small keys); tls.c judges them. */
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_0);
    curl_easy_setopt(h, CURLOPT_SSL_CIPHER_LIST, "DEFAULT:@SECLEVEL=0");
    curl_easy_setopt(h, CURLOPT_USERAGENT,
                     "Mozilla/5.0 (compatible; kalkan-site/" KK_VERSION
                     "; website security check)");
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
    hdrs = curl_slist_append(NULL, "Accept: text/html,application/xhtml+xml,"
                                   "application/xml;q=0.9,*/*;q=0.8");
    if (hdrs == NULL) {
        goto out;
    }
    if (strcmp(method, "POST") == 0) {
        struct curl_slist *t =
            curl_slist_append(hdrs, "Content-Type: text/xml");
        if (t == NULL) {
            goto out;
        }
        hdrs = t;
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body != NULL ? body : "");
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0) {
        rc = KK_ERR_INVAL;
        goto out;
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    c->r->requests++;
    CURLcode cr = curl_easy_perform(h);
    long status = 0;
    long connects = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    if (tls && connects > 0) {
        c->r->handshakes += (unsigned)connects;
    }
    c->https_kept = false;
    if (cr != CURLE_OK && !(cr == CURLE_WRITE_ERROR && resp->truncated)) {
        snprintf(resp->error, sizeof resp->error, "%s", curl_easy_strerror(cr));
        if (status == 0) {
            rc = KK_OK;
            goto out;
        }
    }
    resp->status = status;
    {
        char conn[64];
        long ver = 0;
        curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &ver);
        c->https_kept =
            tls && cr == CURLE_OK && ver != CURL_HTTP_VERSION_1_0 &&
            !(site_resp_header(resp, "connection", conn, sizeof conn) &&
              strcasestr(conn, "close") != NULL);
    }
    char *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    set_ctype(resp, ct);
    if (!site_resp_header(resp, "location", resp->location,
                          sizeof resp->location)) {
        resp->location[0] = '\0';
    }
    rc = KK_OK;
out:
    if (c->curl != NULL) {
        /* The lists are freed below: curl must not keep pointers to them. */
        curl_easy_setopt(c->curl, CURLOPT_RESOLVE, NULL);
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
    }
    curl_slist_free_all(resolve);
    curl_slist_free_all(hdrs);
    if (rc != KK_OK) {
        site_resp_clear(resp);
    }
    return rc;
}
