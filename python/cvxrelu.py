"""cvxrelu from Python: numpy arrays in and out, over the C library libcvxrelu (ctypes, no compiled extension).

    import numpy as np, cvxrelu
    res = cvxrelu.solve(X, y, beta=0.1)          # the convex program, certified; res.W1 (d x m), res.w2 (m)
    f = cvxrelu.predict(res.W1, res.w2, X)       # f(theta; X) = sum_j (X w1_j)_+ w2_j
    net = cvxrelu.train(X, y, width=10, beta=0.1, iters=5000, lr=1e-2)
    tables = cvxrelu.read_run("results/convex")  # every CSV table of a run folder

The objective is the library's (docs/MATH.md, Objective scales): the loss is a sum over the samples, not a mean,
squared loss 1/2 ||f - y||^2, weight decay beta/2 (||W1||_F^2 + ||w2||^2), no bias term. Layouts: X is n x d, a
network is W1 (d x m, neuron j = column j) and w2 (m).

The library is looked for, first hit wins: the file named by the environment variable CVXRELU_LIB; build/ of the
source tree this file sits in (python/../build/libcvxrelu.so, after `make`); the library directory `make install`
put this module's library in; the dynamic loader's search path (libcvxrelu.so.0).
"""
import ctypes
import os

import numpy as np

__all__ = ["solve", "train", "predict", "read_table", "read_run", "read_summary", "library_path",
           "CvxreluError", "Solution", "Network"]

# Set by `make install` to the directory it installed libcvxrelu.so.0 into.
_INSTALLED_LIBDIR = None
_SONAME = "libcvxrelu.so.0"  # the ABI this module is written against


class CvxreluError(RuntimeError):
    """A failure reported by the library (its one-line message), or a solve that did not certify its gap."""


# ------------------------------------------------------------------------------------------ the C structures
# Mirrors of the library's structs, field for field (src/*.h). tests/python/test_cvxrelu.py compiles a C program
# that prints every offset and size and compares them with these: a header change that is not carried over here
# fails the test instead of corrupting memory.
_size_t = ctypes.c_size_t
_dptr = ctypes.POINTER(ctypes.c_double)


class _Err(ctypes.Structure):          # cr_err (err.h)
    _fields_ = [("msg", ctypes.c_char * 1024)]


class _Patterns(ctypes.Structure):     # cr_patterns (patterns.h)
    _fields_ = [("n", _size_t), ("words", _size_t), ("p", _size_t), ("cap", _size_t),
                ("bits", ctypes.POINTER(ctypes.c_uint64))]


class _ConvexSol(ctypes.Structure):    # cr_convex_sol (convex.h)
    _fields_ = [("p", _size_t), ("d", _size_t), ("U", _dptr), ("Up", _dptr)]


class _ConvexOpts(ctypes.Structure):   # cr_convex_opts (convex.h)
    _fields_ = [("tol", ctypes.c_double), ("max_iter", ctypes.c_long), ("max_seconds", ctypes.c_double),
                ("check_every", ctypes.c_long), ("warm_start", ctypes.c_int), ("method", ctypes.c_int),
                ("log", ctypes.c_void_p), ("log_ctx", ctypes.c_void_p)]   # log: a C callback, NULL from Python


class _ConvexInfo(ctypes.Structure):   # cr_convex_info (convex.h)
    _fields_ = [("status", ctypes.c_int), ("primal", ctypes.c_double), ("dual", ctypes.c_double),
                ("gap", ctypes.c_double), ("rel_gap", ctypes.c_double), ("gmax", ctypes.c_double),
                ("method", ctypes.c_int), ("iterations", ctypes.c_long), ("newton", ctypes.c_long),
                ("restarts", ctypes.c_long), ("polishes", ctypes.c_long), ("seconds", ctypes.c_double),
                ("cone_violation", ctypes.c_double), ("lipschitz", ctypes.c_double),
                ("smoothing", ctypes.c_double), ("sigma", ctypes.c_double), ("nnz", _size_t)]


