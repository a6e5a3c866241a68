/* db_schema.c - the schema migrations (PRAGMA user_version = index + 1). */
#include "config.h"

#include "db_schema.h"

const char *const hk_db_migrations[] = {
	/* 1: administrators, sign-in sessions, sign-in throttling. */
	"CREATE TABLE admins ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  password_hash TEXT NOT NULL,"
	"  lang TEXT,"			/* NULL: follow Accept-Language */
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE TABLE sessions ("
	"  id_hash BLOB PRIMARY KEY,"	/* SHA-256 of the cookie value */
	"  admin_id INTEGER NOT NULL REFERENCES admins(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  seen_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX sessions_admin ON sessions(admin_id);"
	"CREATE TABLE login_throttle ("
	"  key TEXT PRIMARY KEY,"	/* 'user:<name>' or 'ip:<address>' */
	"  failures INTEGER NOT NULL,"
	"  last_at INTEGER NOT NULL) WITHOUT ROWID;",

	/* 2: mail servers and mail accounts (docs/REFERENCE.md). */
	"CREATE TABLE mail_servers ("
	"  id INTEGER PRIMARY KEY,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  position INTEGER NOT NULL,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  smtp_host TEXT NOT NULL,"
	"  smtp_port INTEGER NOT NULL CHECK (smtp_port BETWEEN 1 AND 65535),"
	"  smtp_security TEXT NOT NULL CHECK (smtp_security IN ('none','starttls','tls')),"
	"  smtp_tls_verify INTEGER NOT NULL CHECK (smtp_tls_verify IN (0,1)),"
	"  smtp_auth INTEGER NOT NULL CHECK (smtp_auth IN (0,1)),"
	"  smtp_auth_method TEXT NOT NULL,"
	"  smtp_credentials TEXT NOT NULL CHECK (smtp_credentials IN ('account','fixed')),"
	"  smtp_user TEXT,"
	"  smtp_password BLOB,"		/* AES-256-GCM, see secret.h */
	"  pop_before_smtp INTEGER NOT NULL CHECK (pop_before_smtp IN (0,1)),"
	"  pop_before_smtp_wait INTEGER NOT NULL CHECK (pop_before_smtp_wait BETWEEN 0 AND 5),"
	"  send_limit INTEGER NOT NULL,"
	"  recv_protocol TEXT NOT NULL CHECK (recv_protocol IN ('pop3','imap4')),"
	"  apop INTEGER NOT NULL CHECK (apop IN (0,1)),"
	"  recv_host TEXT NOT NULL,"
	"  recv_port INTEGER NOT NULL CHECK (recv_port BETWEEN 1 AND 65535),"
	"  recv_security TEXT NOT NULL CHECK (recv_security IN ('none','starttls','tls')),"
	"  recv_tls_verify INTEGER NOT NULL CHECK (recv_tls_verify IN (0,1)),"
	"  recv_limit INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE TABLE mail_accounts ("
	"  id INTEGER PRIMARY KEY,"
	"  version INTEGER NOT NULL DEFAULT 1,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  address TEXT NOT NULL,"
	"  server_id INTEGER NOT NULL REFERENCES mail_servers(id) ON DELETE RESTRICT,"
	"  username TEXT NOT NULL,"
	"  password BLOB NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX mail_accounts_server ON mail_accounts(server_id);",

	/* 3: the audit trail, and each server's last connection test. */
	"CREATE TABLE audit_log ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"		/* unix time */
	"  actor TEXT NOT NULL,"		/* admin name, or 'hikyakuctl' */
	"  action TEXT NOT NULL,"		/* create, update, delete, reorder, ... */
	"  object_type TEXT NOT NULL,"		/* mail-server, mail-account, ... */
	"  object_id INTEGER,"
	"  object_name TEXT,"
	"  details TEXT);"			/* what changed; never a secret */
	"CREATE INDEX audit_log_at ON audit_log(at);"
	"CREATE TABLE server_tests ("
	"  server_id INTEGER PRIMARY KEY REFERENCES mail_servers(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL,"
	"  ok INTEGER NOT NULL CHECK (ok IN (0,1)),"
	"  summary TEXT NOT NULL,"		/* one line for the list */
	"  result_xml TEXT NOT NULL);",	/* the whole <test-result> */

	/* 4: sending and receiving (lib-mail/fetch.c, send.c): the messages
	 * each account has stored (never downloaded twice), the received
	 * messages refused by recv_limit (/oversized), and each server's
	 * health from real traffic. */
	"CREATE TABLE fetch_seen ("
	"  account_id INTEGER NOT NULL REFERENCES mail_accounts(id) ON DELETE CASCADE,"
	"  uid TEXT NOT NULL,"			/* POP3 UIDL, or IMAP 'UIDVALIDITY:UID' */
	"  state INTEGER NOT NULL CHECK (state IN (0,1)),"	/* 0 delivering, 1 stored */
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY (account_id, uid)) WITHOUT ROWID;"
	"CREATE TABLE oversized ("
	"  id INTEGER PRIMARY KEY,"
	"  account_id INTEGER NOT NULL REFERENCES mail_accounts(id) ON DELETE CASCADE,"
	"  server_id INTEGER NOT NULL REFERENCES mail_servers(id) ON DELETE CASCADE,"
	"  uid TEXT NOT NULL,"			/* as fetch_seen.uid */
	"  size INTEGER NOT NULL,"		/* as the server reported it */
	"  sender TEXT NOT NULL,"		/* From, RFC 2047 decoded */
	"  subject TEXT NOT NULL,"
	"  date TEXT NOT NULL,"
	"  seen_at INTEGER NOT NULL,"
	"  UNIQUE (account_id, uid));"
	"CREATE INDEX oversized_server ON oversized(server_id);"
	"CREATE TABLE server_health ("
	"  server_id INTEGER PRIMARY KEY REFERENCES mail_servers(id) ON DELETE CASCADE,"
	"  last_send_ok INTEGER,"		/* unix time; NULL: never */
	"  last_recv_ok INTEGER,"
	"  last_error_at INTEGER,"
	"  last_error_end TEXT,"		/* 'send' or 'receive' */
	"  last_error TEXT,"			/* one English line */
	"  last_error_reply TEXT,"		/* what the server said */
	"  failures INTEGER NOT NULL DEFAULT 0);",	/* consecutive */

	/* 5: the data generation (lib-web/pagecache.h): a value that changes in
	 * the same transaction as every write to a table the cached screens
	 * show, whichever process writes.  Random rather than counted, so
	 * that a database put back from a backup, or changed along another
	 * history, never repeats a value that named other data.  Sessions,
	 * login_throttle, admins and the audit trail do not change it. */
	"CREATE TABLE data_generation ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  n INTEGER NOT NULL);"
	"INSERT INTO data_generation (id, n) VALUES (1, random());"
	"CREATE TRIGGER mail_servers_gen_insert AFTER INSERT ON mail_servers"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER mail_servers_gen_update AFTER UPDATE ON mail_servers"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER mail_servers_gen_delete AFTER DELETE ON mail_servers"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER mail_accounts_gen_insert AFTER INSERT ON mail_accounts"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER mail_accounts_gen_update AFTER UPDATE ON mail_accounts"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER mail_accounts_gen_delete AFTER DELETE ON mail_accounts"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER server_tests_gen_insert AFTER INSERT ON server_tests"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER server_tests_gen_update AFTER UPDATE ON server_tests"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER server_tests_gen_delete AFTER DELETE ON server_tests"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER server_health_gen_insert AFTER INSERT ON server_health"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER server_health_gen_update AFTER UPDATE ON server_health"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER server_health_gen_delete AFTER DELETE ON server_health"
	"  BEGIN UPDATE data_generation SET n = random(); END;",

	/* 6: which secret key the stored passwords are under (keycheck.h):
	 * the key's fingerprint, never the key.  Empty after this migration;
	 * `hikyakuctl init` fills it from the key file, rotate-key replaces
	 * it in the rotation's transaction. */
	"CREATE TABLE secret_key_id ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  fingerprint BLOB NOT NULL CHECK (length(fingerprint) = 32));",

	/* 7: each account's Maildir has a name of its own that is never
	 * reused (maildir_place.h): "<id>-<16 random hex digits>", given by
	 * a trigger on insert, so an account made under a deleted or
	 * renamed account's name never receives into its Maildir.  Accounts
	 * from before this migration keep their name-based Maildir until it
	 * is renamed (maildir_legacy: the name it was under). */
	"ALTER TABLE mail_accounts ADD COLUMN maildir TEXT;"
	"ALTER TABLE mail_accounts ADD COLUMN maildir_legacy TEXT;"
	"UPDATE mail_accounts SET maildir = id || '-' || "
	"  lower(hex(randomblob(8))), maildir_legacy = name;"
	"CREATE UNIQUE INDEX mail_accounts_maildir ON mail_accounts(maildir);"
	"CREATE TRIGGER mail_accounts_maildir AFTER INSERT ON mail_accounts"
	"  WHEN NEW.maildir IS NULL"
	"  BEGIN UPDATE mail_accounts SET maildir = NEW.id || '-' ||"
	"    lower(hex(randomblob(8))) WHERE id = NEW.id; END;",

	/* 8: how the receive end signs in: "password" (USER/PASS, APOP,
	 * IMAP LOGIN, as before) or a SASL module's name. */
	"ALTER TABLE mail_servers ADD COLUMN recv_auth_method TEXT NOT NULL"
	"  DEFAULT 'password';",
	/* 9: OAuth 2.0 (docs/REFERENCE.md, docs/DESIGN.md).  The server's
	 * provider settings (the client secret sealed like smtp_password);
	 * the tokens of each account (authorization_code) or of a server
	 * (client_credentials: one per server), sealed under the owner's id
	 * and the field name; the refresh locks (kept apart so that taking
	 * one does not change the data generation); and the single-use
	 * states of the browser's authorization requests. */
	"ALTER TABLE mail_servers ADD COLUMN oauth2_provider TEXT NOT NULL"
	"  DEFAULT 'none' CHECK (oauth2_provider IN"
	"  ('none','microsoft','google','custom'));"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_tenant TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_client_id TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_client_secret BLOB;"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_auth_url TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_token_url TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_device_url TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_scope TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_grant TEXT NOT NULL"
	"  DEFAULT 'authorization_code' CHECK (oauth2_grant IN"
	"  ('authorization_code','client_credentials'));"
	"CREATE TABLE oauth2_tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  account_id INTEGER UNIQUE REFERENCES mail_accounts(id) ON DELETE CASCADE,"
	"  server_id INTEGER UNIQUE REFERENCES mail_servers(id) ON DELETE CASCADE,"
	"  refresh_token BLOB,"		/* sealed; NULL: none */
	"  access_token BLOB,"			/* sealed; NULL: none */
	"  access_expires INTEGER NOT NULL DEFAULT 0,"	/* unix time */
	"  scope TEXT NOT NULL DEFAULT '',"	/* as granted */
	"  needs_reconnect INTEGER NOT NULL DEFAULT 0 CHECK (needs_reconnect IN (0,1)),"
	"  last_error TEXT,"			/* the provider's words, bounded */
	"  connected_at INTEGER,"
	"  updated_at INTEGER NOT NULL,"
	"  CHECK ((account_id IS NULL) <> (server_id IS NULL)));"
	"CREATE TABLE oauth2_refresh_locks ("
	"  owner TEXT PRIMARY KEY,"		/* 'account:<id>' or 'server:<id>' */
	"  until_at INTEGER NOT NULL,"		/* free once past */
	"  holder TEXT NOT NULL);"
	"CREATE TABLE oauth2_states ("
	"  id INTEGER PRIMARY KEY,"
	"  state TEXT NOT NULL UNIQUE,"
	"  session_hash BLOB NOT NULL,"		/* sessions.id_hash */
	"  account_id INTEGER NOT NULL REFERENCES mail_accounts(id) ON DELETE CASCADE,"
	"  verifier BLOB NOT NULL,"		/* PKCE, sealed */
	"  created_at INTEGER NOT NULL);"
	"CREATE TRIGGER oauth2_tokens_gen_insert AFTER INSERT ON oauth2_tokens"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER oauth2_tokens_gen_update AFTER UPDATE ON oauth2_tokens"
	"  BEGIN UPDATE data_generation SET n = random(); END;"
	"CREATE TRIGGER oauth2_tokens_gen_delete AFTER DELETE ON oauth2_tokens"
	"  BEGIN UPDATE data_generation SET n = random(); END;",
	/* 10: when each account is fetched next and who is fetching it now
	 * (lease.h): any number of `fetch --all` processes, on any hosts
	 * sharing the database, split the accounts by leases that expire
	 * when their holder dies.  Times are unix seconds.  A row is made
	 * for an account by the first claim that sees it missing; it goes
	 * with its account.  Not in the data generation: a lease changes
	 * nothing a screen shows. */
	"CREATE TABLE fetch_schedule ("
	"  account_id INTEGER PRIMARY KEY REFERENCES mail_accounts(id) ON DELETE CASCADE,"
	"  next_fetch_at INTEGER NOT NULL,"	/* due from then on */
	"  lease_owner TEXT,"			/* 'host:pid:random'; NULL: free */
	"  lease_until INTEGER NOT NULL,"	/* the lease ends then */
	"  claimed_at INTEGER NOT NULL,"	/* the last run began then; 0: never */
	"  done_at INTEGER,"			/* the last run ended then */
	"  last_exit INTEGER);"			/* its exit status (docs/REFERENCE.md) */
	"CREATE INDEX fetch_schedule_due ON fetch_schedule(next_fetch_at);",
};

const int hk_db_migration_count =
	(int)(sizeof(hk_db_migrations) / sizeof(hk_db_migrations[0]));
