/*
 * server/cli: the `vnsdi serve` and `vnsdi check` commands, called by
 * main.c after argument parsing.
 */
#ifndef VNSDI_SERVER_CLI_H
#define VNSDI_SERVER_CLI_H

#include <stdio.h>

/*
 * Load the config, the restricted areas and every layer, then serve until
 * SIGTERM or SIGINT. `host` NULL and `port` < 0 take the config's listen
 * address. Every problem is printed as "file:line: message" and nothing is
 * started when one is an error. Returns the exit status: 0 after a clean
 * stop, 1 on an invalid config or data, 2 when the address cannot be used.
 */
int cli_serve(const char *config_path, const char *host, int port);

/*
 * Validate a config and the data it names, and print a report to `out`:
 * per layer the source, the CRS and how it was identified, features kept
 * and dropped, the CRS84 extent, and each imagery scene with its area and
 * whether it is served. Returns 0 when there is no error, 1 otherwise.
 */
int cli_check(const char *config_path, FILE *out);

/* Route GDAL's error messages to the server log. Call once at start. */
void cli_gdal_init(void);

#endif
