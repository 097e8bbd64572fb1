/* libFuzzer target for the config loader (src/harness/config.c): the input is YAML text, optionally followed by a
 * line "@@set" and then one `--set` assignment per line (an empty line is an empty assignment) ('@' cannot start a YAML plain scalar, so the
 * separator never cuts a valid config). The YAML goes to a memfd and cr_config_load reads it by path.
 * Properties, any violation aborts: the status is CR_OK or CR_EINPUT; a rejection has a non-empty one-line
 * message (err.h: "one line, no trailing newline"); an accepted config dumps (cr_config_dump) to YAML that
 * loads again to the same dump. ASan/UBSan/LSan and libFuzzer's -timeout catch crashes, leaks and hangs.
 * FUZZ_SKIP=oneline,roundtrip (environment) switches properties off to fuzz past a known bug. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "err.h"

#define SEPARATOR "\n@@set\n"
#define MAX_SETS 128 /* as src/harness/main.c */

static int yaml_fd = -1, dump_fd = -1;
static char yaml_path[64], dump_path[64];
static int check_oneline = 1, check_roundtrip = 1;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_config: PROPERTY VIOLATED: %s\n%s\n", what, detail ? detail : "");
    abort();
}

static int memfd(const char *name, char *path, size_t cap)
{
    int fd = memfd_create(name, 0);
    if (fd < 0) {
        perror("memfd_create");
        exit(1);
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

/* Replaces the memfd's contents with bytes. */
static void refill(int fd, const void *bytes, size_t len)
{
    if (ftruncate(fd, 0) != 0 || (len && pwrite(fd, bytes, len, 0) != (ssize_t)len)) {
        perror("memfd write");
        exit(1);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    yaml_fd = memfd("fuzz_config.yaml", yaml_path, sizeof yaml_path);
    dump_fd = memfd("fuzz_config_dump.yaml", dump_path, sizeof dump_path);
    const char *skip = getenv("FUZZ_SKIP");
    if (skip && strstr(skip, "oneline")) check_oneline = 0;
    if (skip && strstr(skip, "roundtrip")) check_roundtrip = 0;
    return 0;
}

static void check_rejection(int st, const cr_err *err, const char *stage)
{
    char detail[sizeof err->msg + 64];
    if (st != CR_EINPUT) {
        snprintf(detail, sizeof detail, "%s: status %d, message \"%s\"", stage, st, err->msg);
        die("a rejected config must give CR_EINPUT", detail);
    }
    if (memchr(err->msg, 0, sizeof err->msg) == NULL) die("message not NUL-terminated", stage);
    if (err->msg[0] == 0) die("a rejected config must have a non-empty message", stage);
    if (check_oneline && strpbrk(err->msg, "\n\r")) {
        snprintf(detail, sizeof detail, "%s: \"%s\"", stage, err->msg);
        die("the message must be one line (err.h)", detail);
    }
}

/* The dump without its first line (a comment naming the file, which differs between the two loads). */
static const char *body(const char *dump)
{
    const char *nl = strchr(dump, '\n');
    return nl ? nl + 1 : dump;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Split YAML | sets. The set lines are C strings, as argv entries are: a NUL ends one early. */
    size_t ylen = size;
    const uint8_t *sep = memmem(data, size, SEPARATOR, strlen(SEPARATOR));
    char *setbuf = NULL;
    const char *sets[MAX_SETS];
    size_t nset = 0;
    if (sep) {
        ylen = (size_t)(sep - data) + 1; /* keep the newline that ends the YAML */
        size_t off = (size_t)(sep - data) + strlen(SEPARATOR);
        setbuf = malloc(size - off + 1);
        if (!setbuf) return 0;
        memcpy(setbuf, data + off, size - off);
        setbuf[size - off] = 0;
        for (char *s = setbuf; s && nset < MAX_SETS;) {
            char *nl = memchr(s, '\n', (size_t)(setbuf + (size - off) - s));
            if (nl) *nl = 0;
            sets[nset++] = s;
            s = nl && nl + 1 < setbuf + (size - off) ? nl + 1 : NULL; /* a final newline ends the last line */
        }
    }
    refill(yaml_fd, data, ylen);

    static cr_config cfg, again;
    cr_err err;
    memset(&err, 0, sizeof err);
    int st = cr_config_load(yaml_path, sets, nset, &cfg, &err);
    free(setbuf);
    if (st != CR_OK) {
        check_rejection(st, &err, "load");
        return 0;
    }
    if (!check_roundtrip) return 0;

    /* Accepted: the resolved dump (what a run writes as config.yaml) must load to the same config. */
    char *dump = cr_config_dump(&cfg);
    if (!dump) die("cr_config_dump returned NULL", NULL);
    refill(dump_fd, dump, strlen(dump));
    memset(&err, 0, sizeof err);
    st = cr_config_load(dump_path, NULL, 0, &again, &err);
    if (st != CR_OK) {
        size_t cap = strlen(dump) + sizeof err.msg + 64;
        char *detail = malloc(cap);
        if (detail) snprintf(detail, cap, "reload: %s\n--- dump\n%s", err.msg, dump);
        die("the resolved dump of an accepted config does not load", detail);
    }
    char *dump2 = cr_config_dump(&again);
    if (!dump2) die("cr_config_dump returned NULL", NULL);
    if (strcmp(body(dump), body(dump2)) != 0) {
        size_t cap = strlen(dump) + strlen(dump2) + 64;
        char *detail = malloc(cap);
        if (detail) snprintf(detail, cap, "--- first dump\n%s--- reloaded dump\n%s", dump, dump2);
        die("the resolved dump does not reload to the same config", detail);
    }
    free(dump);
    free(dump2);
    return 0;
}
