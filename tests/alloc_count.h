/* Counting what the library under test asks the allocator for, for the tests of the *_work_bytes functions:
 * the test binary's own malloc, calloc and realloc (the executable's symbols come before the C library's)
 * pass every call to glibc's __libc_* functions and, while counting, add the bytes requested by code linked
 * into the executable (the library is a static archive) but not those of shared libraries (OpenBLAS's
 * small-matrix kernels allocate scratch of their own on every call). Where that cannot work,
 * crt_alloc_works() says 0 and the tests check their closed forms only: under AddressSanitizer, whose
 * allocator must see every call (nothing is defined then), and under valgrind, which replaces malloc in the
 * executable too. Include from one test file per binary. */
#ifndef CR_ALLOC_COUNT_H
#define CR_ALLOC_COUNT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
static inline int crt_alloc_works(void)
{
    return 0;
}
static inline void crt_alloc_start(void)
{
}
static inline size_t crt_alloc_stop(size_t *calls)
{
    if (calls) *calls = 0;
    return 0;
}
#else
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t nmemb, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void __libc_free(void *ptr);

/* The bounds of the executable's code (GNU ld). */
extern char __executable_start, etext;

static atomic_int crt_alloc_on;
static atomic_size_t crt_alloc_bytes, crt_alloc_calls;

static void crt_alloc_add(size_t bytes, const void *caller)
{
    const char *c = caller;
    if (atomic_load(&crt_alloc_on) && c >= &__executable_start && c < &etext) {
        atomic_fetch_add(&crt_alloc_bytes, bytes);
        atomic_fetch_add(&crt_alloc_calls, 1);
    }
}

void *malloc(size_t size)
{
    crt_alloc_add(size, __builtin_return_address(0));
    return __libc_malloc(size);
}

void *calloc(size_t nmemb, size_t size)
{
    crt_alloc_add(nmemb * size, __builtin_return_address(0));
    return __libc_calloc(nmemb, size);
}

void *realloc(void *ptr, size_t size)
{
    crt_alloc_add(size, __builtin_return_address(0));
    return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
    __libc_free(ptr);
}

/* Starts counting from zero. */
static inline void crt_alloc_start(void)
{
    atomic_store(&crt_alloc_bytes, 0);
    atomic_store(&crt_alloc_calls, 0);
    atomic_store(&crt_alloc_on, 1);
}

/* Stops counting; returns the bytes requested since crt_alloc_start (*calls: the number of requests). */
static inline size_t crt_alloc_stop(size_t *calls)
{
    atomic_store(&crt_alloc_on, 0);
    if (calls) *calls = atomic_load(&crt_alloc_calls);
    return atomic_load(&crt_alloc_bytes);
}

/* 1 when a malloc call from the executable is counted (a probe through a pointer the compiler cannot
 * inline). */
static inline int crt_alloc_works(void)
{
    void *(*volatile m)(size_t) = malloc;
    crt_alloc_start();
    void *p = m(24);
    size_t calls, bytes = crt_alloc_stop(&calls);
    free(p);
    return calls == 1 && bytes == 24;
}
#endif

#endif
