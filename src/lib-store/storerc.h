/* storerc.h - the outcome of a store function (admins, sessions, audit,
 * servers, accounts, oversized mail, health).  The layers above map it to
 * their own outcomes (e.g. hk_server_rc_from_store in servers.h). */
#ifndef HK_STORERC_H
#define HK_STORERC_H

enum hk_store_rc {
	HK_STORE_OK = 0,
	HK_STORE_NOT_FOUND,
	HK_STORE_EXISTS,	/* a unique name is taken */
	HK_STORE_INVALID,	/* the input breaks a rule */
	HK_STORE_BUSY,		/* the database stayed locked (503) */
	HK_STORE_ERROR,		/* anything else (logged) */
};

#endif
