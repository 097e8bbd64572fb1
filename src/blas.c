/* The process-wide BLAS settings (see blas.h). Includes <cblas.h>, so no GSL header. */
#include "blas.h"

#include <cblas.h>

int cr_blas_set_threads(int threads)
{
    openblas_set_num_threads(threads);
    return openblas_get_num_threads();
}

int cr_blas_threads(void) { return openblas_get_num_threads(); }

const char *cr_blas_config(void) { return openblas_get_config(); }
