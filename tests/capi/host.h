#ifndef CAPI_TEST_HOST_H
#define CAPI_TEST_HOST_H
#include "calc.h"
#include "counter.h"
#include "gcm.h"
#include "simd.h"
#include "wasi.h"

/* What the host functions record per instance (wasmc_instance_config_t.data). */
struct host_state {
    int32_t last_log;
    int logs;
    int twice_calls;
};
/* Objects the GC callback allocates (fewer under WASMC_GC_STRESS). */
extern int host_churn;
#endif
