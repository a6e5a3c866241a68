/* sql-placeholders.h - sql.h's placeholders in PostgreSQL's spelling.
 *
 * "?" is the next parameter (one more than the last one numbered), "?N"
 * is parameter N; both become "$N".  A "?" inside a string literal
 * ('...', with '' inside), a quoted identifier ("...") or a comment
 * (-- to the end of the line, or slash-star to star-slash) stays. */
#ifndef HK_SQL_PLACEHOLDERS_H
#define HK_SQL_PLACEHOLDERS_H

/* Returns the rewritten text (caller frees) and the highest parameter
 * number in *nparams_r; NULL when a "?N" is out of range (0, or above
 * HK_SQL_MAX_PARAMS). */
#define HK_SQL_MAX_PARAMS 999
char *hk_sql_pg_placeholders(const char *sql, int *nparams_r);

#endif
