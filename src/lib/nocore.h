/* nocore.h - no core dumps: a dump of a worker or of hikyakuctl would
 * hold the secret key and the mail passwords decrypted with it. */
#ifndef HK_NOCORE_H
#define HK_NOCORE_H

/* The environment variable that, set to 1, leaves core dumps as the
 * system has them, for debugging a crash (docs/HACKING.md). */
#define HK_NOCORE_ENV "HIKYAKU_CORE_DUMPS"

/* Turns core dumps off for this process and the processes it forks:
 * RLIMIT_CORE to 0 (soft and hard) and PR_SET_DUMPABLE 0, which also keeps
 * other processes of the same user from attaching with ptrace or reading
 * /proc/PID/mem.  Call first thing in main().  Returns 0 when done, 1 when
 * HIKYAKU_CORE_DUMPS=1 asked to keep dumps (the key and the secret buffers
 * of secmem.h stay out of a dump even then), -1 with errno when the system
 * refused (the caller stops: it cannot promise what it should). */
int hk_nocore(void);

#endif
