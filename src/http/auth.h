/*
 * auth.h — bearer tokens on every route. Without any active token the service is open
 * (it then listens on loopback, or was started with --allow-anonymous); once a token
 * exists, every route but GET /v1/health needs `Authorization: Bearer <token>` whose
 * scope covers the route's (read < write < admin): 401 without a valid token, 403 when
 * under-scoped. Tokens are never logged.
 */
#ifndef BASIN_HTTP_AUTH_H
#define BASIN_HTTP_AUTH_H

#include "routes.h"

#define AUTH_RECHECK_MS 1000

/* Checks req against the route's scope; fills req->token_id. Returns true to go on, or
 * false having answered 401/403/503 in res. */
bool http_authorize(http_request *req, const route *r, http_response *res);

#endif