class _Net(ctypes.Structure):          # cr_net (net.h)
    _fields_ = [("d", _size_t), ("m", _size_t), ("theta", _dptr), ("W1", _dptr), ("w2", _dptr)]


class _TrainOpts(ctypes.Structure):    # cr_train_opts (train.h)
    _fields_ = [("loss", ctypes.c_int), ("beta", ctypes.c_double), ("loss_weight", ctypes.c_double),
                ("iters", ctypes.c_long), ("batch", _size_t), ("schedule", ctypes.c_int), ("lr", ctypes.c_double),
                ("lr_factor", ctypes.c_double), ("lr_every", ctypes.c_long), ("lr_t0", ctypes.c_double),
                ("grad_tol", ctypes.c_double), ("log_every", ctypes.c_long), ("log", ctypes.c_void_p),
                ("log_ctx", ctypes.c_void_p)]


class _TrainInfo(ctypes.Structure):    # cr_train_info (train.h)
    _fields_ = [("iterations", ctypes.c_long), ("objective", ctypes.c_double), ("loss", ctypes.c_double),
                ("penalty", ctypes.c_double), ("norm2", ctypes.c_double), ("grad_norm", ctypes.c_double),
                ("status", ctypes.c_int), ("converged", ctypes.c_int), ("fail_iter", ctypes.c_long),
                ("seconds", ctypes.c_double)]


# C type name -> mirror, for the layout test.
_STRUCTS = {"cr_err": _Err, "cr_patterns": _Patterns, "cr_convex_sol": _ConvexSol, "cr_convex_opts": _ConvexOpts,
            "cr_convex_info": _ConvexInfo, "cr_net": _Net, "cr_train_opts": _TrainOpts,
            "cr_train_info": _TrainInfo}

_LOSSES = {"squared": 0, "logistic": 1, "hinge": 2}              # cr_loss_kind
_METHODS = {"auto": 0, "fista": 1, "ssnal": 2, "ipm": 3, "ssnal_cg": 4}  # cr_convex_method
_STATUS = {0: "converged", 1: "max_iter", 2: "time_limit", 3: "numerical"}  # cr_convex_status
_INITS = {"gaussian": 0, "balanced": 1}                          # cr_init_kind
_SCHEDULES = {"constant": 0, "step": 1, "inv": 2}                # cr_lr_kind

# ------------------------------------------------------------------------------------------------ loading

_lib = None
_lib_path = None


def _candidates():
    env = os.environ.get("CVXRELU_LIB")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    out = [os.path.normpath(os.path.join(here, os.pardir, "build", "libcvxrelu.so"))]
    if _INSTALLED_LIBDIR:
        out.append(os.path.join(_INSTALLED_LIBDIR, _SONAME))
    out.append(_SONAME)
    return out


