/* Memory estimate and guard (see memlimit.h). */
#include "memlimit.h"

#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convex.h"
#include "convex_ipm.h"
#include "maxmargin.h"
#include "patterns.h"

long cr_limits_default_mb(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || size <= 0) return 4096;
    return (long)((double)pages * (double)size / 2.0 / 1048576.0);
}

/* Patterns of n samples in rank <= d: at most 2^n and at most Cover's bound (docs/MATH.md). */
static double pattern_bound(size_t n, size_t d)
{
    size_t r = d < n ? d : n;
    double cover = n >= 2 ? cr_patterns_cover_bound(n, r) : 2.0;
    double all = n < 1000 ? pow(2.0, (double)n) : INFINITY;
    return fmin(cover, all) + 1;
}

/* Patterns a pattern file (patterns.method file) can hold for n samples: a pattern takes at least n bytes of it,
 * and deflate expands at most 1032-fold (a gzip file); INFINITY when the file cannot be looked at. */
static double file_pattern_bound(const char *path, size_t n)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    unsigned char m[2] = {0, 0};
    int ok = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
    int gz = ok && pread(fd, m, 2, 0) == 2 && m[0] == 0x1f && m[1] == 0x8b;
    if (fd >= 0) close(fd);
    if (!ok) return INFINITY;
    return (double)sb.st_size * (gz ? 1032.0 : 1.0) / (double)(n ? n : 1) + 1;
}

/* Which solver workspace an experiment allocates over its pattern set. */
typedef enum { WS_NONE, WS_CONVEX, WS_MAXMARGIN } workspace;

/* Bytes of the solver workspace over p patterns, from the allocators' own counts (convex.h, convex_ipm.h,
 * maxmargin.h): the regularized solver with the interior-point method it may add, or the max-margin solver.
 * A pattern count beyond what a workspace could ever be sized for is infinite. */
static double solver_bytes(workspace ws, size_t n, size_t d, double p)
{
    if (ws == WS_NONE) return 0.0;
    if (!(p < 1e9)) return INFINITY;
    size_t pp = (size_t)p;
    if (ws == WS_MAXMARGIN) return (double)cr_mm_work_bytes(n, d, pp);
    return (double)cr_convex_work_bytes(n, d, pp) + (double)cr_convex_ipm_work_bytes(n, d, pp);
}

/* The pattern set (mask plus hash slots per pattern) and the solver workspace over it, for p patterns. */
static double patterns_bytes(size_t n, size_t d, workspace ws, double p)
{
    double per = (double)((n + 63) / 64) * 8.0 + 24.0;
    return p * per + solver_bytes(ws, n, d, p);
}

double cr_limits_estimate(const cr_config *cfg, size_t n, size_t d)
{
    const cr_exp_id e = cfg->experiment;
    double bytes = 16.0 * (double)n * (double)d;
    if (e == CR_EXP_ARRANGEMENT_COUNT) {
        double worst = 0;
        for (size_t i = 0; i < cfg->count.n.len; i++)
            for (size_t j = 0; j < cfg->count.d.len; j++) {
                size_t ni = (size_t)cfg->count.n.v[i], dj = (size_t)cfg->count.d.v[j];
                worst = fmax(worst, patterns_bytes(ni, dj, WS_NONE, pattern_bound(ni, dj)));
            }
        return bytes + 2 * worst;
    }
    if (e == CR_EXP_LANDSCAPE) return 3.0 * 8.0 * (double)cfg->landscape.grid * (double)cfg->landscape.grid;
    /* CR_EXP_NONE is `cvxrelu fit` (config.h): a gradient-descent network alone needs no patterns. */
    if (e != CR_EXP_LINEAR_MARGIN && !(e == CR_EXP_NONE && cfg->fit.model == CR_CONFIG_FIT_GD)) {
        /* arrangements and alignment keep a pattern set and no solver workspace over it. */
        workspace ws = (e == CR_EXP_ARRANGEMENTS || e == CR_EXP_ALIGNMENT) ? WS_NONE
                       : (e == CR_EXP_MAXMARGIN || e == CR_EXP_SEPARABLE || e == CR_EXP_GEOMETRY) ? WS_MAXMARGIN
                                                                                                 : WS_CONVEX;
        double p = pattern_bound(n, d);
        if (cfg->patterns.method == CR_CONFIG_PATTERNS_SAMPLE) p = fmin(p, (double)cfg->patterns.samples + 1);
        if (cfg->patterns.method == CR_CONFIG_PATTERNS_FILE) p = fmin(p, file_pattern_bound(cfg->patterns.path, n));
        bytes += 2 * patterns_bytes(n, d, ws, p); /* the full set and a subsampled or mapped-back copy */
    }
    /* Training: pre-activations, outputs and gradients, a few n x m and d x m arrays (generalization: its widest). */
    double width = (double)cfg->train.width;
    if (e == CR_EXP_GENERALIZATION)
        for (size_t i = 0; i < cfg->generalization.widths.len; i++)
            width = fmax(width, (double)cfg->generalization.widths.v[i]);
    bytes += 8.0 * (6.0 * (double)n * width + 4.0 * (double)d * width);
    return bytes;
}

int cr_limits_check(const cr_config *cfg, size_t n, size_t d, cr_err *err)
{
    double mb = cr_limits_estimate(cfg, n, d) / 1048576.0;
    if (!(mb > (double)cfg->limits.memory_mb)) return CR_OK;
    if (n == 0)
        return cr_err_set(err, CR_EINPUT,
                          "%s: estimated memory %.3g MiB exceeds limits.memory_mb = %ld; reduce the problem or raise "
                          "the limit", cfg->file, mb, cfg->limits.memory_mb);
    return cr_err_set(err, CR_EINPUT,
                      "%s: estimated memory %.3g MiB (n = %zu, d = %zu, up to %.3g patterns) exceeds "
                      "limits.memory_mb = %ld; reduce the problem or raise the limit",
                      cfg->file, mb, n, d, pattern_bound(n, d), cfg->limits.memory_mb);
}

double cr_limits_config_estimate(const cr_config *cfg)
{
    if (cfg->data.kind == CR_CONFIG_DATA_CSV) return NAN;
    int slide = cfg->data.kind == CR_CONFIG_DATA_SLIDE;
    return cr_limits_estimate(cfg, slide ? 3 : (size_t)cfg->data.n, slide ? 2 : (size_t)cfg->data.d);
}

int cr_limits_check_config(const cr_config *cfg, cr_err *err)
{
    if (cfg->data.kind == CR_CONFIG_DATA_CSV || cfg->data.kind == CR_CONFIG_DATA_IDX) return CR_OK; /* d unknown */
    int slide = cfg->data.kind == CR_CONFIG_DATA_SLIDE;
    return cr_limits_check(cfg, slide ? 3 : (size_t)cfg->data.n, slide ? 2 : (size_t)cfg->data.d, err);
}
