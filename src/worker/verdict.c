/* verdict.c — see verdict.h. */
#include "verdict.h"

#include "basin/error.h"

run_verdict worker_verdict(int rc, int stop_reason, int attempts, int max_attempts)
{
    if (rc == 0)
        return VERDICT_SUCCEEDED;
    if (rc == BASIN_ECANCELLED) {
        switch (stop_reason) {
        case BASIN_EFENCED:
            return VERDICT_ABANDON;
        case BASIN_ESHUTDOWN:
            return VERDICT_REQUEUE;
        case BASIN_ETIMEOUT:
            return VERDICT_FAILED;
        default:
            return VERDICT_CANCELLED;
        }
    }
    if (rc == BASIN_EDIVERGED || rc == BASIN_EINVAL)
        return VERDICT_FAILED;
    return attempts < max_attempts ? VERDICT_RETRY : VERDICT_FAILED;
}

int64_t worker_retry_delay_ms(int64_t base_ms, int64_t max_ms, int attempt, double u)
{
    double delay = (double)base_ms;
    for (int i = 1; i < attempt && delay < (double)max_ms; i++)
        delay *= 2.0;
    if (delay > (double)max_ms)
        delay = (double)max_ms;
    return (int64_t)(delay * (0.5 + 0.5 * u));
}
