/* The experiment registry: the driver of each experiment of src/harness/experiment_list.h, expanded from that one
 * list in its order, so the config's enum (cr_exp_id) indexes it and the two cannot disagree. */
#include <stddef.h>

#include "experiments.h"

#define DRIVER(ID, name, needs_data, needs_orthsep, check, slide) \
    [CR_EXP_##ID] = {#name, cr_exp_##name, needs_data, needs_orthsep, slide, check},
static const cr_experiment registry[] = {CR_EXPERIMENT_LIST(DRIVER)};
#undef DRIVER

_Static_assert(sizeof registry / sizeof registry[0] == CR_EXP_COUNT, "one driver per experiment");

const cr_experiment *cr_experiment_list(size_t *n)
{
    *n = sizeof registry / sizeof registry[0];
    return registry;
}

const cr_experiment *cr_experiment_get(cr_exp_id e)
{
    return e >= 0 && e < CR_EXP_COUNT ? &registry[e] : NULL;
}
