/*
 * vnsdi: the command line. Parses arguments and hands over to the serve and
 * check commands (server/cli.c) or to `vnsdi crs` (vn2000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/admin.h"
#include "server/cli.h"
#include "server/handlers.h"
#include "tiles/tilecache.h"
#include "vn2000/vn2000.h"

#define VNSDI_VERSION "0.1.0"

static void usage(FILE *out)
{
	fputs("vnsdi " VNSDI_VERSION " — spatial data infrastructure server for "
	      "Vietnam's land administration\n"
	      "\n"
	      "Usage:\n"
	      "  vnsdi serve --config FILE [--listen HOST:PORT]\n"
	      "      Serve WMS, WMTS, XYZ tiles, OGC API – Features and the "
	      "viewer\n"
	      "      until SIGTERM or SIGINT.\n"
	      "      --listen overrides the config's server.listen; port 0 "
	      "picks a free port.\n"
	      "  vnsdi check --config FILE\n"
	      "      Validate a config and its data and print a report; exit "
	      "status 1 on errors.\n"
	      "  vnsdi crs ...\n"
	      "      Convert points between VN-2000 and WGS 84 (vnsdi crs "
	      "--help).\n"
	      "  vnsdi seed --config FILE --layer ID --tms ID --zoom A-B "
	      "[--bbox W,S,E,N]\n"
	      "            [--style NAME] [--format png|png8|jpeg]\n"
	      "      Fill the tile cache, with a progress bar; Ctrl-C stops "
	      "and the same\n"
	      "      command resumes.\n"
	      "  vnsdi publish --server URL --token TOKEN --layer ID FILE\n"
	      "      Publish a GeoPackage, zipped Shapefile or GeoJSON as "
	      "the layer's next\n"
	      "      version, with progress bars (token also from "
	      "VNSDI_TOKEN).\n"
	      "  vnsdi versions --server URL --token TOKEN --layer ID "
	      "[--version N | --from A --to B]\n"
	      "      List versions, show one manifest, or diff two "
	      "versions.\n"
	      "  vnsdi rollback --server URL --token TOKEN --layer ID "
	      "--version N\n"
	      "      Publish a copy of version N as a new version.\n"
	      "  vnsdi --help | --version\n",
	      out);
}

/* Split "HOST:PORT" or "[IPV6]:PORT". Returns 0 or -1. */
static int parse_listen(const char *text, char *host, size_t host_size,
			int *port)
{
	const char *colon;
	size_t n;
	long value;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		n = (size_t)(close - text - 1);
		colon = close + 1;
		text++;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			return -1;
		n = (size_t)(colon - text);
	}
	if (n == 0 || n >= host_size)
		return -1;
	memcpy(host, text, n);
	host[n] = '\0';
	if (parse_long(colon + 1, 0, 65535, &value) != 0)
		return -1;
	*port = (int)value;
	return 0;
}

struct options {
	const char *config;
	const char *listen;
};

/* Parse --config FILE and --listen HOST:PORT; -1 after a message. */
static int parse_options(int argc, char **argv, bool allow_listen,
			 struct options *opt)
{
	memset(opt, 0, sizeof(*opt));
	for (int i = 2; i < argc; i++) {
		const char **slot = NULL;

		if (strcmp(argv[i], "--config") == 0)
			slot = &opt->config;
		else if (strcmp(argv[i], "--listen") == 0 && allow_listen)
			slot = &opt->listen;
		if (slot == NULL) {
			fprintf(stderr, "vnsdi %s: unknown option \"%s\"\n",
				argv[1], argv[i]);
			return -1;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "vnsdi %s: %s needs a value\n", argv[1],
				argv[i]);
			return -1;
		}
		*slot = argv[++i];
	}
	if (opt->config == NULL) {
		fprintf(stderr, "vnsdi %s: missing --config FILE\n", argv[1]);
		return -1;
	}
	return 0;
}

static int command_serve(int argc, char **argv)
{
	struct options opt;
	char host[256];
	int port = -1;

	if (parse_options(argc, argv, true, &opt) != 0)
		return 2;
	if (opt.listen != NULL &&
	    parse_listen(opt.listen, host, sizeof(host), &port) != 0) {
		fprintf(stderr, "vnsdi serve: invalid --listen \"%s\": expected "
			"HOST:PORT with a port from 0 to 65535\n", opt.listen);
		return 2;
	}
	cli_gdal_init();
	return cli_serve(opt.config, opt.listen != NULL ? host : NULL, port);
}

static int command_check(int argc, char **argv)
{
	struct options opt;

	if (parse_options(argc, argv, false, &opt) != 0)
		return 2;
	cli_gdal_init();
	return cli_check(opt.config, stdout);
}

int main(int argc, char **argv)
{
	static const char *const later[] = {
		"publish", "versions", "rollback", NULL
	};
	const char *command = argc > 1 ? argv[1] : NULL;

	if (command == NULL) {
		fputs("vnsdi: missing command\n\n", stderr);
		usage(stderr);
		return 2;
	}
	if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
	    strcmp(command, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(command, "--version") == 0) {
		puts("vnsdi " VNSDI_VERSION);
		return 0;
	}
	if (strcmp(command, "serve") == 0)
		return command_serve(argc, argv);
	if (strcmp(command, "check") == 0)
		return command_check(argc, argv);
	if (strcmp(command, "crs") == 0) {
		int status;

		cli_gdal_init();
		status = vn2000_cli_main(argc - 1, argv + 1);
		vn2000_thread_cleanup();
		return status;
	}
	if (strcmp(command, "publish") == 0)
		return publish_cli_main(argc - 1, argv + 1);
	if (strcmp(command, "versions") == 0)
		return versions_cli_main(argc - 1, argv + 1);
	if (strcmp(command, "rollback") == 0)
		return rollback_cli_main(argc - 1, argv + 1);
	if (strcmp(command, "seed") == 0) {
		int status;

		cli_gdal_init();
		status = seed_cli_main(argc - 1, argv + 1);
		vn2000_thread_cleanup();
		return status;
	}
	for (size_t i = 0; later[i] != NULL; i++) {
		if (strcmp(command, later[i]) == 0) {
			fprintf(stderr, "vnsdi %s: not implemented yet\n",
				command);
			return 2;
		}
	}
	fprintf(stderr, "vnsdi: unknown command \"%s\"\n\n", command);
	usage(stderr);
	return 2;
}
