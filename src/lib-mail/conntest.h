/* conntest.h - the staged connection test (docs/PROTOCOLS.md).
 *
 * Runs both ends of one mail server (its saved or unsaved settings) and
 * describes every stage as XML:
 *
 *   <test-result ok="true|false" exit="0|2|4|5">
 *     <end name="receive" protocol="pop3|imap4" ok="...">
 *       <stage name="token|resolve|connect|tls|greeting|login" ok="" ms="" field="">
 *         <reply>what the server said (secrets redacted)</reply>
 *         <address>...</address>           resolve, connect
 *         <certificate>...</certificate>   tls
 *         <capability>...</capability>     greeting (one per capability)
 *         <mailbox messages="" size=""/>   login
 *         <token code="">text</token>       token (valid, refreshed...)
 *         <warning code="" field="">text</warning>
 *         <explanation code="">text</explanation>   a failure, in words
 *         <detail>technical detail (English)</detail>
 *       </stage>
 *     </end>
 *     <end name="send">... token resolve connect tls greeting pop-before-smtp
 *       auth relay ...</end>
 *   </test-result>
 *
 * Stages that do not apply (tls without TLS, pop-before-smtp off, auth
 * off, relay without an address) are left out, and so is everything
 * after the first failure of an end.  The two ends are tested one after
 * the other; a failure of one does not stop the other.  docs/PROTOCOLS.md
 * describes every element, code and field.
 *
 * Explanations and warnings are catalogue keys (xsl/i18n/en-conntest.xml, ja-conntest.xml),
 * rendered into text with the catalogue and language given; without a
 * catalogue the text is the key itself.
 *
 * One job per file: conntest.c runs the stages (the opening ones through
 * the opener, mailopen.h), conntest-report.c builds the XML,
 * conntest-store.c stores it (its SQL in lib-store/servertest.c) and
 * conntest-print.c prints it as text.
 */
#ifndef HK_CONNTEST_H
#define HK_CONNTEST_H

#include <stdbool.h>
#include <stdio.h>

#include <libxml/tree.h>

#include "i18n.h"
#include "net.h"
#include "servers.h"

struct hk_oauth2_token;		/* oauth2_token.h */

struct hk_modset;

struct hk_conntest_params {
	const struct hk_server *srv;	/* the settings to test */
	/* Receive-end credentials (and SMTP ones with credentials=account). */
	const char *user;
	const char *password;
	/* The address to relay to (MAIL FROM and RCPT TO); NULL: no relay. */
	const char *address;
	/* The form field the credentials came from ("account_id",
	 * "test_user"...), named by a refused login. */
	const char *cred_field;
	const struct hk_modset *mods;
	/* OAuth 2.0: the account's token as hk_oauth2_token_get gave it
	 * (success or failure), for the ends that sign in with one
	 * (hk_oauth2_token_recv / _send).  Such an end begins with a "token"
	 * stage that reports it and then signs in with the token instead of
	 * the password.  NULL: no account was given (a typed user), so such
	 * an end fails at its token stage. */
	const struct hk_oauth2_token *token;
	struct hk_net_timeouts to;	/* per end */
	const struct hk_catalog *cat;	/* NULL: texts are keys */
	const char *lang;
};

struct hk_conntest_result {
	bool ok;
	int exit_code;		/* 0, 2 (config), 4 (refused), 5 (net/TLS) */
	char *summary;		/* one line for the server list; caller frees */
};

/* Runs the test and returns a new <test-result> element owned by doc but
 * not linked into it (xmlAddChild or xmlDocSetRootElement it).  Fills
 * *res.  Blocks for as long as the servers take (bounded by p->to). */
xmlNodePtr hk_conntest_run(const struct hk_conntest_params *p, xmlDocPtr doc,
    struct hk_conntest_result *res);

/* Stores the result as server_id's last test (server_tests).  Returns 0,
 * or -1 when the database refused (logged). */
struct hk_db;
int hk_conntest_store(struct hk_db *db, long long server_id,
    const struct hk_conntest_result *res, xmlNodePtr result);

/* Prints the result as plain text lines to out (hikyakuctl). */
void hk_conntest_print(xmlNodePtr result, FILE *out);

#endif
