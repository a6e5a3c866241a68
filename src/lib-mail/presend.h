/* presend.h - POP before SMTP for a stored mail server: the one place that
 * turns a server's receiving settings (host, port, security, verification,
 * APOP) and its pop_before_smtp_wait into the options and the side
 * connection of the "pop-before-smtp" pre-send module.  Shared by the
 * connection test (conntest.c) and sending (send.c), which report the
 * outcome each in their own way.
 */
#ifndef HK_PRESEND_H
#define HK_PRESEND_H

#include "modload.h"
#include "net.h"

struct hk_server;

/* Runs the pre-send module mod (the caller looks it up; not NULL) for
 * server s, logging in as user with password, each connection step
 * bounded by to.  res receives the outcome (the caller passes it in as
 * HK_AUTH_RESULT_INIT and clears it with hk_auth_result_clear). */
enum hk_auth_status hk_presend_run(const struct hk_authmod *mod,
    const struct hk_server *s, const char *user, const char *password,
    const struct hk_net_timeouts *to, struct hk_auth_result *res);

#endif
