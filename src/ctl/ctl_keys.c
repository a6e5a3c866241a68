/* ctl_keys.c - hikyakuctl rotate-key: every stored password re-encrypted
 * under a new secret key, without a moment in which a crash could lose
 * them.  The design (docs/DESIGN.md, "Rotating the secret key"):
 *
 *   1. Lock the key's folder (flock), so two rotations never interleave.
 *   2. BEGIN IMMEDIATE on the database (synchronous = FULL), so nothing
 *      else writes a password meanwhile.
 *   3. Decrypt every stored secret, trying the current key and then any
 *      secret.key.old / secret.key.new an interrupted rotation left
 *      behind.  One that no candidate opens (altered, or a key lost)
 *      aborts with nothing changed.
 *   4. Seal each value under a new random key, in the same transaction,
 *      record the new key's fingerprint as the current one (keycheck.h)
 *      and the rotation in the audit trail.
 *   5. Write secret.key.new (0600, fsync), hard-link secret.key to
 *      secret.key.old, rename secret.key.new over secret.key, fsync the
 *      folder - all while the transaction is still open.
 *   6. COMMIT (durable: synchronous = FULL).  If it fails, put
 *      secret.key.old back and roll back.
 *   7. Remove secret.key.old.
 *
 * When step 3 needed a leftover key file, that rotation was interrupted
 * between 5 and 6: the secrets are first re-sealed under secret.key and
 * committed, the leftovers removed, and then a fresh rotation follows -
 * so that no key file that still opens a committed secret is ever removed
 * before the commit that makes it unnecessary.
 *
 * A crash before 6 leaves the database under the old key (rolled back)
 * and the old key in secret.key or secret.key.old; a crash after 6 leaves
 * both under the new key.  Running rotate-key again always finishes the
 * job, because step 3 tries every key file that might fit.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "ctl.h"
#include "db.h"
#include "fsyncdir.h"
#include "dbutil.h"
#include "keycheck.h"
#include "keyfile.h"
#include "log.h"
#include "base64.h"
#include "mem.h"
#include "secret.h"

/* The secrets stored at rest: table, column (= the field in the
 * associated data), and a name for messages. */
