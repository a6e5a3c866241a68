/* modutil.h - small helpers shared by the shipped auth modules.
 *
 * Linked statically into each module, together with the core's base64.c
 * (base64.h, in src/lib), which they share with the core; modules export nothing but their entry
 * symbol, so these names never clash between modules.  Third-party
 * modules do not get these: the SDK is authmod.h alone.
 */
#ifndef HK_MODUTIL_H
#define HK_MODUTIL_H

#include <stddef.h>

#include "base64.h"

/* Finds the APOP timestamp (RFC 1939 §7: "<...@...>", printable ASCII, no
 * spaces) in a POP3 greeting.  Returns 0 and the timestamp with its angle
 * brackets in *ts / *ts_len, or -1 when the greeting holds none. */
int hkm_apop_timestamp(const char *greeting, size_t len, const char **ts,
    size_t *ts_len);
/* MD5(timestamp || password) in lower-case hex into out[33].  Returns 0,
 * or -1 on a crypto failure. */
int hkm_apop_digest(const char *ts, size_t ts_len, const char *password,
    char out[33]);

/* 1 when s can go on a POP3 command line as one argument: non-empty, at
 * most max bytes, printable, no space (spaces_ok: spaces allowed). */
int hkm_pop3_arg_ok(const char *s, size_t max, int spaces_ok);

/* A growable byte buffer owned by a module.  Always NUL-terminated once
 * something was added.  hkm_buf_free wipes before freeing. */
struct hkm_buf {
	unsigned char *p;
	size_t len, cap;
};

/* Appends n bytes; returns 0, or -1 when memory ran out (buffer intact). */
int hkm_buf_add(struct hkm_buf *b, const void *p, size_t n);
int hkm_buf_adds(struct hkm_buf *b, const char *s);
/* Wipes the contents and frees the memory; the buffer becomes empty. */
void hkm_buf_free(struct hkm_buf *b);
/* Wipes the contents and empties the buffer, keeping its memory. */
void hkm_buf_clear(struct hkm_buf *b);

/* The string value of key in a flat JSON object (an OAuth 2.0 SASL
 * error challenge, RFC 7628 §3.2.2), copied into out (outsz bytes, NUL-
 * terminated, truncated to fit) with every byte that is not printable
 * ASCII replaced by '?', so that it can go into a one-line message.
 * Returns 0, or -1 when p is not such an object or has no string value
 * for key (a non-string value, nesting and bad escapes all give -1). */
int hkm_json_string(const unsigned char *p, size_t len, const char *key,
    char *out, size_t outsz);

/* 1 when the n bytes at p hold no byte b. */
int hkm_lacks(const void *p, size_t n, unsigned char b);

#endif
