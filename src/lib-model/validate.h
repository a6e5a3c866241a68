/* validate.h - checking and normalising what administrators type: host
 * names, ports, mail addresses, free text; and a list of field errors
 * that the screens turn into <error field="...">.
 *
 * Nothing here holds user-facing text: an error is a field name plus a
 * catalogue key (xsl/i18n) and up to two arguments for it.
 */
#ifndef HK_VALIDATE_H
#define HK_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* ---- field errors ---------------------------------------------------- */

#define HK_FORM_ERRORS_MAX 32

struct hk_field_error {
	const char *field;	/* form field name (static string) */
	const char *key;	/* catalogue key, e.g. "error.port" (static) */
	char args[2][24];	/* {1}, {2} ("" when unused) */
	size_t nargs;
};

struct hk_form_errors {
	struct hk_field_error v[HK_FORM_ERRORS_MAX];
	size_t n;
};

#define HK_FORM_ERRORS_INIT { .n = 0 }

/* Records an error (silently ignored beyond HK_FORM_ERRORS_MAX).  arg1 and
 * arg2 may be NULL. */
void hk_form_error(struct hk_form_errors *e, const char *field,
    const char *key, const char *arg1, const char *arg2);
/* True when field already has an error. */
bool hk_form_has_error(const struct hk_form_errors *e, const char *field);

/* ---- results of the checkers below ------------------------------------ */

enum hk_valid {
	HK_VALID_OK = 0,
	HK_VALID_EMPTY,		/* nothing entered (after trimming) */
	HK_VALID_TOO_LONG,	/* over the length limit */
	HK_VALID_BAD,		/* malformed */
	HK_VALID_CONTROL,	/* holds CR, LF, NUL or another control */
};

/* ---- free text -------------------------------------------------------- */

/* Trims white space at both ends (ASCII space and tab, and U+3000, the
 * ideographic space a Japanese keyboard types), then checks: not empty, at
 * most max_chars characters (code points, not bytes), valid UTF-8, and no
 * control character (C0, DEL, C1) anywhere.  On HK_VALID_OK *out_r (may be
 * NULL) is the trimmed copy, which the caller frees. */
enum hk_valid hk_valid_text(const char *in, size_t max_chars, char **out_r);

/* True when s holds a CR, LF, NUL (impossible in a C string, so: none) or
 * any other control character; for values that are otherwise free, such
 * as user names and passwords. */
bool hk_has_control(const char *s);

/* ---- ports ------------------------------------------------------------ */

/* A TCP port: 1-5 ASCII digits (no sign, no spaces, no other character),
 * value 1-65535.  *port_r is set on HK_VALID_OK. */
enum hk_valid hk_valid_port(const char *in, int *port_r);

/* ---- hosts ------------------------------------------------------------ */

#define HK_HOST_MAX 253		/* characters of a host name, in A-labels */
#define HK_LABEL_MAX 63

/* A mail server's host: one of
 *   - an IPv4 address in dotted-quad form (four decimal parts, no leading
 *     zeros),
 *   - an IPv6 address, with or without [brackets] (stored without them,
 *     in the canonical RFC 5952 text form; no zone id),
 *   - a DNS host name (RFC 1123: labels of 1-63 letters, digits and
 *     hyphens, not starting or ending with a hyphen; at most 253
 *     characters; the last label not all digits; one trailing dot is
 *     dropped).  An internationalised name (メール.例え.jp) is converted
 *     to A-labels (xn--...) with IDNA2008 + UTS #46 mapping, and checked
 *     after conversion.  ASCII letters keep the case typed.
 * Leading and trailing white space is ignored.  On HK_VALID_OK *out_r
 * (may be NULL) is the form to store, which the caller frees. */
enum hk_valid hk_valid_host(const char *in, char **out_r);

/* The stored host as people read it: A-labels converted back to Unicode
 * (U-labels); anything else unchanged.  Never NULL; the caller frees. */
char *hk_host_display(const char *stored);

/* ---- mail addresses --------------------------------------------------- */

/* An RFC 5321 Mailbox: Local-part "@" (Domain / address-literal).
 *   - Local-part: a Dot-string of atext atoms, or a Quoted-string (any
 *     printable ASCII, with \ escapes); at most 64 octets.
 *   - Domain: a host name as hk_valid_host (internationalised names are
 *     converted to A-labels); address-literal: [IPv4] or [IPv6:...].
 *   - The whole address at most 254 octets (so that <path> fits in 256).
 * No white space, no comments, no display name.  On HK_VALID_OK *out_r
 * (may be NULL) is the address with its domain in A-labels; the caller
 * frees it. */
enum hk_valid hk_valid_mailbox_n(const char *in, char **out_r);
/* The same as a yes/no question. */
bool hk_valid_mailbox(const char *in);

/* ---- names compared without regard to case ---------------------------- */

/* Compares two UTF-8 strings ignoring case, as the "unique (case-
 * insensitive)" rules mean it: ASCII, Latin-1, Latin Extended-A, Greek and
 * Cyrillic letters fold to lower case, and full-width ASCII (Ａ, ｂ, ３)
 * folds to ASCII.  True when equal. */
bool hk_name_equal(const char *a, const char *b);

#endif
