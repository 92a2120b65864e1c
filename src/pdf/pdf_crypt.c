/* Encrypting the objects of an update with the document's key (ISO 32000-2 7.6.2, 7.6.3). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "eseal/crypto.h"
#include "pdf/pdf_local.h"

/* The object's key (algorithm 1): MD5(key, id, gen[, "sAlT"]) for R2-R4, the file key for R5-6. */
static size_t object_key(const es__pdf_crypt *c, es__pdf_cm m, long id, int gen, uint8_t k[32])
{
    uint8_t in[32 + 9], h[16];
    size_t n = c->nkey;
    unsigned hl = 0;

    if (c->r >= 5) {
        memcpy(k, c->key, 32);
        return 32;
    }
    memcpy(in, c->key, n);
    in[n++] = (uint8_t)id, in[n++] = (uint8_t)(id >> 8), in[n++] = (uint8_t)(id >> 16);
    in[n++] = (uint8_t)gen, in[n++] = (uint8_t)(gen >> 8);
    if (m == ES__PDF_CM_AES128)
        memcpy(in + n, "sAlT", 4), n += 4;
    if (!EVP_Digest(in, n, h, &hl, EVP_md5(), NULL))
        return 0;
    n = c->nkey + 5 > 16 ? 16 : c->nkey + 5;
    memcpy(k, h, n);
    OPENSSL_cleanse(in, sizeof(in));
    return n;
}

/* The encrypted length of n bytes: RC4 keeps it, AES adds the IV and PKCS#5 padding. */
static size_t enc_len(es__pdf_cm m, size_t n)
{
    return m == ES__PDF_CM_AES128 || m == ES__PDF_CM_AES256 ? 16 + (n / 16 + 1) * 16 : n;
}

/* Encrypt p[0..n) for object id gen with method m and append it to out (raw bytes). */
static void encrypt_to(const es__pdf_crypt *c, es__pdf_cm m, long id, int gen, const uint8_t *p,
                       size_t n, es__sb *out)
{
    uint8_t k[32], *buf = malloc(enc_len(m, n) + 16);
    size_t nk = object_key(c, m, id, gen, k);
    EVP_CIPHER_CTX *x = NULL;
    int l1 = 0, l2 = 0, ok = buf != NULL && nk > 0;

    if (ok && m == ES__PDF_CM_RC4) {
        memcpy(buf, p, n);
        es__pdf_rc4(k, nk, buf, n);
        l1 = (int)n;
    } else if (ok) {
        ok = es_random(buf, 16) == ES_OK && n < INT32_MAX - 32 && (x = EVP_CIPHER_CTX_new()) &&
             EVP_EncryptInit_ex(x, m == ES__PDF_CM_AES128 ? EVP_aes_128_cbc() : EVP_aes_256_cbc(),
                                NULL, k, buf) &&
             EVP_EncryptUpdate(x, buf + 16, &l1, p, (int)n) &&
             EVP_EncryptFinal_ex(x, buf + 16 + l1, &l2);
        l1 += 16 + l2;
    }
    if (!ok)
        out->err = out->err ? out->err : es__fail(ES_ERR_INTERNAL, "cannot encrypt an object");
    else
        es__sb_add(out, buf, (size_t)l1);
    EVP_CIPHER_CTX_free(x);
    OPENSSL_cleanse(k, sizeof(k));
    free(buf);
}

static int hexval(uint8_t ch)
{
    return ch >= '0' && ch <= '9'   ? ch - '0'
           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                    : -1;
}

/* A literal string at p[*i] == '(' decoded into s (ISO 32000 7.3.4.2); *i after its ')'. */
static void literal(const uint8_t *p, size_t n, size_t *i, es__sb *s)
{
    static const char esc[] = "nrtbf()\\", val[] = "\n\r\t\b\f()\\";
    int nest = 0;
    size_t j = *i + 1;

    for (; j < n && !(p[j] == ')' && nest == 0); j++) {
        uint8_t ch = p[j];
        if (ch == '\\' && j + 1 < n) {
            const char *e = strchr(esc, p[++j]);
            if (e != NULL && p[j] != 0) {
                ch = (uint8_t)val[e - esc];
            } else if (p[j] >= '0' && p[j] <= '7') {
                unsigned v = 0;
                for (int k = 0; k < 3 && j < n && p[j] >= '0' && p[j] <= '7'; k++, j++)
                    v = v * 8 + (p[j] - '0');
                j--;
                ch = (uint8_t)v;
            } else if (p[j] == '\r' || p[j] == '\n') {
                if (p[j] == '\r' && j + 1 < n && p[j + 1] == '\n')
                    j++;
                continue; /* a line continuation */
            } else {
                ch = p[j];
            }
        } else if (ch == '\r') {
            if (j + 1 < n && p[j + 1] == '\n')
                j++;
            ch = '\n';
        } else {
            nest += ch == '(' ? 1 : ch == ')' ? -1 : 0;
        }
        es__sb_add(s, &ch, 1);
    }
    *i = j < n ? j + 1 : n;
}

