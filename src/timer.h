/* The one wall clock: monotonic seconds since an arbitrary origin, for solver time limits and reported
 * timings (never for anything a result depends on). */
#ifndef CR_TIMER_H
#define CR_TIMER_H

double cr_seconds(void);
/* CPU seconds of the whole process (every thread) since an arbitrary origin, for reported timings only. */
double cr_cpu_seconds(void);

#endif
