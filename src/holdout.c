/* Held-out split and active neurons (holdout.h). */
#include "holdout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

int cr_data_holdout(cr_data *D, size_t n_test, gsl_rng *rng, cr_err *err)
{
    if (D->test) return cr_err_set(err, CR_EINPUT, "the data set already has a test set");
    if (n_test < 1 || n_test >= D->n)
        return cr_err_set(err, CR_EINPUT, "a held-out set of %zu of %zu samples leaves no test or no training set",
                          n_test, D->n);
    const size_t n = D->n, d = D->d, n_train = n - n_test;
    size_t *all = malloc(n * sizeof *all), *pick = malloc(n_test * sizeof *pick);
    cr_data *T = cr_data_alloc(n_test, d), *R = cr_data_alloc(n_train, d);
    if (!all || !pick || !T || !R) {
        free(all);
        free(pick);
        cr_data_free(T);
        cr_data_free(R);
        return cr_err_set(err, CR_ERUNTIME, "out of memory for a held-out set of %zu samples", n_test);
    }
    for (size_t i = 0; i < n; i++) all[i] = i;
    gsl_ran_choose(rng, pick, n_test, all, n, sizeof *all); /* ascending, as all is */
    size_t t = 0, r = 0;
    for (size_t i = 0; i < n; i++) {
        cr_data *S = (t < n_test && pick[t] == i) ? T : R;
        size_t *k = S == T ? &t : &r;
        memcpy(S->X + *k * d, D->X + i * d, d * sizeof *D->X);
        S->y[*k] = D->y[i];
        (*k)++;
    }
    /* R's arrays replace D's; D keeps its own struct (callers hold it). */
    free(D->X);
    free(D->y);
    D->X = R->X;
    D->y = R->y;
    D->n = n_train;
    R->X = R->y = NULL;
    R->test = NULL;
    cr_data_free(R);
    D->test = T;
    free(all);
    free(pick);
    return CR_OK;
}

/* ||w1_j|| |w2_j|, column j of the row-major d x m matrix W1. */
static double contribution(const cr_net *net, size_t j)
{
    double s = 0;
    for (size_t k = 0; k < net->d; k++) s += net->W1[k * net->m + j] * net->W1[k * net->m + j];
    return sqrt(s) * fabs(net->w2[j]);
}

size_t cr_net_active(const cr_net *net, double rel)
{
    if (!net) return 0;
    double big = 0;
    for (size_t j = 0; j < net->m; j++) big = fmax(big, contribution(net, j));
    size_t count = 0;
    if (big > 0)
        for (size_t j = 0; j < net->m; j++) count += contribution(net, j) > rel * big;
    return count;
}
