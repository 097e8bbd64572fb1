/* Data sets: the generators (see data.h). */
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "rng.h"

cr_data *cr_data_alloc(size_t n, size_t d)
{
    cr_data *D = calloc(1, sizeof *D);
    if (!D) return NULL;
    D->n = n;
    D->d = d;
    size_t nd = n * d;
    D->X = calloc(nd ? nd : 1, sizeof(double));
    D->y = calloc(n ? n : 1, sizeof(double));
    if (!D->X || !D->y) {
        cr_data_free(D);
        return NULL;
    }
    return D;
}

void cr_data_free(cr_data *D)
{
    if (!D) return;
    cr_data_free(D->test);
    free(D->mean);
    free(D->scale);
    free(D->X);
    free(D->y);
    free(D);
}

cr_data *cr_data_slide(void)
{
    static const double X[] = {3, 3, 2, 2, 1, 0};
    static const double y[] = {1, -1, 1};
    cr_data *D = cr_data_alloc(3, 2);
    if (!D) return NULL;
    memcpy(D->X, X, sizeof X);
    memcpy(D->y, y, sizeof y);
    return D;
}

int cr_data_gaussian(size_t n, size_t d, size_t planted_width, double noise, cr_labels_kind labels, gsl_rng *rng,
                     cr_data **out, cr_err *err)
{
    cr_data *D = cr_data_alloc(n, d);
    if (labels == CR_LABELS_LINEAR) planted_width = 1;
    double *W = malloc(planted_width * d * sizeof *W);
    if (!D || !W) {
        cr_data_free(D);
        free(W);
        return cr_err_set(err, CR_ERUNTIME, "out of memory for %zu x %zu data", n, d);
    }
    for (size_t i = 0; i < n * d; i++) D->X[i] = gsl_ran_gaussian(rng, 1.0);
    const double sd = 1.0 / sqrt((double)d);
    for (size_t i = 0; i < planted_width * d; i++) W[i] = gsl_ran_gaussian(rng, sd);
    for (size_t i = 0; i < n && labels == CR_LABELS_LINEAR; i++) {
        double f = 0.0;
        for (size_t k = 0; k < d; k++) f += D->X[i * d + k] * W[k];
        D->y[i] = f >= 0 ? 1.0 : -1.0;
    }
    for (size_t i = 0; i < n && labels != CR_LABELS_LINEAR; i++) {
        double f = 0.0;
        for (size_t j = 0; j < planted_width; j++) {
            double h = 0.0;
            for (size_t k = 0; k < d; k++) h += D->X[i * d + k] * W[j * d + k];
            f += (h > 0 ? h : 0.0) * ((j % 2 == 0) ? 1.0 : -1.0);
        }
        f += noise > 0 ? gsl_ran_gaussian(rng, noise) : 0.0;
        D->y[i] = labels == CR_LABELS_SIGN ? (f >= 0 ? 1.0 : -1.0) : f;
    }
    free(W);
    *out = D;
    return CR_OK;
}

/* A unit vector uniformly distributed on the sphere in R^d. */
static void random_unit(gsl_rng *rng, size_t d, double *v)
{
    double nrm;
    do {
        nrm = 0.0;
        for (size_t k = 0; k < d; k++) {
            v[k] = gsl_ran_gaussian(rng, 1.0);
            nrm += v[k] * v[k];
        }
    } while (nrm < 1e-20);
    nrm = sqrt(nrm);
    for (size_t k = 0; k < d; k++) v[k] /= nrm;
}

/* A unit vector orthogonal to the unit vector c (d >= 2). */
static void random_orthogonal(gsl_rng *rng, size_t d, const double *c, double *q)
{
    double nrm;
    do {
        random_unit(rng, d, q);
        double dot = 0.0;
        for (size_t k = 0; k < d; k++) dot += q[k] * c[k];
        nrm = 0.0;
        for (size_t k = 0; k < d; k++) {
            q[k] -= dot * c[k];
            nrm += q[k] * q[k];
        }
    } while (nrm < 1e-12);
    nrm = sqrt(nrm);
    for (size_t k = 0; k < d; k++) q[k] /= nrm;
}

