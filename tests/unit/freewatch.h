/* freewatch.h - watching the memory the code under test gives back, to
 * check that a secret was wiped before its memory was released.
 *
 * A test program linked with HK_FREEWATCH_LINK (tests/local.mk: the
 * linker's --wrap of free, realloc and munmap) routes those calls, made by
 * the core's code and by the test, through freewatch.c.  While a needle
 * is set, every block released with free or munmap, and every block handed
 * to realloc (which may move it and release the old copy as it is), is
 * searched for the needle before it goes. */
#ifndef HK_FREEWATCH_H
#define HK_FREEWATCH_H

#include <stddef.h>

/* Starts watching for needle (borrowed until freewatch_stop). */
void freewatch_start(const char *needle);
/* Stops; returns how many blocks still held the needle when released,
 * and in *released_r how many blocks were released at all. */
size_t freewatch_stop(size_t *released_r);

#endif