/* A hex string at p[*i] == '<' decoded into s; *i after its '>'. */
static void hexstr(const uint8_t *p, size_t n, size_t *i, es__sb *s)
{
    size_t j = *i + 1;
    int hi = -1;

    for (; j < n && p[j] != '>'; j++) {
        int v = hexval(p[j]);
        if (v < 0)
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            uint8_t b = (uint8_t)(hi << 4 | v);
            es__sb_add(s, &b, 1);
            hi = -1;
        }
    }
    if (hi >= 0) {
        uint8_t b = (uint8_t)(hi << 4);
        es__sb_add(s, &b, 1);
    }
    *i = j < n ? j + 1 : n;
}

/* Encrypt the string value at p[*i] into out as hex (or copy it when plain). */
static void string(const es__pdf_crypt *c, long id, int gen, const uint8_t *p, size_t n, size_t *i,
                   int plain, es__sb *out)
{
    es__sb s = ES__PDF_SB_INIT, e = ES__PDF_SB_INIT;
    size_t start = *i;

    if (p[*i] == '(')
        literal(p, n, i, &s);
    else
        hexstr(p, n, i, &s);
    if (plain || c->str == ES__PDF_CM_NONE) {
        es__sb_add(out, p + start, *i - start);
    } else {
        encrypt_to(c, c->str, id, gen, s.p ? (const uint8_t *)s.p : (const uint8_t *)"", s.len, &e);
        es__sb_str(out, "<");
        es__pdf_sb_hex(out, (const uint8_t *)e.p, e.len);
        es__sb_str(out, ">");
        if (e.err || s.err)
            out->err = out->err ? out->err : (e.err ? e.err : s.err);
    }
    es__sb_free(&s);
    es__sb_free(&e);
}

static int is_delim(uint8_t ch)
{
    return strchr(" \t\r\n\f()<>[]{}/%", ch) != NULL || ch == 0;
}

/* The stream data after the keyword at p[*i]: its /Length bytes, encrypted; the rest copied. */
static void stream_data(const es__pdf_crypt *c, long id, int gen, const uint8_t *p, size_t n,
                        size_t i, size_t len, es__sb *out)
{
    i += 6;
    if (i < n && p[i] == '\r')
        es__sb_add(out, p + i++, 1);
    if (i < n && p[i] == '\n')
        es__sb_add(out, p + i++, 1);
    if (len > n - i) {
        out->err = out->err ? out->err : es__fail(ES_ERR_INTERNAL, "a stream shorter than /Length");
        return;
    }
    if (c->stm == ES__PDF_CM_NONE)
        es__sb_add(out, p + i, len);
    else
        encrypt_to(c, c->stm, id, gen, p + i, len, out);
    es__sb_add(out, p + i + len, n - i - len);
}

es_err es__pdf_crypt_object(const es__pdf_crypt *c, long id, int gen, const uint8_t *p, size_t n,
                            int plain_contents, es__sb *out)
{
    int depth = 0, plain_next = 0, length_next = 0;
    size_t len = 0, i = 0;

    while (i < n && out->err == ES_OK) {
        uint8_t ch = p[i];
        if (ch == '(' || (ch == '<' && (i + 1 >= n || p[i + 1] != '<'))) {
            string(c, id, gen, p, n, &i, plain_next, out);
            plain_next = length_next = 0;
        } else if (ch == '/') {
            size_t j = i + 1;
            while (j < n && !is_delim(p[j]))
                j++;
            plain_next =
                plain_contents && depth == 1 && j - i == 9 && !memcmp(p + i, "/Contents", 9);
            length_next = depth == 1 && j - i == 7 && !memcmp(p + i, "/Length", 7);
            es__sb_add(out, p + i, j - i);
            i = j;
        } else if (length_next && ch >= '0' && ch <= '9') {
            for (len = 0; i < n && p[i] >= '0' && p[i] <= '9' && len < SIZE_MAX / 20; i++)
                len = len * 10 + (p[i] - '0');
            es__sb_printf(out, "%zu", enc_len(c->stm, len));
            length_next = 0;
        } else if (depth == 0 && n - i >= 7 && memcmp(p + i, "stream", 6) == 0 &&
                   (p[i + 6] == '\r' || p[i + 6] == '\n')) {
            es__sb_str(out, "stream");
            stream_data(c, id, gen, p, n, i, len, out);
            break;
        } else {
            int two =
                i + 1 < n && ((ch == '<' && p[i + 1] == '<') || (ch == '>' && p[i + 1] == '>'));
            depth += (ch == '[' || (two && ch == '<')) - (ch == ']' || (two && ch == '>'));
            if (!strchr(" \t\r\n\f", ch))
                plain_next = length_next = 0;
            es__sb_add(out, p + i, 1 + (size_t)two);
            i += 1 + (size_t)two;
        }
    }
    return out->err;
}
