/* Plane geometry for the d = 2 pictures: the sectors of the u-plane cut by the lines x_i'u = 0. */
#ifndef CR_PLANE_ARRANGEMENT_H
#define CR_PLANE_ARRANGEMENT_H

#include <stddef.h>

#include "err.h"

/* Angles in [0, 2 pi) of the rays x_i'u = 0 (both directions of each nonzero row's line), sorted and
 * deduplicated to 1e-12, into rays (capacity 2 n); *nrays receives the count. */
void cr_plane_arrangement_rays(const double *X, size_t n, double *rays, size_t *nrays);

#endif
