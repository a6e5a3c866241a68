/* hikyaku-fcgi - the FastCGI worker behind nginx or Apache.
 *
 *   hikyaku-fcgi [--config FILE] [--listen unix:PATH | HOST:PORT] [--workers N]
 *
 * Without --listen (or `listen` in the config) it accepts on fd 0, the
 * spawn-fcgi / mod_fcgid convention.  Exit status: 0 after SIGTERM/SIGINT,
 * 1 usage, 2 configuration or database error.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "app.h"
#include "conf.h"
#include "log.h"
#include "mem.h"
#include "modload.h"
#include "nocore.h"
#include "oauth2.h"
#include "server.h"
#include "tls.h"
#include "ui.h"

static void
usage(FILE *out)
{
	fputs("usage: hikyaku-fcgi [--config FILE] [--listen unix:PATH | HOST:PORT]"
	    " [--workers N]\n", out);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_flag = NULL, *listen_flag = NULL, *path;
	struct hk_config cfg;
	struct hk_app app;
	char *err = NULL, *end;
	bool required;
	long workers = 0;
	int c, fd, rc;

	hk_log_init("hikyaku-fcgi");
	/* Before the key is read: a core would hold it and the passwords
	 * decrypted with it.  The workers inherit this. */
	if (hk_nocore() < 0) {
		hk_err("cannot turn core dumps off: %s", strerror(errno));
		return 2;
	}
	while ((c = getopt_long(argc, argv, "c:l:w:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_flag = optarg; break;
		case 'l': listen_flag = optarg; break;
		case 'w':
			workers = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || workers < 1 ||
			    workers > 256) {
				fprintf(stderr, "hikyaku-fcgi: --workers takes a number "
				    "from 1 to 256\n");
				return 1;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': puts(PACKAGE_STRING); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}

	xmlInitParser();
	path = hk_config_choose(config_flag, &required);
	if (hk_config_load(path, required, &cfg, &err) < 0) {
		hk_err("%s", err);
		free(err);
		hk_config_free(&cfg);
		return 2;
	}
	hk_oauth2_set_timeout(cfg.oauth2_timeout * 1000L);
	if (cfg.ca_file != NULL && hk_tls_trust_file(cfg.ca_file, &err) < 0) {
		hk_err("%s", err);
		free(err);
		hk_config_free(&cfg);
		return 2;
	}
	if (workers > 0)
		cfg.workers = (int)workers;
	if (listen_flag != NULL) {
		free(cfg.listen);
		cfg.listen = hk_strdup(listen_flag);
	}
	workers = cfg.workers;
	if (hk_app_init(&app, &cfg, hk_ui_routes, hk_ui_routes_count, &err) < 0) {
		hk_err("%s", err);
		free(err);
		hk_app_free(&app);
		return 2;
	}
	{
		struct hk_buf names = HK_BUF_INIT;

		for (size_t i = 0; i < hk_modset_count(app.mods); i++)
			hk_buf_printf(&names, "%s%s", i ? ", " : "",
			    hk_modset_at(app.mods, i)->name);
		hk_info("auth modules: %s", names.len ? hk_buf_str(&names) : "none");
		hk_buf_free(&names);
	}
	/* Fail at start, not in every worker, when the database is not ready. */
	if (hk_app_open_db(&app, &err) < 0) {
		hk_err("%s", err);
		free(err);
		hk_app_free(&app);
		return 2;
	}
	hk_db_close(&app.db);

	if (app.cfg.listen != NULL) {
		fd = hk_listen(app.cfg.listen, app.cfg.socket_mode, &err);
		if (fd < 0) {
			hk_err("cannot listen: %s", err);
			free(err);
			hk_app_free(&app);
			return 2;
		}
		hk_info("listening on %s", app.cfg.listen);
	} else {
		struct stat st;

		if (fstat(0, &st) != 0 || !S_ISSOCK(st.st_mode)) {
			hk_err("standard input is not a listening socket: give "
			    "--listen unix:PATH or HOST:PORT");
			hk_app_free(&app);
			return 1;
		}
		fd = 0;
		hk_info("accepting on standard input");
	}
	rc = hk_serve(&app, fd, (int)workers);
	if (app.cfg.listen != NULL && strncmp(app.cfg.listen, "unix:", 5) == 0)
		unlink(app.cfg.listen + 5);
	hk_app_free(&app);
	xmlCleanupParser();
	return rc;
}
