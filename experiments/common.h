/* Orchestration shared by the drivers of the regularized problems: patterns from the config, the convex
 * solve with support reduction, and one training run of the nonconvex network. No numerics of its own:
 * it only wires src/ modules together the same way for every driver. */
#ifndef CR_EXP_COMMON_H
#define CR_EXP_COMMON_H

#include "config.h"
#include "convex.h"
#include "data.h"
#include "maxmargin.h"
#include "net.h"
#include "patterns.h"
#include "run.h"
#include "train.h"

/* The patterns the config asks for (patterns.method: exact, sample with the "patterns" stream, or the file
 * patterns.path). */
int cr_exp_patterns(const cr_config *cfg, const cr_data *D, cr_patterns **out, cr_err *err);

/* Solver options from the config's solver section. */
void cr_exp_solver_opts(const cr_config *cfg, cr_convex_opts *o);

/* Solves the convex program over P (loss, beta of the config); a solve that does not reach solver.tol or
 * fails numerically is a runtime failure (never a result). *sol allocated here; info filled. Shows the
 * solve as cfg->cli says: its iteration log on stderr (verbose), else a progress bar on a terminal (not
 * quiet; progress.h). */
int cr_exp_convex_solve(const cr_config *cfg, const cr_data *D, const cr_patterns *P, cr_convex_sol **sol,
                        cr_convex_info *info, cr_err *err);

/* The max-margin program P* over P at solver.tol (cr_mm_solve, lam may be NULL). CR_ERUNTIME naming `what`
 * unless it converged, so an unconverged value is never written as a result; an infeasible P (patterns that
 * cannot separate the data) comes back as cr_mm_solve returns it, CR_EINPUT with status CR_MM_INFEASIBLE. */
int cr_exp_mm_solve(const cr_config *cfg, cr_mm_work *w, const cr_data *D, const cr_patterns *P, double *U,
                    double *Up, double *lam, cr_mm_info *info, const char *what, cr_err *err);

/* A trained network as a point of the convex program over P plus the network's own patterns (appended to a copy of P
 * when missing; docs/MATH.md, Back from a network): its convex objective into *obj, its prediction into z (n, may be
 * NULL). */
int cr_exp_map_back(const cr_config *cfg, const cr_data *D, const cr_patterns *P, const cr_net *net, double *obj,
                    double *z, cr_err *err);

/* Trainer options from the config's train section (loss, beta of the config). */
void cr_exp_train_opts(const cr_config *cfg, cr_train_opts *o);

/* Allocates a network of width m, initializes it from the stream "init/<seed>" and trains it with the config's
 * options (order stream "order/<seed>" for SGD); log/ctx as in cr_train_opts. *net allocated here. */
int cr_exp_train(const cr_config *cfg, const cr_data *D, size_t m, long seed, cr_train_log_fn log, void *ctx,
                 cr_net **net, cr_train_info *info, cr_err *err);

/* Called once per trained network of a width sweep: method 0 (gradient descent, "gd") or 1 (SGD, "sgd"), cfg the
 * config with train.batch set for that method, width m, seed s. A nonzero return stops the sweep. */
typedef int (*cr_exp_network_fn)(void *ctx, const cr_config *cfg, int method, const char *mname, size_t m, long s,
                                 cr_err *err);

/* The sweep of the width experiments: gradient descent (full batch whatever train.batch says) and, when
 * width_sweep.sgd_batch > 0, minibatch SGD on that many rows beside it (the same initializations), at every width
 * m = 1..maxw and seed s = 1..train.seeds, in that order, with a progress line titled `what`. An error is prefixed
 * with the method, width and seed. */
int cr_exp_each_network(const cr_config *cfg, cr_run *run, const char *what, size_t maxw, cr_exp_network_fn fn,
                        void *ctx, cr_err *err);

/* Closes the k tables t[0..k-1] in order; after the first failure the rest are aborted (their temporaries removed).
 * Every t[i] is NULL afterwards. */
int cr_exp_close_tables(cr_csv **t, size_t k, cr_err *err);

/* The summary lines every driver of the regularized problem starts with: loss, p, p_convex and the certified gap. */
void cr_exp_summary_convex(cr_run *run, const cr_config *cfg, const cr_patterns *P, double p_convex, double gap);

/* A pattern mask (n bits, patterns.h layout) as its CSV cell: n characters '0'/'1', sample 1 first, as in
 * patterns.csv. buf is scratch of n + 1 bytes. Patterns travel as masks; this is the only place they become text. */
void cr_exp_csv_mask(cr_csv *c, const uint64_t *mask, size_t n, char *buf);

/* The tables that let an independent solver recheck every reported P*, P_sub and p_sub (docs/MATH.md):
 * patterns_used.csv, columns run,quantity,value,pattern: one row per pattern of the set the value was computed
 * over, the pattern as a quoted 0/1 string (sample 1 first, data order), the value repeated on each row; and
 * samples.csv, columns run,sample,label,x: the data each run used, x as a quoted string of d numbers (cr_csv_format_real,
 * space-separated). `run` is the experiment's own run id. Open with cr_exp_patterns_used_open /
 * cr_exp_samples_open (NULL with err set on failure) and close with cr_csv_close. */
cr_csv *cr_exp_patterns_used_open(cr_run *run, cr_err *err);
void cr_exp_patterns_used_add(cr_csv *t, long run_id, const char *quantity, double value, const cr_patterns *P);
/* The pattern cell of patterns_used.csv, for any table that lists patterns: pattern i of P as a quoted 0/1 string
 * (sample 1 first); buf is scratch of P->n + 1 bytes. */
void cr_exp_patterns_used_pattern(cr_csv *t, const cr_patterns *P, size_t i, char *buf);
cr_csv *cr_exp_samples_open(cr_run *run, cr_err *err);
/* Returns CR_ERUNTIME on an allocation failure. */
int cr_exp_samples_add(cr_csv *t, long run_id, const cr_data *D, cr_err *err);

/* The pictures' geometry for n = d = 2: circle.csv (u on the unit circle, the ellipse z = Xu and its
 * rectification (Xu)_+) and lines.csv (the directions of the lines x_i'u = 0). */
int cr_exp_write_circle(cr_run *run, const cr_data *D, cr_err *err);

#endif
