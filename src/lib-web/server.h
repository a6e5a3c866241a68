/* server.h - the FastCGI server: a master process and pre-forked workers.
 *
 * Why processes, not threads: each worker is single-threaded, so libxml2,
 * libxslt, SQLite and the dlopen'ed modules need no locking; a crash in one
 * request takes down one worker, which the master replaces; and parsed
 * stylesheets, catalogues and modules are shared copy-on-write.
 */
#ifndef HK_SERVER_H
#define HK_SERVER_H

#include "app.h"

/* Opens the listening socket for spec ("unix:PATH" or "HOST:PORT"); a unix
 * socket replaces a stale one and gets mode.  The fd, or -1 with *err_r. */
int hk_listen(const char *spec, mode_t mode, char **err_r);

/* Runs the master and workers on listen_fd until SIGTERM or SIGINT, then
 * lets requests in flight finish.  Returns the process exit status. */
int hk_serve(struct hk_app *app, int listen_fd, int workers);

#endif