int cr_data_orthsep(size_t n, size_t d, double cone_deg, double between_deg, gsl_rng *rng, cr_data **out,
                    cr_err *err)
{
    if (n < 2 || cone_deg < 0 || cone_deg >= 45 || between_deg < 90 + 2 * cone_deg || between_deg > 180 ||
        (d == 1 && between_deg != 180))
        return cr_err_set(err, CR_EINPUT, "orthsep: infeasible parameters n = %zu, d = %zu, cone %g, between %g",
                          n, d, cone_deg, between_deg);
    cr_data *D = cr_data_alloc(n, d);
    double *buf = malloc(4 * d * sizeof *buf);
    if (!D || !buf) {
        cr_data_free(D);
        free(buf);
        return cr_err_set(err, CR_ERUNTIME, "out of memory for %zu x %zu data", n, d);
    }
    double *cp = buf, *cm = buf + d, *q = buf + 2 * d, *w = buf + 3 * d;
    const double deg = M_PI / 180.0;
    /* Centres in the canonical frame, c+ = e1 and c- in the (e1, e2) plane, with cos(phi) computed as
     * sin(90 - phi) so that phi = 90 gives an exact 0: at the boundary between_deg = 90 + 2 cone_deg the
     * cross inner products are then <= 0 without rounding (the problem is rotation invariant). */
    memset(buf, 0, 4 * d * sizeof *buf);
    cp[0] = 1.0;
    if (d == 1) {
        cm[0] = -1.0;
    } else {
        cm[0] = sin((90.0 - between_deg) * deg);
        cm[1] = cos((90.0 - between_deg) * deg);
    }
    for (size_t i = 0; i < n; i++) {
        /* Alternating classes: both present for n >= 2, balanced within one. */
        const double label = (i % 2 == 0) ? 1.0 : -1.0;
        const double *c = label > 0 ? cp : cm;
        double theta = gsl_rng_uniform(rng) * cone_deg * deg; /* in [0, cone): strictly inside the cone */
        double norm = 0.5 + gsl_rng_uniform(rng);
        if (d == 1) {
            w[0] = c[0];
        } else {
            random_orthogonal(rng, d, c, q);
            for (size_t k = 0; k < d; k++) w[k] = cos(theta) * c[k] + sin(theta) * q[k];
        }
        for (size_t k = 0; k < d; k++) D->X[i * d + k] = norm * w[k];
        D->y[i] = label;
    }
    free(buf);
    size_t bi, bk;
    if (!cr_data_orthsep_check(D, &bi, &bk)) {
        cr_data_free(D);
        return cr_err_set(err, CR_ERUNTIME,
                          "orthsep: generated samples %zu and %zu violate orthogonal separability (rounding at the "
                          "boundary between_deg = 90 + 2 cone_deg; widen the gap)",
                          bi + 1, bk + 1);
    }
    *out = D;
    return CR_OK;
}

int cr_data_orthsep_check(const cr_data *D, size_t *bad_i, size_t *bad_k)
{
    for (size_t i = 0; i < D->n; i++) {
        for (size_t k = i + 1; k < D->n; k++) {
            double dot = 0.0;
            for (size_t j = 0; j < D->d; j++) dot += D->X[i * D->d + j] * D->X[k * D->d + j];
            int same = D->y[i] == D->y[k];
            if ((same && !(dot > 0)) || (!same && !(dot <= 0))) {
                if (bad_i) *bad_i = i;
                if (bad_k) *bad_k = k;
                return 0;
            }
        }
    }
    return 1;
}

/* ------------------------------------------------------- real-data transforms */

static int in_list(double v, const long *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v == (double)a[i]) return 1;
    return 0;
}

int cr_data_class_sign(double label, const long *neg, size_t nneg, const long *pos, size_t npos)
{
    if (in_list(label, neg, nneg)) return -1;
    return in_list(label, pos, npos) ? 1 : 0;
}

size_t cr_data_keep_classes(cr_data *D, const long *neg, size_t nneg, const long *pos, size_t npos)
{
    size_t k = 0;
    for (size_t i = 0; i < D->n; i++) {
        int s = cr_data_class_sign(D->y[i], neg, nneg, pos, npos);
        if (!s) continue;
        if (k != i) memmove(D->X + k * D->d, D->X + i * D->d, D->d * sizeof(double));
        D->y[k++] = s;
    }
    D->n = k;
    return k;
}

