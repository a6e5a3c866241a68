/* sql-placeholders.c - "?" and "?N" to "$N" (sql-placeholders.h). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sql-placeholders.h"

/* Copies a quoted run starting at *p (the opening quote q) to out; a
 * doubled quote inside stays inside.  An unterminated one runs to the
 * end: the server reports it. */
static const char *
copy_quoted(struct hk_buf *out, const char *p, char q)
{
	hk_buf_append(out, p++, 1);
	while (*p != '\0') {
		if (*p == q && p[1] == q) {
			hk_buf_append(out, p, 2);
			p += 2;
			continue;
		}
		hk_buf_append(out, p, 1);
		if (*p++ == q)
			break;
	}
	return p;
}

char *
hk_sql_pg_placeholders(const char *sql, int *nparams_r)
{
	struct hk_buf out = HK_BUF_INIT;
	const char *p = sql;
	int last = 0, max = 0;

	while (*p != '\0') {
		if (*p == '\'' || *p == '"') {
			p = copy_quoted(&out, p, *p);
		} else if (p[0] == '-' && p[1] == '-') {
			size_t n = strcspn(p, "\n");

			hk_buf_append(&out, p, n);
			p += n;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *end = strstr(p + 2, "*/");
			size_t n = end != NULL ? (size_t)(end + 2 - p) : strlen(p);

			hk_buf_append(&out, p, n);
			p += n;
		} else if (*p == '?') {
			int n;

			p++;
			if (isdigit((unsigned char)*p)) {
				long v = strtol(p, (char **)&p, 10);

				if (v < 1 || v > HK_SQL_MAX_PARAMS) {
					hk_buf_free(&out);
					return NULL;
				}
				n = (int)v;
			} else if (last >= HK_SQL_MAX_PARAMS) {
				hk_buf_free(&out);
				return NULL;
			} else
				n = last + 1;
			last = n;
			if (n > max)
				max = n;
			hk_buf_printf(&out, "$%d", n);
		} else
			hk_buf_append(&out, p++, 1);
	}
	*nparams_r = max;
	return hk_buf_steal(&out);
}
