/* fsyncdir.h - making a change to a folder's entries durable. */
#ifndef HK_FSYNCDIR_H
#define HK_FSYNCDIR_H

/* fsyncs the folder dir, so that a file created, renamed or removed in it
 * survives a crash (rename(2) alone is atomic, not durable).  0, or -1
 * with errno set. */
int hk_fsync_dir(const char *dir);

#endif
