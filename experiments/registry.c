/* The experiment registry: config name -> driver. Keep in step with CR_EXPERIMENTS in src/harness/config.c
 * (tests/test_config.c checks both lists agree). */
#include <string.h>

#include "experiments.h"

static const cr_experiment registry[] = {
    {"arrangements", cr_exp_arrangements, 1, 0, "Hyperplane arrangements; Upperbound on the number of patterns", NULL},
    {"arrangement_count", cr_exp_arrangement_count, 0, 0, "Upperbound on the number of hyperplane arrangement patterns",
     NULL},
    {"landscape", cr_exp_landscape, 0, 0, "Nonconvex landscape and convex landscape", NULL},
    {"convex", cr_exp_convex, 1, 0, "Convex optimization formulation; All global optima (reconstruction, m*)", NULL},
    {"width_sweep", cr_exp_width_sweep, 1, 0, "All global optima (m >= m*)", NULL},
    {"stationary", cr_exp_stationary, 1, 0, "Characterization of Clarke stationary point", NULL},
    {"optimal_set", cr_exp_optimal_set, 1, 0, "All global optima (the optimal set)", NULL},
    {"linear_margin", cr_exp_linear_margin, 1, 0, "Implicit regularization (linear model)",
     cr_exp_linear_margin_check},
    {"maxmargin", cr_exp_maxmargin, 1, 1, "Implicit regularization for homogeneous network; Theorem; Proposition",
     NULL},
    {"alignment", cr_exp_alignment, 1, 0, "Theorem: cos angle(w1_i(T), s X'D(w1_i(T)) y) >= 1 - delta (any data set)",
     NULL},
    {"geometry", cr_exp_geometry, 1, 1, "Geometric interpretation (ellipsoid, rectified ellipsoid, polar set)",
     cr_exp_geometry_check},
    {"separable", cr_exp_separable, 0, 0, "Theorem (orthogonally separable: global max margin) and KKT point (iff) over many data sets; linearly separable (beyond the slides)", NULL},
};

const cr_experiment *cr_experiment_list(size_t *n)
{
    *n = sizeof registry / sizeof registry[0];
    return registry;
}

const cr_experiment *cr_experiment_find(const char *name)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
        if (strcmp(registry[i].name, name) == 0) return &registry[i];
    return NULL;
}
