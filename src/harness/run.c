/* A run's summary values, claims and sanity checks, written as summary.csv, claims.csv and sanity.csv (see run.h). */
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

typedef struct {
    char *key;
    int kind; /* 0 real, 1 int, 2 string, 3 none (written as an empty field) */
    double r;
    long long i;
    char *s;  /* kind 2 */
} summary_entry;

typedef struct {
    char *claim;
    double measured, expected, tol;
    int pass;
} claim_entry;

struct cr_run {
    char dir[CR_PATH_MAX];
    int quiet;
    summary_entry *sum;
    size_t nsum, capsum;
    summary_entry *tim; /* timings, kind 0 */
    size_t ntim, captim;
    claim_entry *claims;
    size_t nclaims, capclaims;
    size_t failed;
    claim_entry *sanity;
    size_t nsanity, capsanity;
    size_t sanity_failed;
    int oom;
};

cr_run *cr_run_alloc(const char *dir, int quiet)
{
    cr_run *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    r->quiet = quiet;
    return r;
}

void cr_run_free(cr_run *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nsum; i++) {
        free(r->sum[i].key);
        free(r->sum[i].s);
    }
    for (size_t i = 0; i < r->nclaims; i++) free(r->claims[i].claim);
    for (size_t i = 0; i < r->nsanity; i++) free(r->sanity[i].claim);
    free(r->sanity);
    for (size_t i = 0; i < r->ntim; i++) free(r->tim[i].key);
    free(r->tim);
    free(r->sum);
    free(r->claims);
    free(r);
}

const char *cr_run_dir(const cr_run *r) { return r->dir; }
int cr_run_quiet(const cr_run *r) { return r->quiet; }

static summary_entry *entry(cr_run *r, const char *key)
{
    for (size_t i = 0; i < r->nsum; i++)
        if (strcmp(r->sum[i].key, key) == 0) return &r->sum[i];
    if (r->nsum == r->capsum) {
        size_t cap = r->capsum ? 2 * r->capsum : 16;
        summary_entry *s = realloc(r->sum, cap * sizeof *s);
        if (!s) {
            r->oom = 1;
            return NULL;
        }
        r->sum = s;
        r->capsum = cap;
    }
    summary_entry *e = &r->sum[r->nsum];
    memset(e, 0, sizeof *e);
    if (!(e->key = strdup(key))) {
        r->oom = 1;
        return NULL;
    }
    r->nsum++;
    return e;
}

void cr_run_summary_real(cr_run *r, const char *key, double v)
{
    summary_entry *e = entry(r, key);
    if (e) free(e->s), e->s = NULL, e->kind = 0, e->r = v;
}

void cr_run_summary_int(cr_run *r, const char *key, long long v)
{
    summary_entry *e = entry(r, key);
    if (e) free(e->s), e->s = NULL, e->kind = 1, e->i = v;
}

void cr_run_summary_str(cr_run *r, const char *key, const char *v)
{
    summary_entry *e = entry(r, key);
    if (!e) return;
    char *copy = strdup(v);
    if (!copy) {
        r->oom = 1;
        return;
    }
    free(e->s);
    e->kind = 2;
    e->s = copy;
}

void cr_run_summary_none(cr_run *r, const char *key)
{
    summary_entry *e = entry(r, key);
    if (e) free(e->s), e->s = NULL, e->kind = 3;
}

void cr_run_timing(cr_run *r, const char *key, double seconds)
{
    for (size_t i = 0; i < r->ntim; i++)
        if (strcmp(r->tim[i].key, key) == 0) {
            r->tim[i].r = seconds;
            return;
        }
    if (r->ntim == r->captim) {
        size_t cap = r->captim ? 2 * r->captim : 8;
        summary_entry *t = realloc(r->tim, cap * sizeof *t);
        if (!t) {
            r->oom = 1;
            return;
        }
        r->tim = t;
        r->captim = cap;
    }
    summary_entry *e = &r->tim[r->ntim];
    memset(e, 0, sizeof *e);
    if (!(e->key = strdup(key))) {
        r->oom = 1;
        return;
    }
    e->r = seconds;
    r->ntim++;
}

size_t cr_run_ntimings(const cr_run *r) { return r->ntim; }
const char *cr_run_timing_key(const cr_run *r, size_t i) { return r->tim[i].key; }
double cr_run_timing_value(const cr_run *r, size_t i) { return r->tim[i].r; }

