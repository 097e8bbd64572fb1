/* Relative differences of computed values, on the scale max(1, |ref|) that every certified gap of the solvers uses
 * (convex.h, maxmargin.h: gap / max(1, |primal|)): how an experiment says that two objective values agree, by how
 * much one exceeds another, or how far a point is from optimal. */
#ifndef CR_RELERR_H
#define CR_RELERR_H

#include <stddef.h>

/* (a - ref) / max(1, |ref|): signed, positive when a exceeds ref. */
double cr_relerr(double a, double ref);

/* 1 when |a - ref| <= tol max(1, |ref|), else 0 (also for NaN). */
int cr_relerr_within(double a, double ref, double tol);

/* (primal - dual) / max(1, |primal|): the relative duality gap of a primal value over a dual bound. */
double cr_relerr_gap(double primal, double dual);
/* The largest relative drop (v[k-1] - v[k]) / |v[k-1]| between consecutive values of a logged sequence v (k = 1..
 * len-1) whose earlier point has t[k-1] >= from (t: the steps the values were logged at, increasing); 0 when the
 * sequence never drops there (a nondecreasing sequence), so a positive value measures a violation of monotonicity.
 * Scaled by the earlier value itself, not by max(1, |ref|). */
double cr_relerr_max_drop(const double *v, const long *t, size_t len, long from);

#endif
