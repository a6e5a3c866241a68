/* log.h - one-line log messages on stderr.
 *
 * Format: "2026-11-27T21:47:39Z hikyaku-fcgi[123] warn: text".  Messages
 * must never contain a secret: callers redact before logging.
 */
#ifndef HK_LOG_H
#define HK_LOG_H

enum hk_log_level { HK_LOG_ERR, HK_LOG_WARN, HK_LOG_INFO, HK_LOG_DEBUG };

/* Sets the program name shown in every line (the pointer is kept). */
void hk_log_init(const char *prog);
/* Messages above this level are dropped (default HK_LOG_INFO). */
void hk_log_set_level(enum hk_log_level level);
void hk_log(enum hk_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define hk_err(...)   hk_log(HK_LOG_ERR, __VA_ARGS__)
#define hk_warn(...)  hk_log(HK_LOG_WARN, __VA_ARGS__)
#define hk_info(...)  hk_log(HK_LOG_INFO, __VA_ARGS__)
#define hk_debug(...) hk_log(HK_LOG_DEBUG, __VA_ARGS__)

/* Logs and aborts: for broken invariants and allocation failure only.
 * The abort writes no core dump (hk_nocore, nocore.h) unless core dumps
 * were turned back on for debugging, and even then the key and the secret
 * buffers (secmem.h) are left out of it. */
void hk_fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
