/* conntest-report.h - the connection test's XML report (conntest.h
 * shows its shape): ends, stages, replies, warnings and explanations.
 * Private to the connection test's files.
 *
 * Every text that came from a server or a user goes through
 * hk_ctreport_text: the test's secrets are redacted and bytes that XML
 * cannot carry become '?'.  Explanations and warnings are catalogue keys
 * rendered with the run's catalogue and language (the key itself without
 * a catalogue).  The first failed stage sets the run's exit code and its
 * one-line summary.
 *
 * Ownership: the nodes belong to the document given to hk_ctreport_init;
 * hk_ctreport_finish hands the summary to the result (the caller of
 * hk_conntest_run frees it).
 */
#ifndef HK_CONNTEST_REPORT_H
#define HK_CONNTEST_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "conntest.h"
#include "net.h"
#include "tls.h"

struct hk_ctreport {
	const struct hk_catalog *cat;	/* NULL: texts are keys */
	const char *lang;
	xmlDocPtr doc;
	xmlNodePtr root;		/* <test-result>, not linked */
	int exit_code;			/* of the first failure; 0 while none */
	char *first_fail;		/* summary of the first failure */
	const char *secrets[3];		/* redacted from every text */
};

/* One <stage> being reported. */
struct hk_ctstage {
	struct hk_ctreport *rep;
	xmlNodePtr node;
	long long t0;
	const char *field;	/* the field named when none is given */
	xmlChar *end;		/* the end's name, until the stage ends */
};

/* Starts the report: the <test-result> root, with p's password, the
 * server's SMTP password and p's OAuth 2.0 token as the secrets to
 * redact. */
void hk_ctreport_init(struct hk_ctreport *rep,
    const struct hk_conntest_params *p, xmlDocPtr doc);

/* Adds <end name="name" protocol="protocol">. */
xmlNodePtr hk_ctreport_end(struct hk_ctreport *rep, const char *name,
    const char *protocol);

/* Sets the end's ok attribute. */
void hk_ctreport_end_done(xmlNodePtr end, bool ok);

/* Fills *res and the root's attributes and summary; returns the root. */
xmlNodePtr hk_ctreport_finish(struct hk_ctreport *rep,
    struct hk_conntest_result *res);

/* Adds <name>text</name> to parent (text redacted, made XML-safe). */
xmlNodePtr hk_ctreport_text(struct hk_ctreport *rep, xmlNodePtr parent,
    const char *name, const char *text);

void hk_ctreport_attr(xmlNodePtr n, const char *name, const char *v);
void hk_ctreport_attr_ll(xmlNodePtr n, const char *name, long long v);

/* Adds <stage name="name"> to end; field: named unless a failure says
 * otherwise. */
void hk_ctstage_begin(struct hk_ctstage *st, struct hk_ctreport *rep,
    xmlNodePtr end, const char *name, const char *field);

/* Adds <reply>, unless reply is NULL or empty. */
void hk_ctstage_reply(struct hk_ctstage *st, const char *reply);

/* Adds <address>, <capability name="">, <certificate> (the TLS session
 * and, when there is one, the server's certificate). */
void hk_ctstage_address(struct hk_ctstage *st, const char *addr);
void hk_ctstage_cap(struct hk_ctstage *st, const char *name,
    const char *value);
void hk_ctstage_tls(struct hk_ctstage *st, const struct hk_tls_info *ti);

/* Adds <warning code="key" field="field">; the stage goes on. */
void hk_ctstage_warn(struct hk_ctstage *st, const char *field,
    const char *key, const char *const *args, size_t n);

/* Adds <name code="key">text</name>, the text from the catalogue: what
 * a passing stage did (the token stage's <token>). */
xmlNodePtr hk_ctstage_note(struct hk_ctstage *st, const char *name,
    const char *key, const char *const *args, size_t n);
/* Ends the stage as passed. */
void hk_ctstage_ok(struct hk_ctstage *st);

/* Ends the stage as failed, naming field (NULL: the stage's own), with
 * the explanation key (args: its n arguments) and a technical detail
 * (NULL or "": none).  exit_code: 2 (config), 4 (refused), 5 (net/TLS). */
void hk_ctstage_fail(struct hk_ctstage *st, int exit_code, const char *field,
    const char *key, const char *const *args, size_t n, const char *detail);

/* Ends the stage as failed on the network error rc, explained as it
 * means at the stage named stage ("resolve", "connect", "greeting"...:
 * a silence before any line came is "said nothing"); detail: c->err. */
void hk_ctstage_net_fail(struct hk_ctstage *st, struct hk_conn *c,
    enum hk_net_rc rc, const char *field, const char *stage);

/* Removes a stage that stood in for failures that did not come. */
void hk_ctstage_drop(struct hk_ctstage *st);

#endif