/* Appends a row (claim or sanity check) to *rows; returns whether it passes, 0 when it cannot be recorded. */
static int record(cr_run *r, claim_entry **rows, size_t *nrows, size_t *caprows, size_t *failed, const char *text,
                  double measured, double expected, double tol, cr_claim_cmp cmp)
{
    int pass = 0;
    if (isfinite(measured) && isfinite(expected)) {
        switch (cmp) {
        case CR_CLAIM_ABS: pass = fabs(measured - expected) <= tol; break;
        case CR_CLAIM_REL: pass = fabs(measured - expected) <= tol * fmax(1.0, fabs(expected)); break;
        case CR_CLAIM_LE: pass = measured <= expected + tol; break;
        case CR_CLAIM_GE: pass = measured >= expected - tol; break;
        }
    }
    if (*nrows == *caprows) {
        size_t cap = *caprows ? 2 * *caprows : 16;
        claim_entry *c = realloc(*rows, cap * sizeof *c);
        if (!c) {
            r->oom = 1;
            (*failed)++;
            return 0;
        }
        *rows = c;
        *caprows = cap;
    }
    claim_entry *c = &(*rows)[*nrows];
    if (!(c->claim = strdup(text))) {
        r->oom = 1;
        (*failed)++;
        return 0;
    }
    (*nrows)++;
    c->measured = measured;
    c->expected = expected;
    c->tol = tol;
    c->pass = pass;
    if (!pass) (*failed)++;
    return pass;
}

int cr_run_claim(cr_run *r, const char *claim, double measured, double expected, double tol, cr_claim_cmp cmp)
{
    return record(r, &r->claims, &r->nclaims, &r->capclaims, &r->failed, claim, measured, expected, tol, cmp);
}

int cr_run_sanity(cr_run *r, const char *check, double measured, double expected, double tol, cr_claim_cmp cmp)
{
    return record(r, &r->sanity, &r->nsanity, &r->capsanity, &r->sanity_failed, check, measured, expected, tol, cmp);
}

size_t cr_run_sanity_count(const cr_run *r) { return r->nsanity; }
size_t cr_run_sanity_failed(const cr_run *r) { return r->sanity_failed; }
const char *cr_run_sanity_text(const cr_run *r, size_t i) { return r->sanity[i].claim; }
int cr_run_sanity_passed(const cr_run *r, size_t i) { return r->sanity[i].pass; }

size_t cr_run_claims_failed(const cr_run *r) { return r->failed; }

void cr_run_fail_claims(cr_run *r)
{
    for (size_t i = 0; i < r->nclaims; i++) {
        if (r->claims[i].pass) r->failed++;
        r->claims[i].pass = 0;
    }
}
size_t cr_run_claims_count(const cr_run *r) { return r->nclaims; }
const char *cr_run_claim_text(const cr_run *r, size_t i) { return r->claims[i].claim; }
int cr_run_claim_passed(const cr_run *r, size_t i) { return r->claims[i].pass; }

cr_csv *cr_run_table(cr_run *r, const char *name, const char *header, cr_err *err)
{
    return cr_csv_open(r->dir, name, header, err);
}

static void real_or_text(cr_csv *c, double v)
{
    if (isfinite(v)) cr_csv_real(c, v);
    else cr_csv_str(c, isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
}

/* One table of claims or sanity checks. */
static int write_rows(const char *dir, const char *name, const char *header, const claim_entry *rows, size_t n,
                      cr_err *err)
{
    cr_csv *c = cr_csv_open(dir, name, header, err);
    if (!c) return CR_ERUNTIME;
    for (size_t i = 0; i < n; i++) {
        const claim_entry *e = &rows[i];
        cr_csv_str(c, e->claim);
        /* A non-finite number in a claim fails it; it is recorded as text (nan, inf, -inf) so the table
         * stays whole and readable. */
        real_or_text(c, e->measured);
        real_or_text(c, e->expected);
        real_or_text(c, e->tol);
        cr_csv_str(c, e->pass ? "PASS" : "FAIL");
        cr_csv_endrow(c);
    }
    return cr_csv_close(c, err);
}

int cr_run_finish(cr_run *r, cr_err *err)
{
    if (r->oom) return cr_err_set(err, CR_ERUNTIME, "out of memory recording the summary");
    cr_csv *c = cr_csv_open(r->dir, "summary.csv", "key,value", err);
    if (!c) return CR_ERUNTIME;
    for (size_t i = 0; i < r->nsum; i++) {
        cr_csv_str(c, r->sum[i].key);
        if (r->sum[i].kind == 0) cr_csv_real(c, r->sum[i].r);
        else if (r->sum[i].kind == 1) cr_csv_int(c, r->sum[i].i);
        else if (r->sum[i].kind == 2) cr_csv_str(c, r->sum[i].s);
        else cr_csv_str(c, "");
        cr_csv_endrow(c);
    }
    int st = cr_csv_close(c, err);
    if (st) return st;
    if ((st = write_rows(r->dir, "claims.csv", "claim,measured,expected,tolerance,pass", r->claims, r->nclaims, err)))
        return st;
    return write_rows(r->dir, "sanity.csv", "claim,measured,expected,tolerance,pass", r->sanity, r->nsanity, err);
}
