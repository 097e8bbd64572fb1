/* The process-wide BLAS settings: the size of OpenBLAS's thread pool and OpenBLAS's description of its build.
 * Only main changes the thread count (config key `threads`), and the manifest records both. No reported number
 * depends on the count (linalg.h keeps every product that feeds one on the calling thread): only speed does.
 * This header includes no BLAS header (cblas.h clashes with GSL's). */
#ifndef CR_BLAS_H
#define CR_BLAS_H

/* Pins OpenBLAS to `threads` threads (>= 1) and returns the count it then reports. */
int cr_blas_set_threads(int threads);

/* The thread count OpenBLAS reports. */
int cr_blas_threads(void);

/* OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64":
 * version, build options and the kernel (core type) chosen for this CPU or by OPENBLAS_CORETYPE. A static string. */
const char *cr_blas_config(void);

#endif