static const struct {
	const char *select;
	const char *update;
	const char *table;
	const char *field;
	const char *what;
} kinds[] = {
	{ "SELECT id, name, smtp_password FROM mail_servers "
	  "WHERE smtp_password IS NOT NULL AND length(smtp_password) > 0 "
	  "ORDER BY id",
	  "UPDATE mail_servers SET smtp_password = ?2 WHERE id = ?1",
	  "mail_servers", "smtp_password", "mail server" },
	{ "SELECT id, name, password FROM mail_accounts "
	  "WHERE password IS NOT NULL AND length(password) > 0 ORDER BY id",
	  "UPDATE mail_accounts SET password = ?2 WHERE id = ?1",
	  "mail_accounts", "password", "mail account" },
	{ "SELECT id, name, oauth2_client_secret FROM mail_servers "
	  "WHERE oauth2_client_secret IS NOT NULL "
	  "AND length(oauth2_client_secret) > 0 ORDER BY id",
	  "UPDATE mail_servers SET oauth2_client_secret = ?2 WHERE id = ?1",
	  "mail_servers", "oauth2_client_secret", "mail server" },
	/* OAuth 2.0 tokens (oauth2_tokens.h): sealed under their owner. */
	{ "SELECT account_id, 'account ' || account_id, refresh_token "
	  "FROM oauth2_tokens WHERE account_id IS NOT NULL "
	  "AND refresh_token IS NOT NULL ORDER BY account_id",
	  "UPDATE oauth2_tokens SET refresh_token = ?2 WHERE account_id = ?1",
	  "mail_accounts", "oauth2_refresh_token", "mail account" },
	{ "SELECT account_id, 'account ' || account_id, access_token "
	  "FROM oauth2_tokens WHERE account_id IS NOT NULL "
	  "AND access_token IS NOT NULL ORDER BY account_id",
	  "UPDATE oauth2_tokens SET access_token = ?2 WHERE account_id = ?1",
	  "mail_accounts", "oauth2_access_token", "mail account" },
	{ "SELECT server_id, 'server ' || server_id, refresh_token "
	  "FROM oauth2_tokens WHERE server_id IS NOT NULL "
	  "AND refresh_token IS NOT NULL ORDER BY server_id",
	  "UPDATE oauth2_tokens SET refresh_token = ?2 WHERE server_id = ?1",
	  "mail_servers", "oauth2_refresh_token", "mail server" },
	{ "SELECT server_id, 'server ' || server_id, access_token "
	  "FROM oauth2_tokens WHERE server_id IS NOT NULL "
	  "AND access_token IS NOT NULL ORDER BY server_id",
	  "UPDATE oauth2_tokens SET access_token = ?2 WHERE server_id = ?1",
	  "mail_servers", "oauth2_access_token", "mail server" },
	{ "SELECT id, 'state ' || id, verifier FROM oauth2_states ORDER BY id",
	  "UPDATE oauth2_states SET verifier = ?2 WHERE id = ?1",
	  "oauth2_states", "verifier", "OAuth 2.0 sign-in" },
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

struct secret {
	size_t kind;
	long long id;
	char *plain;
};

struct keyset {
	unsigned char key[3][HK_KEY_LEN];	/* current, .old, .new */
	bool have[3];
};

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
say(const char *fmt, ...)
{
	va_list ap;

	fputs("hikyakuctl: rotate-key: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Writes key to path as init does: 64 hex digits and a newline, mode
 * 0600, created afresh (O_EXCL), fsynced. */
static int
write_key(const char *path, const unsigned char key[HK_KEY_LEN])
{
	char text[2 * HK_KEY_LEN + 2];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0) {
		say("%s: %s", path, strerror(errno));
		return -1;
	}
	hk_hex(key, HK_KEY_LEN, text);
	text[2 * HK_KEY_LEN] = '\n';
	text[2 * HK_KEY_LEN + 1] = '\0';
	n = write(fd, text, 2 * HK_KEY_LEN + 1);
	hk_wipe(text, sizeof(text));
	if (n != 2 * HK_KEY_LEN + 1 || fsync(fd) != 0) {
		say("%s: cannot write the new key: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) != 0) {
		say("%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/* Opens one secret with whichever key fits; -1 when none does. */
static int
open_any(const struct keyset *ks, size_t kind, long long id,
    const void *blob, size_t len, char **plain_r, enum hk_secret_rc *why_r)
{
	*why_r = HK_SECRET_MALFORMED;
	for (int i = 0; i < 3; i++) {
		if (!ks->have[i])
			continue;
		*why_r = hk_secret_open(ks->key[i], kinds[kind].table, id,
		    kinds[kind].field, blob, len, plain_r);
		if (*why_r == HK_SECRET_OK)
			return i;
		if (*why_r == HK_SECRET_MALFORMED)
			break;	/* no key will help */
	}
	return -1;
}

static void
free_secrets(struct secret *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hk_free_secret(v[i].plain);
	free(v);
}

/* Reads and decrypts every stored secret into *v_r.  Returns 0, or -1
 * having said why (nothing is changed by this step). */
static int
read_all(struct hk_db *db, const struct keyset *ks, struct secret **v_r,
    size_t *n_r, size_t *from_other_r)
{
	struct secret *v = NULL;
	size_t n = 0, cap = 0;
	int bad = 0;

	*from_other_r = 0;
	for (size_t k = 0; k < N_KINDS; k++) {
		struct hk_sql_stmt *st = hk_db_prepare(db, kinds[k].select);
		int step;

		while ((step = hk_sql_step(st)) == HK_SQL_ROW) {
			long long id = hk_sql_column_int64(st, 0);
			const char *name = hk_sql_column_text(st, 1);
			size_t len;
			const void *blob = hk_sql_column_blob(st, 2, &len);
			enum hk_secret_rc why;
			char *plain = NULL;
			int which = open_any(ks, k, id, blob, len, &plain, &why);

			if (which < 0) {
				say("the stored password of %s %lld (%s) cannot "
				    "be decrypted: %s; nothing was changed (enter "
				    "that password again, then rotate)",
				    kinds[k].what, id, name ? name : "?",
				    why == HK_SECRET_MALFORMED ?
				    "it is not in a known format" :
				    "it was altered, or encrypted under a key "
				    "that is gone");
				bad = 1;
				continue;
			}
			if (which != 0)
				(*from_other_r)++;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				v = hk_realloc(v, cap * sizeof(*v));
			}
			v[n].kind = k;
			v[n].id = id;
			v[n].plain = plain;
			n++;
		}
		hk_db_done(st);
		if (step != HK_SQL_DONE) {
			say("%s", hk_db_errmsg(db));
			bad = 1;
			break;
		}
	}
	if (bad) {
		free_secrets(v, n);
		return -1;
	}
	*v_r = v;
	*n_r = n;
	return 0;
}

static int
reseal_all(struct hk_db *db, const unsigned char key[HK_KEY_LEN],
    const struct secret *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct hk_sql_stmt *st = hk_db_prepare(db, kinds[v[i].kind].update);
		unsigned char *blob;
		size_t len;
		int step;

		hk_secret_seal(key, kinds[v[i].kind].table, v[i].id,
		    kinds[v[i].kind].field, v[i].plain, &blob, &len);
		hk_sql_bind_int64(st, 1, v[i].id);
		hk_sql_bind_blob(st, 2, blob, (int)len);
		step = hk_sql_step(st);
		hk_db_done(st);
		free(blob);
		if (step != HK_SQL_DONE) {
			say("cannot store a re-encrypted password: %s",
			    hk_db_errmsg(db));
			return -1;
		}
	}
	return 0;
}

/* Loads key file path into ks slot i when it exists and is well-formed.
 * A missing file is fine; a broken one is reported and skipped. */
static void
load_candidate(struct keyset *ks, int i, const char *path)
{
	char *err = NULL;

	if (access(path, F_OK) != 0)
		return;
	if (hk_keyfile_read(path, ks->key[i], &err) == 0)
		ks->have[i] = true;
	else {
		say("ignoring %s", err);
		free(err);
	}
}

int
ctl_rotate_key(const struct hk_config *cfg, int argc, char **argv)
{
	const char *path = cfg->secret_key;
	char *old_path = hk_aprintf("%s.old", path);
	char *new_path = hk_aprintf("%s.new", path);
	char *dir = hk_strdup(path), *slash, *err = NULL, *details = NULL;
	struct keyset ks;
	unsigned char fresh[HK_KEY_LEN];
	struct secret *v = NULL;
	size_t n = 0, from_other = 0, counts[N_KINDS] = { 0 };
	struct hk_db *db = NULL;
	int lockfd = -1, rc = HK_EXIT_CONFIG, c;
	bool in_tx = false, swapped = false, repaired = false, lost = false;

	memset(&ks, 0, sizeof(ks));
	if (argc != 1) {
		fprintf(stderr, "usage: hikyakuctl [--config FILE] rotate-key\n");
		rc = HK_EXIT_USAGE;
		goto out;
	}
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = hk_strdup(".");
	} else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';

	/* 1. One rotation at a time. */
	if ((lockfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
		say("%s: %s", dir, errno == EWOULDBLOCK ?
		    "another rotate-key is running" : strerror(errno));
		goto out;
	}
	if (hk_keyfile_read(path, ks.key[0], &err) < 0) {
		say("%s", err);
		goto out;
	}
	ks.have[0] = true;
	load_candidate(&ks, 1, old_path);
	load_candidate(&ks, 2, new_path);

	/* 2. The database, locked for writing, commits durable. */
	if ((db = hk_db_open(cfg->database, false, &err)) == NULL) {
		say("%s", err);
		goto out;
	}
	if (hk_db_schema_version(db) != hk_db_schema_latest()) {
		say("%s: the schema is not current (run 'hikyakuctl init')",
		    cfg->database);
		goto out;
	}
	if (hk_db_sync_full(db) != HK_SQL_OK)
		goto out;
	if ((c = hk_db_begin(db)) != HK_SQL_OK) {
		say("%s: %s", cfg->database, hk_db_busy(c) ?
		    "the database is locked by another process" :
		    hk_db_errmsg(db));
		goto out;
	}
	in_tx = true;

	/* 3. Every secret in clear, or stop here. */
	if (read_all(db, &ks, &v, &n, &from_other) < 0)
		goto out;
	if (from_other > 0) {
		/* An interrupted rotation left secrets under a key that is no
		 * longer secret.key.  First bring them all under secret.key
		 * and commit; only then may the leftover key files go. */
		if (reseal_all(db, ks.key[0], v, n) < 0)
			goto out;
		details = hk_aprintf("finished an interrupted rotation: %zu "
		    "passwords re-encrypted under the current key", from_other);
		if (hk_key_record(db, ks.key[0]) != HK_SQL_OK ||
		    hk_audit_record(db, "hikyakuctl", "rotate-key",
		    "secret-key", 0, NULL, details) != HK_STORE_OK ||
		    (c = hk_db_commit(db)) != HK_SQL_OK) {
			say("%s: cannot commit: %s", cfg->database,
			    hk_db_errmsg(db));
			goto out;
		}
		in_tx = false;
		repaired = true;
		free(details);
		details = NULL;
		printf("finished an interrupted rotation: %zu passwords were "
		    "still under the previous key\n", from_other);
		free_secrets(v, n);
		v = NULL;
		n = 0;
		ks.have[1] = ks.have[2] = false;
		if ((unlink(old_path) != 0 && errno != ENOENT) ||
		    (unlink(new_path) != 0 && errno != ENOENT) ||
		    hk_fsync_dir(dir) != 0) {
			say("%s: %s", dir, strerror(errno));
			goto out;
		}
		if ((c = hk_db_begin(db)) != HK_SQL_OK) {
			say("%s: %s", cfg->database, hk_db_errmsg(db));
			goto out;
		}
		in_tx = true;
		if (read_all(db, &ks, &v, &n, &from_other) < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++)
		counts[v[i].kind]++;

	/* 4. Sealed under a new key, recorded as the current one (so that
	 * a worker still holding the old key refuses to seal under it), and
	 * audited. */
	hk_random(fresh, sizeof(fresh));
	if (reseal_all(db, fresh, v, n) < 0)
		goto out;
	if (hk_key_record(db, fresh) != HK_SQL_OK) {
		say("cannot record the new key: %s", hk_db_errmsg(db));
		goto out;
	}
	details = hk_aprintf("re-encrypted under a new key: %zu mail-server "
	    "and %zu mail-account passwords", counts[0], counts[1]);
	if (hk_audit_record(db, "hikyakuctl", "rotate-key", "secret-key", 0,
	    NULL, details) != HK_STORE_OK) {
		say("cannot write the audit trail: %s", hk_db_errmsg(db));
		goto out;
	}

	/* 5. The new key in place, the old one kept beside it. */
	if (unlink(new_path) != 0 && errno != ENOENT) {
		say("%s: %s", new_path, strerror(errno));
		goto out;
	}
	if (write_key(new_path, fresh) < 0)
		goto out;
	if (unlink(old_path) != 0 && errno != ENOENT) {
		say("%s: %s", old_path, strerror(errno));
		goto out;
	}
	if (link(path, old_path) != 0) {
		say("%s: cannot keep the old key: %s", old_path, strerror(errno));
		goto out;
	}
	if (rename(new_path, path) != 0) {
		say("%s: cannot put the new key in place: %s", path,
		    strerror(errno));
		goto out;
	}
	swapped = true;
	if (hk_fsync_dir(dir) != 0) {
		say("%s: %s", dir, strerror(errno));
		goto out;
	}

	/* 6. The point of no return. */
	if ((c = hk_db_commit(db)) != HK_SQL_OK) {
		say("%s: cannot commit: %s", cfg->database, hk_db_errmsg(db));
		goto out;
	}
	in_tx = false;
	swapped = false;

	/* 7. The old key is no longer needed. */
	if (unlink(old_path) != 0 || hk_fsync_dir(dir) != 0)
		say("%s: could not remove the old key (%s); delete it by hand",
		    old_path, strerror(errno));
	printf("re-encrypted %zu mail-server and %zu mail-account passwords "
	    "under a new key in %s\n", counts[0], counts[1], path);
	printf("restart hikyaku-fcgi now: running workers still hold the old "
	    "key, and until then cannot read stored passwords or save new ones\n");
	rc = HK_EXIT_OK;
out:
	if (swapped) {
		/* The commit did not happen: the old key goes back. */
		if (rename(old_path, path) != 0 || hk_fsync_dir(dir) != 0) {
			say("%s: cannot put the old key back (%s): it is in %s; "
			    "run rotate-key again to finish", path,
			    strerror(errno), old_path);
			lost = true;
		}
	}
	if (in_tx)
		hk_db_rollback(db);
	if (rc != HK_EXIT_OK && rc != HK_EXIT_USAGE && !lost)
		say(repaired ? "the interrupted rotation was finished, but no "
		    "new key was made" : "nothing was changed");
	hk_db_close(&db);
	free_secrets(v, n);
	hk_wipe(fresh, sizeof(fresh));
	hk_wipe(&ks, sizeof(ks));
	if (lockfd >= 0)
		close(lockfd);
	free(err);
	free(details);
	free(dir);
	free(old_path);
	free(new_path);
	return rc;
}

int
ctl_adopt_key(const struct hk_config *cfg, struct hk_db *db)
{
	unsigned char key[HK_KEY_LEN];
	char *err = NULL;
	int rc = -1, sql_rc = HK_SQL_OK;
	bool fits;

	if (hk_keyfile_read(cfg->secret_key, key, &err) < 0) {
		fprintf(stderr, "hikyakuctl: %s\n", err);
		free(err);
		return -1;
	}
	if ((sql_rc = hk_db_begin(db)) != HK_SQL_OK)
		goto out;
	switch (hk_key_compare(db, key, &sql_rc)) {
	case HK_KEYREC_SAME:
		rc = 0;
		break;
	case HK_KEYREC_OTHER:
		/* init never overrides what rotate-key recorded. */
		fprintf(stderr, "hikyakuctl: %s is not the key the database "
		    "records as current: if a rotate-key was interrupted, run "
		    "it again\n", cfg->secret_key);
		break;
	case HK_KEYREC_NONE:
		fits = hk_key_opens_stored(db, key, &sql_rc);
		if (sql_rc != HK_SQL_OK)
			break;
		if (!fits) {
			fprintf(stderr, "hikyakuctl: %s opens none of the stored "
			    "passwords, so it is not recorded as the current "
			    "key: if a rotate-key was interrupted, run it "
			    "again\n", cfg->secret_key);
			break;
		}
		if ((sql_rc = hk_key_record(db, key)) != HK_SQL_OK ||
		    (sql_rc = hk_db_commit(db)) != HK_SQL_OK)
			break;
		printf("secret key: recorded as the current key\n");
		hk_wipe(key, sizeof(key));
		return 0;
	case HK_KEYREC_ERROR:
		break;
	}
	hk_db_rollback(db);
out:
	if (sql_rc != HK_SQL_OK)
		fprintf(stderr, "hikyakuctl: %s: %s\n", cfg->database,
		    hk_db_errmsg(db));
	hk_wipe(key, sizeof(key));
	return rc;
}
