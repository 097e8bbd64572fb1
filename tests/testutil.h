/* Helpers shared by the cmocka tests: temporary folders, running the program and the Python oracle,
 * reading files. Header-only so every test binary stays one translation unit. */
#ifndef CR_TESTUTIL_H
#define CR_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef CR_SOURCE_DIR
#define CR_SOURCE_DIR "."
#endif

/* A fresh folder under $TMPDIR (or /tmp); buf must hold 256 bytes. */
static inline void crt_tmpdir(char *buf)
{
    const char *t = getenv("TMPDIR");
    snprintf(buf, 256, "%s/cvxrelu-test-XXXXXX", t && *t ? t : "/tmp");
    assert_non_null(mkdtemp(buf));
}

/* rm -rf of a folder made by crt_tmpdir. */
static inline void crt_rmtree(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static inline int crt_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Whole file into a malloc'ed NUL-terminated buffer (NULL if unreadable); *len gets the size if not NULL. */
static inline char *crt_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    size_t k;
    while (b && (k = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (cap - n - 1 == 0) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) { free(b); b = NULL; }
            else b = nb;
        }
    }
    fclose(f);
    if (!b) return NULL;
    b[n] = 0;
    if (len) *len = n;
    return b;
}

/* Runs a shell command, capturing stdout+stderr (as the shell redirects them) into a malloc'ed string.
 * Returns the exit status (or -1). */
static inline int crt_sh(const char *cmd, char **output)
{
    char full[8192];
    snprintf(full, sizeof full, "( %s ) 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p) return -1;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    size_t k;
    while (b && (k = fread(b + n, 1, cap - n - 1, p)) > 0) {
        n += k;
        if (cap - n - 1 == 0) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) { free(b); b = NULL; }
            else b = nb;
        }
    }
    if (b) b[n] = 0;
    int st = pclose(p);
    if (output) *output = b;
    else free(b);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The program under test: $CR_PROG (set by make test) or build/cvxrelu. */
static inline const char *crt_prog(void)
{
    const char *p = getenv("CR_PROG");
    return p && *p ? p : CR_SOURCE_DIR "/build/cvxrelu";
}

/* Debian's python3 with numpy, scipy and cvxopt: the independent oracle. */
#define CRT_PYTHON "/usr/bin/python3"

#endif
