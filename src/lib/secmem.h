/* secmem.h - memory for secrets (the key, passwords), kept out of core
 * dumps and wiped before it goes back to the system (or, for a few
 * one-page blocks, to a per-process list of wiped spares for reuse).
 *
 * Each block is a private anonymous mapping of whole pages, marked
 * MADV_DONTDUMP: even when core dumps were turned back on to debug a crash
 * (hk_nocore, docs/HACKING.md) the block is not in the dump.  A block costs
 * two system calls (map, unmap): use it for secrets, not for every buffer.
 * Failure to map is fatal (mem.h); failure to mark is ignored (an old
 * kernel), since the process writes no core dump by default anyway.
 */
#ifndef HK_SECMEM_H
#define HK_SECMEM_H

#include <stddef.h>

/* The size a block asked for with n bytes really has: n rounded up to
 * whole pages (at least one page). */
size_t hk_secmem_size(size_t n);
/* A zeroed block of hk_secmem_size(n) bytes, page-aligned.  The caller
 * releases it with hk_secmem_free(p, n), passing the same n (or any n
 * with the same hk_secmem_size). */
void *hk_secmem_alloc(size_t n);
/* Wipes the whole block and unmaps it (a one-page block may be kept,
 * wiped, for the next hk_secmem_alloc).  NULL is fine. */
void hk_secmem_free(void *p, size_t n);
/* How many wiped one-page blocks to keep for reuse (at most 8, the
 * default); 0 unmaps every block on free (the unit tests watch unmaps). */
void hk_secmem_set_spares(size_t max);

#endif
