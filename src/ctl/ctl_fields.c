/* ctl_fields.c - the parts shared by hikyakuctl's servers and accounts
 * commands (ctl_fields.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_fields.h"
#include "i18n.h"
#include "mem.h"

static const char *
choose_lang(void)
{
	/* The first of these that is set decides, as setlocale would. */
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && *v != '\0')
			return strncmp(v, "ja", 2) == 0 ? "ja" : "en";
	}
	return "en";
}

int
ctl_session_open(const struct hk_config *cfg, bool need_key,
    struct ctl_session *cs)
{
	char *err = NULL, *dir;

	memset(cs, 0, sizeof(*cs));
	cs->lang = choose_lang();
	if (need_key) {
		if (hk_keyfile_read(cfg->secret_key, cs->key, &err) < 0) {
			fprintf(stderr, "hikyakuctl: %s\n", err);
			free(err);
			return -1;
		}
		cs->have_key = true;
	}
	if ((cs->db = hk_db_open(cfg->database, false, &err)) == NULL) {
		fprintf(stderr, "hikyakuctl: %s\n", err);
		free(err);
		ctl_session_close(cs);
		return -1;
	}
	if (hk_db_schema_version(cs->db) != hk_db_schema_latest()) {
		fprintf(stderr, "hikyakuctl: %s: the schema is not current "
		    "(run 'hikyakuctl init')\n", cfg->database);
		ctl_session_close(cs);
		return -1;
	}
	dir = hk_aprintf("%s/i18n", cfg->xsl_dir);
	cs->cat = hk_catalog_load(dir, &err);
	free(dir);
	if (cs->cat == NULL) {
		/* Only the texts are lost: the keys are printed instead. */
		fprintf(stderr, "hikyakuctl: warning: %s\n", err);
		free(err);
	}
	cs->actor = ctl_actor();
	return 0;
}

void
ctl_session_close(struct ctl_session *cs)
{
	hk_db_close(&cs->db);
	hk_wipe(cs->key, sizeof(cs->key));
	hk_catalog_free(&cs->cat);
	free(cs->actor);
	cs->actor = NULL;
}

char *
ctl_actor(void)
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0')
		return hk_aprintf("cli:%s", pw->pw_name);
	return hk_aprintf("cli:%lu", (unsigned long)geteuid());
}

int
ctl_sets_add(struct ctl_sets *s, const char *arg, const char *const *allowed)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	char *field;

	if (eq == NULL) {
		fprintf(stderr, "hikyakuctl: --set wants FIELD=VALUE, not '%s'\n",
		    arg);
		return -1;
	}
	field = hk_strndup(arg, n);
	if (strcmp(field, "password") == 0 ||
	    strcmp(field, "smtp_password") == 0) {
		fprintf(stderr, "hikyakuctl: %s is never taken from the command "
		    "line: use --password (standard input) or --password-fd N\n",
		    field);
		free(field);
		return -1;
	}
	if (strcmp(field, "oauth2_client_secret") == 0) {
		fprintf(stderr, "hikyakuctl: %s is never taken from the command "
		    "line: use --client-secret (standard input) or "
		    "--client-secret-fd N\n", field);
		free(field);
		return -1;
	}
	for (size_t i = 0; allowed[i] != NULL; i++) {
		if (strcmp(allowed[i], field) == 0) {
			hk_params_add(&s->p, field, eq + 1);
			free(field);
			return 0;
		}
	}
	fprintf(stderr, "hikyakuctl: no field '%s' (see hikyakuctl(8))\n", field);
	free(field);
	return -1;
}

const char *
ctl_sets_get(const struct ctl_sets *s, const char *field)
{
	const char *v = NULL;

	for (size_t i = 0; i < s->p.n; i++)
		if (strcmp(s->p.v[i].name, field) == 0)
			v = s->p.v[i].value;
	return v;
}

void
ctl_sets_free(struct ctl_sets *s)
{
	hk_params_free(&s->p);
}

void
ctl_form_field(struct hk_params *form, const struct ctl_sets *s,
    const char *field, const char *stored)
{
	const char *v = ctl_sets_get(s, field);

	if (v == NULL)
		v = stored;
	if (v != NULL)
		hk_params_add(form, field, v);
}

long long
ctl_positive(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > 18 || strspn(s, "0123456789") != n || s[0] == '0')
		return 0;
	return strtoll(s, NULL, 10);
}

int
ctl_pwsource_fd(struct ctl_pwsource *src, const char *arg)
{
	size_t n = strlen(arg);

	if (n == 0 || n > 9 || strspn(arg, "0123456789") != n) {
		fprintf(stderr, "hikyakuctl: --password-fd wants a file "
		    "descriptor number, not '%s'\n", arg);
		return -1;
	}
	src->wanted = true;
	src->fd = (int)strtol(arg, NULL, 10);
	return 0;
}

char *
ctl_pwsource_read(const struct ctl_pwsource *src)
{
	char *pw = hk_ctl_read_secret_fd(src->fd);

	if (pw == NULL) {
		int e = errno;

		if (e == E2BIG)
			fprintf(stderr, "hikyakuctl: the password is longer than "
			    "%d bytes\n", HK_CTL_SECRET_MAX);
		else if (e == ENODATA)
			fprintf(stderr, "hikyakuctl: no password on %s\n",
			    src->fd == STDIN_FILENO ? "standard input" :
			    "the --password-fd descriptor");
		else
			fprintf(stderr, "hikyakuctl: cannot read the password: "
			    "%s\n", strerror(e));
	}
	return pw;
}

void
ctl_print_msg(const struct ctl_session *cs, const char *field,
    const char *key, const char *const *args, size_t nargs)
{
	char *m = hk_msg_format(cs->cat, cs->lang, key, args, nargs);

	fprintf(stderr, "%s: %s\n", field != NULL ? field : "hikyakuctl", m);
	free(m);
}

void
ctl_print_errors(const struct ctl_session *cs,
    const struct hk_form_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++) {
		const struct hk_field_error *e = &errs->v[i];
		const char *args[2] = { e->args[0], e->args[1] };
		char *m = hk_msg_format(cs->cat, cs->lang, e->key, args, e->nargs);

		if (e->field != NULL && *e->field != '\0')
			fprintf(stderr, "%s: %s\n", e->field, m);
		else
			fprintf(stderr, "%s\n", m);
		free(m);
	}
}
