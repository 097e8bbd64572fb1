/* The central line arrangement of d = 2 data, for the pictures: the lines x_i'u = 0 cut the u-plane into sectors
 * (the arrangement's open regions), and the rays along those lines are the sectors' borders. */
#ifndef CR_PLANE_ARRANGEMENT_H
#define CR_PLANE_ARRANGEMENT_H

#include <stddef.h>

#include "err.h"

/* Angles in [0, 2 pi), counterclockwise from the u1 axis, of the rays x_i'u = 0 (both directions of each nonzero
 * row's line; X is n x 2 row-major), sorted and deduplicated to 1e-12 (also across 0 = 2 pi), into rays
 * (capacity 2 n); *nrays receives the count: twice the number of distinct lines, 0 when every row is zero. */
void cr_plane_arrangement_rays(const double *X, size_t n, double *rays, size_t *nrays);

#endif
