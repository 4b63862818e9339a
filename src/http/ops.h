/* Operator endpoints: GET /healthz and GET /metrics. */
#ifndef AFFILIATED_PAGES_OPS_H
#define AFFILIATED_PAGES_OPS_H

#include "http/router.h"

route_handler page_healthz, page_metrics;

#endif