/* X (n x d) times G (d x k) into a new n x k array; NULL when out of memory. */
static double *times(const double *X, size_t n, size_t d, const double *G, size_t k)
{
    double *Z = calloc(n * k > 0 ? n * k : 1, sizeof *Z);
    if (!Z) return NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            const double x = X[i * d + j];
            if (x == 0.0) continue; /* images are mostly zeros */
            for (size_t c = 0; c < k; c++) Z[i * k + c] += x * G[j * k + c];
        }
    return Z;
}

int cr_data_project(cr_data *D, size_t k, gsl_rng *rng, cr_err *err)
{
    double *G = malloc((D->d * k > 0 ? D->d * k : 1) * sizeof *G);
    if (!G) return cr_err_set(err, CR_ERUNTIME, "out of memory");
    const double sd = 1.0 / sqrt((double)k);
    for (size_t i = 0; i < D->d * k; i++) G[i] = gsl_ran_gaussian_ziggurat(rng, sd);
    double *Z = times(D->X, D->n, D->d, G, k);
    double *Zt = D->test && Z ? times(D->test->X, D->test->n, D->test->d, G, k) : NULL;
    free(G);
    if (!Z || (D->test && !Zt)) {
        free(Z);
        free(Zt);
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    free(D->X);
    D->X = Z;
    D->d = k;
    if (D->test) {
        free(D->test->X);
        D->test->X = Zt;
        D->test->d = k;
    }
    return CR_OK;
}

void cr_data_standardize_apply(cr_data *D, const double *mean, const double *scale)
{
    for (size_t j = 0; j < D->d; j++) {
        for (size_t i = 0; i < D->n; i++) D->X[i * D->d + j] = (D->X[i * D->d + j] - mean[j]) / scale[j];
        for (size_t i = 0; D->test && i < D->test->n; i++)
            D->test->X[i * D->d + j] = (D->test->X[i * D->d + j] - mean[j]) / scale[j];
    }
}

int cr_data_standardize(cr_data *D, cr_err *err)
{
    double *mu = malloc((D->d ? D->d : 1) * sizeof *mu), *sc = malloc((D->d ? D->d : 1) * sizeof *sc);
    if (!mu || !sc) {
        free(mu);
        free(sc);
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    for (size_t j = 0; j < D->d; j++) {
        double mean = 0.0, ss = 0.0;
        for (size_t i = 0; i < D->n; i++) mean += D->X[i * D->d + j];
        mean /= (double)(D->n ? D->n : 1);
        for (size_t i = 0; i < D->n; i++) {
            const double c = D->X[i * D->d + j] - mean;
            ss += c * c;
        }
        double sd = sqrt(ss / (double)(D->n ? D->n : 1));
        if (!(sd > 0.0)) sd = 1.0;
        mu[j] = mean;
        sc[j] = sd;
    }
    cr_data_standardize_apply(D, mu, sc);
    free(D->mean);
    free(D->scale);
    D->mean = mu;
    D->scale = sc;
    D->d_std = D->d;
    return CR_OK;
}

/* X with the column c appended: a new n x (d + 1) array; NULL when out of memory. */
static double *with_bias(const double *X, size_t n, size_t d, double c)
{
    double *Z = malloc((n ? n : 1) * (d + 1) * sizeof *Z);
    if (!Z) return NULL;
    for (size_t i = 0; i < n; i++) {
        memcpy(Z + i * (d + 1), X + i * d, d * sizeof *Z);
        Z[i * (d + 1) + d] = c;
    }
    return Z;
}

int cr_data_append_bias(cr_data *D, double c, cr_err *err)
{
    double *Z = with_bias(D->X, D->n, D->d, c);
    double *Zt = D->test && Z ? with_bias(D->test->X, D->test->n, D->test->d, c) : NULL;
    if (!Z || (D->test && !Zt)) {
        free(Z);
        free(Zt);
        return cr_err_set(err, CR_ERUNTIME, "out of memory");
    }
    free(D->X);
    D->X = Z;
    D->d++;
    if (D->test) {
        free(D->test->X);
        D->test->X = Zt;
        D->test->d++;
    }
    return CR_OK;
}
