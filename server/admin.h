/*
 * server/admin: the publishing API under /admin/layers/{id}/...: publish a
 * version, list and read versions, diff two versions, roll back, and the
 * progress of the running publish. Publisher or admin role only.
 *
 * The publisher is process-wide, like the server: admin_open() loads the
 * live version of each layer from <data_dir>/versions before the server
 * listens, admin_close() frees it.
 */
#ifndef VNSDI_SERVER_ADMIN_H
#define VNSDI_SERVER_ADMIN_H

#include "server/http.h"

/* Open the publisher and restore the live versions. Returns 0 or -1. */
int admin_open(struct server *srv);
void admin_close(void);

/* Handle /admin/layers/... (any other /admin path is a 404). */
void admin_handle(struct http_request *req, struct http_response *res);

/* Entry points of `vnsdi publish`, `vnsdi versions`, `vnsdi rollback`
   (server/publish_cli.c). argv[0] is the command name. */
int publish_cli_main(int argc, char **argv);
int versions_cli_main(int argc, char **argv);
int rollback_cli_main(int argc, char **argv);

#endif
