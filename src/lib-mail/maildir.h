/* maildir.h - delivering messages into a Maildir (tmp/, new/, cur/),
 * crash-safely and never twice under one name.
 *
 * A delivery writes tmp/NAME (buffered), fsyncs it, and hard-links it to
 * new/NAME: link() refuses to replace an existing file, so delivering a
 * name that is already in new/ reports "already there" instead of making
 * a second copy (the caller names messages deterministically, see
 * fetch.c).  Names made durable in new/ need a final fsync of the new/
 * folder (hk_maildir_sync), which the caller batches: fsync every file,
 * one folder fsync per batch, before the batch is recorded as stored.
 *
 * Files are written with LF line ends (the Maildir convention, as
 * Dovecot, Postfix and procmail write them): hk_maildir_write_crlf turns
 * CRLF from the wire into LF.
 *
 * Ownership: the caller owns both structs; hk_maildir_close and
 * hk_maildir_abort release what they hold.
 */
#ifndef HK_MAILDIR_H
#define HK_MAILDIR_H

#include <stdbool.h>
#include <stddef.h>

struct hk_maildir {
	char *path;
	int new_fd;		/* new/, for fsync */
};

#define HK_MAILDIR_BUF 65536

struct hk_maildir_msg {
	struct hk_maildir *md;
	char *name;
	int fd;			/* tmp/NAME; -1 when none */
	int err;		/* the first errno; 0 when fine */
	bool cr;		/* write_crlf: a CR ended the last chunk */
	unsigned long long bytes;	/* written so far */
	size_t blen;
	char buf[HK_MAILDIR_BUF];
};

/* Creates path and path/{tmp,new,cur} (mode 0700) as needed.  0, or -1
 * with *err_r (caller frees). */
int hk_maildir_open(struct hk_maildir *md, const char *path, char **err_r);
void hk_maildir_close(struct hk_maildir *md);

/* Is NAME a valid Maildir base name: 1-200 bytes of [A-Za-z0-9._-],
 * not starting with '.'. */
bool hk_maildir_name_ok(const char *name);

/* Removes every file left in tmp/ by a run that was killed (one killed
 * after linking into new/ but before unlinking leaves its tmp/ copy, which
 * no later delivery of that name replaces).  Only with the account's fetch
 * lock held: nothing else writes there then.  Errors are ignored. */
void hk_maildir_clear_tmp(struct hk_maildir *md);

/* Starts delivering NAME (a leftover tmp/NAME is replaced).  0, or -1
 * with errno set. */
int hk_maildir_begin(struct hk_maildir *md, const char *name,
    struct hk_maildir_msg *m);
/* Appends bytes as they are; hk_maildir_write_crlf turns every CRLF
 * into LF (a CR at the end of one chunk and LF at the start of the next
 * included).  Errors are kept in m->err and reported by commit. */
void hk_maildir_write(struct hk_maildir_msg *m, const void *p, size_t n);
void hk_maildir_write_crlf(struct hk_maildir_msg *m, const void *p, size_t n);

/* Flushes, fsyncs (when sync), closes and links tmp/NAME to new/NAME,
 * then removes tmp/NAME.  Returns 0 when delivered, 1 when new/NAME
 * already existed (nothing changed: the message was delivered before),
 * -1 with errno on failure (tmp/NAME removed). */
int hk_maildir_commit(struct hk_maildir_msg *m, bool sync);
/* Drops a delivery in progress (removes tmp/NAME). */
void hk_maildir_abort(struct hk_maildir_msg *m);

/* fsync of new/ (and cur/'s parent is untouched): makes the names linked
 * since the last call durable.  0 or -1 with errno. */
int hk_maildir_sync(struct hk_maildir *md);

/* Was NAME delivered: new/NAME, or cur/NAME with or without an info
 * suffix (":2,S" after a mail reader moved it)?  Scans cur/ when needed. */
bool hk_maildir_has(struct hk_maildir *md, const char *name);

#endif
