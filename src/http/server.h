/*
 * server.h — the libmicrohttpd front end: listens, reads requests (bounding URL, headers
 * and body), matches them against the route table and sends what the handler returns.
 */
#ifndef BASIN_HTTP_SERVER_H
#define BASIN_HTTP_SERVER_H

#include <stdint.h>

#include "http.h"

typedef struct http_server http_server;

typedef struct http_options {
    const char *listen;   /* "127.0.0.1:8080", "[::1]:8080", "localhost:0" (0: any port) */
    unsigned connections; /* concurrent connections */
} http_options;

/* Parses "host:port"; 0 or BASIN_EINVAL. The host is copied into host (cap bytes). */
int http_parse_listen(const char *listen, char *host, size_t cap, uint16_t *port);

/* Starts serving `a` (borrowed; must outlive the server). 0 and *out, or an error with a
 * message in errbuf. */
int http_server_start(app *a, const http_options *o, http_server **out, char *errbuf,
                      size_t errcap);
/* The port actually bound (useful with port 0). */
uint16_t http_server_port(http_server *s);
/* Stops accepting new connections; requests in progress continue. */
void http_server_quiesce(http_server *s);
/* Stops and frees; waits for requests in progress. Accepts NULL. */
void http_server_stop(http_server *s);

#endif
