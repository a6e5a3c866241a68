/* server_form.h - a mail server from a submitted form (servers.h for the
 * record), checked field by field the way the form shows errors. */
#ifndef HK_SERVER_FORM_H
#define HK_SERVER_FORM_H

#include <stddef.h>

#include "params.h"
#include "servers.h"
#include "validate.h"

struct hk_modset;

/* hk_server_from_form flags */
#define HK_SERVER_FORM_CHANGE 0x1	/* an empty password keeps the stored one */

/* Reads and checks every field (docs/REFERENCE.md) of a form into out
 * (which it first fills with the defaults): choices must be one of their
 * values, absent checkboxes are off, pop_before_smtp and apop need pop3,
 * smtp_auth_method must name a loaded SASL module serving SMTP (mods may
 * be NULL: then any well-formed name passes; with smtp_auth off a stored
 * method that is no longer loaded may stay), smtp_user / smtp_password
 * are required when smtp_auth is on with "fixed" credentials (the
 * password only without HK_SERVER_FORM_CHANGE: an empty one on change
 * keeps the stored one), recv_auth_method is "password" (the default
 * when absent) or a loaded SASL module serving the receive protocol (not
 * with apop; xoauth2 and oauthbearer only on a server set up for OAuth
 * 2.0), both ports are required, and hosts are
 * normalised (hk_valid_host).  What is valid is stored in out even when
 * other fields are not.  Name uniqueness needs the database: see
 * hk_server_create/update.
 * OAuth 2.0 (oauth2_presets.h): an absent or empty oauth2_provider is
 * "none", and then the other oauth2_* fields are ignored and left empty.
 * Otherwise oauth2_client_id is required; endpoints must be https://
 * URLs; an empty endpoint or scope takes the preset's (custom: the token
 * URL, the authorization URL with authorization_code, and the scope are
 * required); Microsoft endpoints follow oauth2_tenant (default
 * "organizations"); a preset's scope for the other grant becomes this
 * grant's; client_credentials needs a client secret (without
 * HK_SERVER_FORM_CHANGE; on change see hk_server_form_stored).  Returns
 * the number of errors added to errs (0: out is complete and valid).  The
 * caller clears out. */
size_t hk_server_from_form(const struct hk_params *form,
    const struct hk_modset *mods, unsigned flags, struct hk_server *out,
    struct hk_form_errors *errs);

/* On change, the rules that the stored record cur can satisfy: fixed SMTP
 * credentials need a password, client_credentials a client secret,
 * entered now (in s) or stored.  Adds their errors to errs. */
void hk_server_form_stored(const struct hk_server *s,
    const struct hk_server *cur, struct hk_form_errors *errs);

#endif
