/* msgheaders.h - the few header fields hikyaku shows of a message it did
 * not download (the /oversized screen): From, Subject, Date, and
 * Message-ID, read from a header block that may be anything a server
 * hands out (RFC 5322 or not).
 *
 * Fields are unfolded (RFC 5322 §2.2.3), the first occurrence wins, and
 * RFC 2047 encoded words are decoded in From and Subject (B and Q, any
 * charset iconv knows; adjacent encoded words are joined without the
 * white space between them).  Every value comes out as valid UTF-8 with
 * no control characters (invalid bytes become '?', controls a space),
 * trimmed, and at most HK_MSGHDR_MAX bytes.  A missing field is "".
 */
#ifndef HK_MSGHEADERS_H
#define HK_MSGHEADERS_H

#include <stddef.h>

#define HK_MSGHDR_MAX 998	/* bytes of one decoded value */

struct hk_msgheaders {
	char *from;
	char *subject;
	char *date;
	char *message_id;
};

/* Parses the header block at the start of data (up to the first empty
 * line, or all of len); line ends may be CRLF or LF.  out is filled with
 * new strings (never NULL); free them with hk_msgheaders_clear. */
void hk_msgheaders_parse(const char *data, size_t len,
    struct hk_msgheaders *out);
void hk_msgheaders_clear(struct hk_msgheaders *h);

/* Decodes the RFC 2047 encoded words of an unfolded header value and
 * cleans the result as above.  Returns a new string (caller frees). */
char *hk_rfc2047_decode(const char *s, size_t len);

/* Makes s (len bytes) valid UTF-8 without control characters, trimmed
 * and cut at HK_MSGHDR_MAX bytes on a character boundary.  A raw
 * ISO-2022-JP value (ESC sequences, common in old Japanese mail) is
 * converted first.  Returns a new string (caller frees). */
char *hk_header_clean(const char *s, size_t len);

#endif
