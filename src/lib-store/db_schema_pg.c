/* db_schema_pg.c - the schema migrations for PostgreSQL: the same tables,
 * numbers and meaning as db_schema.c's, in PostgreSQL's types (BIGINT,
 * BIGSERIAL, BYTEA).  A name that is unique regardless of case has a
 * unique index on lower(name) (SQLite: COLLATE NOCASE).  The version is
 * the row of hk_schema (SQLite: PRAGMA user_version). */
#include "config.h"

#include "db_schema.h"

const char *const hk_db_migrations_pg[] = {
	/* 1: administrators, sign-in sessions, sign-in throttling. */
	"CREATE TABLE admins ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  password_hash TEXT NOT NULL,"
	"  lang TEXT,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE UNIQUE INDEX admins_name ON admins (lower(name));"
	"CREATE TABLE sessions ("
	"  id_hash BYTEA PRIMARY KEY,"
	"  admin_id BIGINT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  seen_at BIGINT NOT NULL);"
	"CREATE INDEX sessions_admin ON sessions(admin_id);"
	"CREATE TABLE login_throttle ("
	"  key TEXT PRIMARY KEY,"
	"  failures BIGINT NOT NULL,"
	"  last_at BIGINT NOT NULL);",

	/* 2: mail servers and mail accounts. */
	"CREATE TABLE mail_servers ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  version BIGINT NOT NULL DEFAULT 1,"
	"  position BIGINT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  smtp_host TEXT NOT NULL,"
	"  smtp_port BIGINT NOT NULL CHECK (smtp_port BETWEEN 1 AND 65535),"
	"  smtp_security TEXT NOT NULL CHECK (smtp_security IN ('none','starttls','tls')),"
	"  smtp_tls_verify BIGINT NOT NULL CHECK (smtp_tls_verify IN (0,1)),"
	"  smtp_auth BIGINT NOT NULL CHECK (smtp_auth IN (0,1)),"
	"  smtp_auth_method TEXT NOT NULL,"
	"  smtp_credentials TEXT NOT NULL CHECK (smtp_credentials IN ('account','fixed')),"
	"  smtp_user TEXT,"
	"  smtp_password BYTEA,"
	"  pop_before_smtp BIGINT NOT NULL CHECK (pop_before_smtp IN (0,1)),"
	"  pop_before_smtp_wait BIGINT NOT NULL CHECK (pop_before_smtp_wait BETWEEN 0 AND 5),"
	"  send_limit BIGINT NOT NULL,"
	"  recv_protocol TEXT NOT NULL CHECK (recv_protocol IN ('pop3','imap4')),"
	"  apop BIGINT NOT NULL CHECK (apop IN (0,1)),"
	"  recv_host TEXT NOT NULL,"
	"  recv_port BIGINT NOT NULL CHECK (recv_port BETWEEN 1 AND 65535),"
	"  recv_security TEXT NOT NULL CHECK (recv_security IN ('none','starttls','tls')),"
	"  recv_tls_verify BIGINT NOT NULL CHECK (recv_tls_verify IN (0,1)),"
	"  recv_limit BIGINT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE UNIQUE INDEX mail_servers_name ON mail_servers (lower(name));"
	"CREATE TABLE mail_accounts ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  version BIGINT NOT NULL DEFAULT 1,"
	"  name TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  server_id BIGINT NOT NULL REFERENCES mail_servers(id) ON DELETE RESTRICT,"
	"  username TEXT NOT NULL,"
	"  password BYTEA NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE UNIQUE INDEX mail_accounts_name ON mail_accounts (lower(name));"
	"CREATE INDEX mail_accounts_server ON mail_accounts(server_id);",

	/* 3: the audit trail, and each server's last connection test. */
	"CREATE TABLE audit_log ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  at BIGINT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object_type TEXT NOT NULL,"
	"  object_id BIGINT,"
	"  object_name TEXT,"
	"  details TEXT);"
	"CREATE INDEX audit_log_at ON audit_log(at);"
	"CREATE TABLE server_tests ("
	"  server_id BIGINT PRIMARY KEY REFERENCES mail_servers(id) ON DELETE CASCADE,"
	"  at BIGINT NOT NULL,"
	"  ok BIGINT NOT NULL CHECK (ok IN (0,1)),"
	"  summary TEXT NOT NULL,"
	"  result_xml TEXT NOT NULL);",

	/* 4: sending and receiving. */
	"CREATE TABLE fetch_seen ("
	"  account_id BIGINT NOT NULL REFERENCES mail_accounts(id) ON DELETE CASCADE,"
	"  uid TEXT NOT NULL,"
	"  state BIGINT NOT NULL CHECK (state IN (0,1)),"
	"  at BIGINT NOT NULL,"
	"  PRIMARY KEY (account_id, uid));"
	"CREATE TABLE oversized ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  account_id BIGINT NOT NULL REFERENCES mail_accounts(id) ON DELETE CASCADE,"
	"  server_id BIGINT NOT NULL REFERENCES mail_servers(id) ON DELETE CASCADE,"
	"  uid TEXT NOT NULL,"
	"  size BIGINT NOT NULL,"
	"  sender TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  date TEXT NOT NULL,"
	"  seen_at BIGINT NOT NULL,"
	"  UNIQUE (account_id, uid));"
	"CREATE INDEX oversized_server ON oversized(server_id);"
	"CREATE TABLE server_health ("
	"  server_id BIGINT PRIMARY KEY REFERENCES mail_servers(id) ON DELETE CASCADE,"
	"  last_send_ok BIGINT,"
	"  last_recv_ok BIGINT,"
	"  last_error_at BIGINT,"
	"  last_error_end TEXT,"
	"  last_error TEXT,"
	"  last_error_reply TEXT,"
	"  failures BIGINT NOT NULL DEFAULT 0);",

	/* 5: the data generation: a random value changed by every statement
	 * writing a table the cached screens show. */
	"CREATE TABLE data_generation ("
	"  id BIGINT PRIMARY KEY CHECK (id = 1),"
	"  n BIGINT NOT NULL);"
	"CREATE FUNCTION hk_generation_new() RETURNS bigint LANGUAGE sql AS"
	"  'SELECT (random() * 9007199254740991)::bigint';"
	"INSERT INTO data_generation (id, n) VALUES (1, hk_generation_new());"
	"CREATE FUNCTION hk_generation_bump() RETURNS trigger LANGUAGE plpgsql AS"
	"  'BEGIN UPDATE data_generation SET n = hk_generation_new(); RETURN NULL; END';"
	"CREATE TRIGGER mail_servers_gen AFTER INSERT OR UPDATE OR DELETE"
	"  ON mail_servers FOR EACH STATEMENT EXECUTE FUNCTION hk_generation_bump();"
	"CREATE TRIGGER mail_accounts_gen AFTER INSERT OR UPDATE OR DELETE"
	"  ON mail_accounts FOR EACH STATEMENT EXECUTE FUNCTION hk_generation_bump();"
	"CREATE TRIGGER server_tests_gen AFTER INSERT OR UPDATE OR DELETE"
	"  ON server_tests FOR EACH STATEMENT EXECUTE FUNCTION hk_generation_bump();"
	"CREATE TRIGGER server_health_gen AFTER INSERT OR UPDATE OR DELETE"
	"  ON server_health FOR EACH STATEMENT EXECUTE FUNCTION hk_generation_bump();",

	/* 6: which secret key the stored passwords are under. */
	"CREATE TABLE secret_key_id ("
	"  id BIGINT PRIMARY KEY CHECK (id = 1),"
	"  fingerprint BYTEA NOT NULL CHECK (length(fingerprint) = 32));",

	/* 7: each account's Maildir has a name of its own, never reused:
	 * "<id>-<16 random hex digits>", given on insert. */
	"ALTER TABLE mail_accounts ADD COLUMN maildir TEXT;"
	"ALTER TABLE mail_accounts ADD COLUMN maildir_legacy TEXT;"
	"CREATE FUNCTION hk_maildir_name(id bigint) RETURNS text LANGUAGE sql AS"
	"  'SELECT id || ''-'' || substr(md5(random()::text ||"
	"   clock_timestamp()::text), 1, 16)';"
	"UPDATE mail_accounts SET maildir = hk_maildir_name(id),"
	"  maildir_legacy = name;"
	"CREATE UNIQUE INDEX mail_accounts_maildir ON mail_accounts(maildir);"
	"CREATE FUNCTION hk_maildir_given() RETURNS trigger LANGUAGE plpgsql AS"
	"  'BEGIN IF NEW.maildir IS NULL THEN"
	"   NEW.maildir := hk_maildir_name(NEW.id); END IF; RETURN NEW; END';"
	"CREATE TRIGGER mail_accounts_maildir BEFORE INSERT ON mail_accounts"
	"  FOR EACH ROW EXECUTE FUNCTION hk_maildir_given();",

	/* 8: how the receive end signs in: "password" or a SASL module. */
	"ALTER TABLE mail_servers ADD COLUMN recv_auth_method TEXT NOT NULL"
	"  DEFAULT 'password';",

	/* 9: OAuth 2.0: the server's provider settings, the tokens of an
	 * account or a server, the refresh locks (outside the data
	 * generation), the single-use states of authorization requests. */
	"ALTER TABLE mail_servers ADD COLUMN oauth2_provider TEXT NOT NULL"
	"  DEFAULT 'none' CHECK (oauth2_provider IN"
	"  ('none','microsoft','google','custom'));"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_tenant TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_client_id TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_client_secret BYTEA;"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_auth_url TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_token_url TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_device_url TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_scope TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE mail_servers ADD COLUMN oauth2_grant TEXT NOT NULL"
	"  DEFAULT 'authorization_code' CHECK (oauth2_grant IN"
	"  ('authorization_code','client_credentials'));"
	"CREATE TABLE oauth2_tokens ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  account_id BIGINT UNIQUE REFERENCES mail_accounts(id) ON DELETE CASCADE,"
	"  server_id BIGINT UNIQUE REFERENCES mail_servers(id) ON DELETE CASCADE,"
	"  refresh_token BYTEA,"
	"  access_token BYTEA,"
	"  access_expires BIGINT NOT NULL DEFAULT 0,"
	"  scope TEXT NOT NULL DEFAULT '',"
	"  needs_reconnect BIGINT NOT NULL DEFAULT 0 CHECK (needs_reconnect IN (0,1)),"
	"  last_error TEXT,"
	"  connected_at BIGINT,"
	"  updated_at BIGINT NOT NULL,"
	"  CHECK ((account_id IS NULL) <> (server_id IS NULL)));"
	"CREATE TABLE oauth2_refresh_locks ("
	"  owner TEXT PRIMARY KEY,"
	"  until_at BIGINT NOT NULL,"
	"  holder TEXT NOT NULL);"
	"CREATE TABLE oauth2_states ("
	"  id BIGSERIAL PRIMARY KEY,"
	"  state TEXT NOT NULL UNIQUE,"
	"  session_hash BYTEA NOT NULL,"
	"  account_id BIGINT NOT NULL REFERENCES mail_accounts(id) ON DELETE CASCADE,"
	"  verifier BYTEA NOT NULL,"
	"  created_at BIGINT NOT NULL);"
	"CREATE TRIGGER oauth2_tokens_gen AFTER INSERT OR UPDATE OR DELETE"
	"  ON oauth2_tokens FOR EACH STATEMENT EXECUTE FUNCTION hk_generation_bump();",

	/* 10: when each account is fetched next and who is fetching it now
	 * (lease.h); not in the data generation. */
	"CREATE TABLE fetch_schedule ("
	"  account_id BIGINT PRIMARY KEY REFERENCES mail_accounts(id) ON DELETE CASCADE,"
	"  next_fetch_at BIGINT NOT NULL,"
	"  lease_owner TEXT,"
	"  lease_until BIGINT NOT NULL,"
	"  claimed_at BIGINT NOT NULL,"
	"  done_at BIGINT,"
	"  last_exit BIGINT);"
	"CREATE INDEX fetch_schedule_due ON fetch_schedule(next_fetch_at);",

	/* 11: the mail-account list's order (accounts.c, hk_account_page). */
	"CREATE INDEX mail_accounts_by_name ON mail_accounts (lower(name), id);",
};

const int hk_db_migration_count_pg =
	(int)(sizeof(hk_db_migrations_pg) / sizeof(hk_db_migrations_pg[0]));