def _declare(lib):
    P, c = ctypes.POINTER, ctypes
    sigs = {
        "cr_patterns_alloc": (P(_Patterns), [_size_t, _size_t]),
        "cr_patterns_free": (None, [P(_Patterns)]),
        "cr_patterns_add": (c.c_int, [P(_Patterns), P(c.c_uint64), P(_Err)]),
        "cr_patterns_enumerate": (c.c_int, [_dptr, _size_t, _size_t, P(P(_Patterns)), P(_Err)]),
        "cr_patterns_sample": (c.c_int, [_dptr, _size_t, _size_t, _size_t, c.c_void_p, P(P(_Patterns)), P(_Err)]),
        "cr_rng_stream": (c.c_void_p, [c.c_long, c.c_char_p]),
        "gsl_rng_free": (None, [c.c_void_p]),
        "cr_convex_sol_alloc": (P(_ConvexSol), [_size_t, _size_t]),
        "cr_convex_sol_free": (None, [P(_ConvexSol)]),
        "cr_convex_alloc": (c.c_void_p, [_size_t, _size_t, _size_t]),
        "cr_convex_free": (None, [c.c_void_p]),
        "cr_convex_opts_default": (None, [P(_ConvexOpts)]),
        "cr_convex_solve": (c.c_int, [c.c_void_p, _dptr, _dptr, _size_t, _size_t, P(_Patterns), c.c_int, c.c_double,
                                      P(_ConvexOpts), P(_ConvexSol), P(_ConvexInfo), P(_Err)]),
        "cr_convex_method_name": (c.c_char_p, [c.c_int]),
        "cr_convex_reduce_support": (c.c_int, [_dptr, _size_t, _size_t, P(_Patterns), P(_ConvexSol), P(_size_t),
                                                P(_Err)]),
        "cr_convex_to_network": (c.c_int, [P(_ConvexSol), _dptr, _dptr, _size_t, P(_size_t), P(_Err)]),
        "cr_net_alloc": (P(_Net), [_size_t, _size_t]),
        "cr_net_free": (None, [P(_Net)]),
        "cr_net_work_alloc": (c.c_void_p, [_size_t, _size_t, _size_t]),
        "cr_net_work_free": (None, [c.c_void_p]),
        "cr_net_forward": (c.c_int, [P(_Net), _dptr, _size_t, c.c_void_p, _dptr]),
        "cr_train_defaults": (None, [P(_TrainOpts)]),
        "cr_train_init": (c.c_int, [P(_Net), c.c_int, c.c_double, c.c_void_p, P(_Err)]),
        "cr_train_work_alloc": (c.c_void_p, [_size_t, _size_t, _size_t, _size_t]),
        "cr_train_work_free": (None, [c.c_void_p]),
        "cr_train_run": (c.c_int, [c.c_void_p, P(_Net), _dptr, _dptr, _size_t, P(_TrainOpts), c.c_void_p,
                                   P(_TrainInfo), P(_Err)]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args


def _load():
    global _lib, _lib_path
    if _lib is not None:
        return _lib
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append("%s (missing)" % path)
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
            continue
        _declare(lib)
        _lib, _lib_path = lib, path
        return lib
    raise OSError("cvxrelu: libcvxrelu not found; tried: " + "; ".join(tried) +
                  " (build it with `make`, or set CVXRELU_LIB to the library file)")


def library_path():
    """The file the library was loaded from."""
    _load()
    return _lib_path


# ------------------------------------------------------------------------------------------------ helpers

def _matrix(X, name):
    A = np.ascontiguousarray(X, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError("%s: expected a non-empty 2-D array, got shape %s" % (name, A.shape))
    if not np.all(np.isfinite(A)):
        raise ValueError("%s: not finite" % name)
    return A


def _vector(v, n, name):
    a = np.ascontiguousarray(v, dtype=np.float64).reshape(-1)
    if a.shape[0] != n:
        raise ValueError("%s: expected %d values, got %d" % (name, n, a.shape[0]))
    if not np.all(np.isfinite(a)):
        raise ValueError("%s: not finite" % name)
    return a


def _ptr(a):
    return a.ctypes.data_as(_dptr)


def _check_labels(y, loss):
    if loss in ("logistic", "hinge") and not np.all(np.abs(y) == 1.0):
        raise ValueError("y: the %s loss needs labels in {-1, +1}" % loss)


def _choice(table, value, name):
    if value not in table:
        raise ValueError("%s: expected one of %s, got %r" % (name, "|".join(table), value))
    return table[value]


def _fail(err, what):
    raise CvxreluError("%s: %s" % (what, err.msg.decode("utf-8", "replace")))


def _patterns_from_array(lib, masks, n):
    """A cr_patterns from a p x n 0/1 array (row i = pattern i, column k = sample k)."""
    M = np.asarray(masks)
    if M.ndim != 2 or M.shape[1] != n or M.shape[0] == 0:
        raise ValueError("patterns: expected a p x %d array of 0/1, got shape %s" % (n, M.shape))
    if not np.all((M == 0) | (M == 1)):
        raise ValueError("patterns: entries must be 0 or 1")
    P = lib.cr_patterns_alloc(n, M.shape[0])
    if not P:
        raise MemoryError("cvxrelu: patterns")
    words = (n + 63) // 64
    err = _Err()
    for row in M.astype(bool):
        w = np.zeros(words, dtype=np.uint64)
        for k in np.flatnonzero(row):
            w[k // 64] |= np.uint64(1) << np.uint64(k % 64)
        if lib.cr_patterns_add(P, w.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64)), ctypes.byref(err)):
            lib.cr_patterns_free(P)
            _fail(err, "patterns")
    return P


def _patterns_to_array(P):
    p, n, words = P.contents.p, P.contents.n, P.contents.words
    bits = np.ctypeslib.as_array(P.contents.bits, shape=(p * words,)).reshape(p, words) if p else \
        np.zeros((0, words), dtype=np.uint64)
    k = np.arange(n)
    return ((bits[:, k // 64] >> (k % 64).astype(np.uint64)) & np.uint64(1)).astype(bool)


# ------------------------------------------------------------------------------------------------ the API

class Solution:
    """The convex program's certified solution and the network it reconstructs.

    optimum   the objective at the returned point (p_convex once the gap is small)
    dual      the certified lower bound; gap = optimum - dual >= 0, rel_gap = gap / max(1, |optimum|)
    status    "converged" (rel_gap <= tol), "max_iter" or "time_limit"
    method    the method that produced the point ("ssnal", "ipm", "fista")
    W1, w2    the reconstructed network (d x m, m): its objective equals optimum
    patterns  the p x n boolean pattern matrix the program was solved over (row i = D_i's diagonal)
    U, Up     the convex point (p x d each), after support reduction when asked
    mstar     the number of neurons m; iterations, seconds: the solver's counts
    """

    def __repr__(self):
        return ("Solution(optimum=%.10g, gap=%.3g, status=%s, method=%s, neurons=%d, patterns=%d)" %
                (self.optimum, self.gap, self.status, self.method, self.w2.shape[0], self.patterns.shape[0]))


def solve(X, y, beta=0.1, loss="squared", patterns="exact", seed=1, tol=1e-8, max_iter=200000, max_seconds=0.0,
          method="auto", reduce=True):
    """Solves the convex program of the two-layer ReLU network with weight decay beta (docs/MATH.md, The convex
    program) over the arrangement patterns of X and returns a Solution with its certified gap.

    patterns: "exact" (every realizable pattern), an integer s (the patterns of s Gaussian directions drawn from
    the seed's "patterns" stream) or a p x n 0/1 array of your own. reduce: support reduction to at most n + 1
    neurons. For the logistic and hinge losses y must be in {-1, +1}. Raises CvxreluError when the library fails
    or stops without any certified point."""
    lib = _load()
    X = _matrix(X, "X")
    n, d = X.shape
    y = _vector(y, n, "y")
    if not (beta > 0 and np.isfinite(beta)):
        raise ValueError("beta: expected a number > 0, got %r" % beta)
    lk = _choice(_LOSSES, loss, "loss")
    _check_labels(y, loss)
    mk = _choice(_METHODS, method, "method")
    err = _Err()
    P = ctypes.POINTER(_Patterns)()
    rng = None
    work = sol = None
    try:
        if isinstance(patterns, str):
            if patterns != "exact":
                raise ValueError("patterns: expected \"exact\", a number of samples or an array, got %r" % patterns)
            if lib.cr_patterns_enumerate(_ptr(X), n, d, ctypes.byref(P), ctypes.byref(err)):
                _fail(err, "patterns")
        elif np.ndim(patterns) == 0:
            s = int(patterns)
            if s < 1:
                raise ValueError("patterns: expected a number of samples >= 1, got %r" % patterns)
            rng = lib.cr_rng_stream(int(seed), b"patterns")
            if not rng or lib.cr_patterns_sample(_ptr(X), n, d, s, rng, ctypes.byref(P), ctypes.byref(err)):
                _fail(err, "patterns")
        else:
            P = _patterns_from_array(lib, patterns, n)
        p = P.contents.p
        work = lib.cr_convex_alloc(n, d, p)
        sol = lib.cr_convex_sol_alloc(p, d)
        if not work or not sol:
            raise MemoryError("cvxrelu: convex workspace for n = %d, d = %d, p = %d" % (n, d, p))
        opts = _ConvexOpts()
        lib.cr_convex_opts_default(ctypes.byref(opts))
        opts.tol, opts.max_iter, opts.max_seconds, opts.method = float(tol), int(max_iter), float(max_seconds), mk
        info = _ConvexInfo()
        if lib.cr_convex_solve(work, _ptr(X), _ptr(y), n, d, P, lk, float(beta), ctypes.byref(opts), sol,
                               ctypes.byref(info), ctypes.byref(err)):
            _fail(err, "solve")
        mstar = _size_t(0)
        if reduce and lib.cr_convex_reduce_support(_ptr(X), n, d, P, sol, ctypes.byref(mstar), ctypes.byref(err)):
            _fail(err, "support reduction")
        m = _size_t(0)
        lib.cr_convex_to_network(sol, None, None, 0, ctypes.byref(m), ctypes.byref(err))  # sizes W1: m neurons
        m = m.value
        W1 = np.zeros((d, m))
        w2 = np.zeros(m)
        if m and lib.cr_convex_to_network(sol, _ptr(W1), _ptr(w2), m, ctypes.byref(_size_t(0)),
                                          ctypes.byref(err)):
            _fail(err, "reconstruction")
        r = Solution()
        r.optimum, r.dual, r.gap, r.rel_gap = info.primal, info.dual, info.gap, info.rel_gap
        r.status = _STATUS.get(info.status, str(info.status))
        r.method = lib.cr_convex_method_name(info.method).decode()
        r.iterations, r.seconds = info.iterations, info.seconds
        r.W1, r.w2, r.mstar = W1, w2, m
        r.patterns = _patterns_to_array(P)
        r.U = np.ctypeslib.as_array(sol.contents.U, shape=(p, d)).copy()
        r.Up = np.ctypeslib.as_array(sol.contents.Up, shape=(p, d)).copy()
        return r
    finally:
        lib.cr_convex_sol_free(sol)
        lib.cr_convex_free(work)
        if P:
            lib.cr_patterns_free(P)
        if rng:
            lib.gsl_rng_free(rng)


def _net_from(lib, W1, w2):
    W1 = _matrix(W1, "W1")
    d, m = W1.shape
    w2 = _vector(w2, m, "w2")
    net = lib.cr_net_alloc(d, m)
    if not net:
        raise MemoryError("cvxrelu: network d = %d, m = %d" % (d, m))
    ctypes.memmove(net.contents.W1, _ptr(W1), W1.nbytes)
    ctypes.memmove(net.contents.w2, _ptr(w2), w2.nbytes)
    return net


def _net_arrays(net):
    d, m = net.contents.d, net.contents.m
    return (np.ctypeslib.as_array(net.contents.W1, shape=(d, m)).copy(),
            np.ctypeslib.as_array(net.contents.w2, shape=(m,)).copy())


def predict(W1, w2, X):
    """The network's outputs f(theta; X) = sum_j (X w1_j)_+ w2_j for every row of X (n values)."""
    lib = _load()
    X = _matrix(X, "X")
    n = X.shape[0]
    net = _net_from(lib, W1, w2)
    work = None
    try:
        d, m = net.contents.d, net.contents.m
        if X.shape[1] != d:
            raise ValueError("X: expected %d columns (the rows of W1), got %d" % (d, X.shape[1]))
        work = lib.cr_net_work_alloc(n, d, m)
        if not work:
            raise MemoryError("cvxrelu: network workspace")
        f = np.zeros(n)
        if lib.cr_net_forward(net, _ptr(X), n, work, _ptr(f)):
            raise CvxreluError("predict: shape mismatch")
        return f
    finally:
        lib.cr_net_work_free(work)
        lib.cr_net_free(net)


class Network:
    """A trained network: W1 (d x m), w2 (m), and the values at the final iterate: objective = loss + penalty
    (loss = l(f, y), penalty = beta/2 ||theta||^2), grad_norm, iterations, converged (grad_tol reached)."""

    def __repr__(self):
        return ("Network(d=%d, m=%d, objective=%.10g, grad_norm=%.3g, iterations=%d)" %
                (self.W1.shape[0], self.W1.shape[1], self.objective, self.grad_norm, self.iterations))


def train(X, y, width=10, beta=0.1, loss="squared", iters=1000, lr=1e-3, init="gaussian", scale=0.1, seed=1,
          batch=0, schedule="constant", lr_factor=0.5, lr_every=1000, lr_t0=100.0, grad_tol=0.0):
    """Trains the two-layer ReLU network of `width` neurons on L = l(f, y) + beta/2 ||theta||^2 by gradient
    descent (batch = 0) or minibatch SGD (docs/MATH.md, Training) and returns a Network.

    init: "gaussian" (entries N(0, scale^2)), "balanced" (||w1_j|| = |w2_j| = scale), both drawn from the seed's
    "init" stream, or a pair (W1, w2) to start from (width is then W1's column count). SGD batches come from the
    seed's "order" stream. schedule: "constant", "step" (lr * lr_factor every lr_every steps) or "inv"
    (lr / (1 + t / lr_t0)). Raises CvxreluError on bad options or divergence (the iteration is named)."""
    lib = _load()
    X = _matrix(X, "X")
    n, d = X.shape
    y = _vector(y, n, "y")
    err = _Err()
    rngs = []
    net = work = None
    try:
        if isinstance(init, str):
            kind = _choice(_INITS, init, "init")
            net = lib.cr_net_alloc(d, int(width))
            if not net:
                raise ValueError("width: expected an integer >= 1, got %r" % width)
            rng = lib.cr_rng_stream(int(seed), b"init")
            rngs.append(rng)
            if not rng or lib.cr_train_init(net, kind, float(scale), rng, ctypes.byref(err)):
                _fail(err, "init")
        else:
            W1, w2 = init
            net = _net_from(lib, W1, w2)
            if net.contents.d != d:
                raise ValueError("init: W1 has %d rows, X %d columns" % (net.contents.d, d))
        m = net.contents.m
        o = _TrainOpts()
        lib.cr_train_defaults(ctypes.byref(o))
        o.loss = _choice(_LOSSES, loss, "loss")
        _check_labels(y, loss)
        o.beta, o.iters, o.batch = float(beta), int(iters), int(batch)
        o.schedule = _choice(_SCHEDULES, schedule, "schedule")
        o.lr, o.lr_factor, o.lr_every, o.lr_t0 = float(lr), float(lr_factor), int(lr_every), float(lr_t0)
        o.grad_tol = float(grad_tol)
        o.log_every = max(1, int(iters))
        work = lib.cr_train_work_alloc(n, d, m, int(batch))
        if not work:
            raise MemoryError("cvxrelu: training workspace")
        order = lib.cr_rng_stream(int(seed), b"order")
        rngs.append(order)
        info = _TrainInfo()
        if lib.cr_train_run(work, net, _ptr(X), _ptr(y), n, ctypes.byref(o), order, ctypes.byref(info),
                            ctypes.byref(err)):
            _fail(err, "train")
        r = Network()
        r.W1, r.w2 = _net_arrays(net)
        r.objective, r.loss, r.penalty = info.objective, info.loss, info.penalty
        r.grad_norm, r.iterations, r.converged = info.grad_norm, info.iterations, bool(info.converged)
        r.seconds = info.seconds
        return r
    finally:
        lib.cr_train_work_free(work)
        lib.cr_net_free(net)
        for g in rngs:
            if g:
                lib.gsl_rng_free(g)


# ------------------------------------------------------------------------------------------------ tables
# Pure Python: a run's CSV files (one header row, numbers in C locale) as numpy arrays. A column is numeric when
# every one of its cells is an unquoted number or empty (empty -> NaN; nan and inf as written); any other column is
# kept as strings: one with a quoted cell (e.g. a pattern "0011", whose leading zeros must stay), a cell with a
# leading zero (0011: the program never writes a number so) and the columns named `pattern` (the 0/1 strings of
# arrangement patterns, sample 1 first: 110 is a pattern, not a hundred and ten).
_STRING_COLUMNS = {"pattern"}

def _cells(text):
    """Rows of (value, quoted) pairs of a CSV text (RFC 4180: "" inside quotes is one quote)."""
    rows, row, cell, quoted, i, n = [], [], [], False, 0, len(text)
    at_start = True
    while i < n:
        ch = text[i]
        if at_start and ch == '"':
            quoted, at_start = True, False
            i += 1
            while i < n:
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        cell.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                cell.append(text[i])
                i += 1
            else:
                raise ValueError("unterminated quoted field")
            continue
        if ch == ',':
            row.append(("".join(cell), quoted))
            cell, quoted, at_start = [], False, True
        elif ch == '\n' or ch == '\r':
            row.append(("".join(cell), quoted))
            rows.append(row)
            row, cell, quoted, at_start = [], [], False, True
            if ch == '\r' and i + 1 < n and text[i + 1] == '\n':
                i += 1
        else:
            cell.append(ch)
            at_start = False
        i += 1
    if cell or quoted or row:
        row.append(("".join(cell), quoted))
        rows.append(row)
    return [r for r in rows if r != [("", False)]]


def _number(s):
    t = s.lstrip("+-")
    if len(t) > 1 and t[0] == "0" and t[1].isdigit():
        return None
    try:
        return float(s)
    except ValueError:
        return None


def read_table(path):
    """One CSV table as a dict {column name: numpy array}, in the file's column order."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = _cells(f.read())
    if not rows:
        raise ValueError("%s: empty file, expected a header row" % path)
    header = [c for c, _ in rows[0]]
    body = rows[1:]
    for k, r in enumerate(body):
        if len(r) != len(header):
            raise ValueError("%s:%d: %d cells, the header has %d" % (path, k + 2, len(r), len(header)))
    out = {}
    for j, name in enumerate(header):
        col = [r[j] for r in body]
        numeric = name not in _STRING_COLUMNS and all(not q and (v == "" or _number(v) is not None) for v, q in col)
        if numeric:
            out[name] = np.array([np.nan if v == "" else float(v) for v, _ in col], dtype=np.float64)
        else:
            out[name] = np.array([v for v, _ in col], dtype=str)
    return out


def read_summary(run_dir):
    """A run's summary.csv (key,value) as a dict: unquoted numbers as float, every other value as str."""
    path = os.path.join(run_dir, "summary.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = _cells(f.read())
    if not rows or [c for c, _ in rows[0]] != ["key", "value"]:
        raise ValueError("%s: expected the header key,value" % path)
    out = {}
    for k, r in enumerate(rows[1:]):
        if len(r) != 2:
            raise ValueError("%s:%d: %d cells, expected 2" % (path, k + 2, len(r)))
        (key, _), (v, q) = r
        x = None if q or v == "" else _number(v)
        out[key] = x if x is not None else v
    return out


def read_run(run_dir):
    """Every table (*.csv) of a run folder as {file name without .csv: read_table(...)}."""
    names = sorted(f for f in os.listdir(run_dir) if f.endswith(".csv"))
    if not names:
        raise ValueError("%s: no CSV table (not a run folder?)" % run_dir)
    return {f[:-4]: read_table(os.path.join(run_dir, f)) for f in names}
