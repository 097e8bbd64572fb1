/* The experiments, one line each: the one list that the config's `experiment` enum and its names
 * (src/harness/config.c) and the driver registry (experiments/registry.c) are both expanded from, so the two
 * cannot disagree. Header only, no code: the config includes it without the drivers (tests/fuzz).
 *   X(ID, name, needs_data, needs_orthsep, check, slide)
 * ID names the enum constant CR_EXP_<ID>; name is the config value and the driver cr_exp_<name>; the other
 * fields are the registry's (experiments/experiments.h, cr_experiment). */
#ifndef CR_EXPERIMENT_LIST_H
#define CR_EXPERIMENT_LIST_H

#define CR_EXPERIMENT_LIST(X)                                                                                      \
    X(ARRANGEMENTS, arrangements, 1, 0, NULL, "Hyperplane arrangements; Upperbound on the number of patterns")     \
    X(ARRANGEMENT_COUNT, arrangement_count, 0, 0, NULL,                                                            \
      "Upperbound on the number of hyperplane arrangement patterns")                                              \
    X(LANDSCAPE, landscape, 0, 0, NULL, "Nonconvex landscape and convex landscape")                                \
    X(CONVEX, convex, 1, 0, NULL, "Convex optimization formulation; All global optima (reconstruction, m*)")       \
    X(WIDTH_SWEEP, width_sweep, 1, 0, NULL, "All global optima (m >= m*)")                                         \
    X(STATIONARY, stationary, 1, 0, NULL, "Characterization of Clarke stationary point")                           \
    X(OPTIMAL_SET, optimal_set, 1, 0, NULL, "All global optima (the optimal set)")                                 \
    X(LINEAR_MARGIN, linear_margin, 1, 0, cr_exp_linear_margin_check, "Implicit regularization (linear model)")    \
    X(MAXMARGIN, maxmargin, 1, 1, NULL, "Implicit regularization for homogeneous network; Theorem; Proposition")   \
    X(ALIGNMENT, alignment, 1, 0, NULL,                                                                            \
      "Theorem: cos angle(w1_i(T), s X'D(w1_i(T)) y) >= 1 - delta (any data set)")                                \
    X(GEOMETRY, geometry, 1, 1, cr_exp_geometry_check,                                                             \
      "Geometric interpretation (ellipsoid, rectified ellipsoid, polar set)")                                      \
    X(SEPARABLE, separable, 0, 0, NULL,                                                                            \
      "Theorem (orthogonally separable: global max margin) and KKT point (iff) over many data sets; linearly "      \
      "separable (beyond the slides)")                                                                            \
    X(GENERALIZATION, generalization, 1, 0, NULL,                                                                  \
      "Future work: generalization of the global optima (convex optimum against GD networks over beta)")

/* The experiment a config names: CR_EXP_ARRANGEMENTS .. CR_EXP_SEPARABLE in the list's order (0 .. count - 1);
 * CR_EXP_NONE until the required key is set. */
#define CR_EXP_ENUM_ITEM(ID, ...) CR_EXP_##ID,
typedef enum { CR_EXP_NONE = -1, CR_EXPERIMENT_LIST(CR_EXP_ENUM_ITEM) CR_EXP_COUNT } cr_exp_id;
#undef CR_EXP_ENUM_ITEM

#endif
