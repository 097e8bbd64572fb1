"""PyTorch reference for bench/bench_train.c: full-batch gradient descent on the two-layer ReLU network
f = relu(X W1) w2, float64 on the CPU, the same step as the C trainer (forward, loss, autograd backward,
in-place update theta <- theta - LR grad) for one of two models:
  squared   1/2 ||f - y||^2 + BETA/2 ||theta||^2; y ~ N(0, 1); every entry of W1 and w2 ~ N(0, SCALE^2).
  logistic  sum_i log(1 + exp(t_i)), t_i = -y_i f_i, + BETA/2 ||theta||^2 (bench_train passes BETA = 0), evaluated
            stably as logaddexp(0, t_i) = max(0, t_i) + log1p(exp(-|t_i|)), the C trainer's formula (loss.c); its
            gradient -y_i sigmoid(t_i) never overflows. y = +-1, the sign (+1 at 0) of a planted network
            sum_j (x'u_j)_+ a_j, 5 neurons, u_j ~ N(0, I/D), a = (+1, -1, +1, -1, +1). Balanced initialization:
            w1_j = SCALE * a uniform unit vector, w2_j = +-SCALE with a fair sign.
X ~ N(0, 1) in both. Prints one line: `steps_per_sec SECONDS_PER_STEP ITERS OBJECTIVE`: the best of 3 timed loops
of ITERS steps each, every loop from the same initial point (reset outside the timing), ITERS calibrated (after
one warm-up step, on the steps of a tenth of SECONDS) so that a loop takes about SECONDS; OBJECTIVE is the one
the last step differentiated, a check that the run stayed finite and descended.
Usage: torch_train.py N D M THREADS SECONDS LOSS LR BETA SCALE   (LOSS: squared | logistic)
Exit status 3 (and a SKIP line) when torch cannot be imported or the run diverges; 2 on bad arguments.
"""
import sys
import time


def main():
    if len(sys.argv) != 10 or sys.argv[6] not in ("squared", "logistic"):
        print("usage: torch_train.py N D M THREADS SECONDS LOSS LR BETA SCALE  (LOSS: squared | logistic)",
              flush=True)
        return 2
    n, d, m, threads = (int(a) for a in sys.argv[1:5])
    target = float(sys.argv[5])
    loss = sys.argv[6]
    lr, beta, scale = (float(a) for a in sys.argv[7:10])
    try:
        import torch
    except ImportError as exc:  # Debian package python3-torch missing
        print(f"SKIP: cannot import torch ({exc}); install Debian's python3-torch", flush=True)
        return 3
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    dt = torch.float64
    X = torch.randn(n, d, dtype=dt)
    if loss == "squared":
        y = torch.randn(n, dtype=dt)
        W1_0 = scale * torch.randn(d, m, dtype=dt)
        w2_0 = scale * torch.randn(m, dtype=dt)
    else:
        U = torch.randn(d, 5, dtype=dt) / d**0.5
        a = torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0], dtype=dt)
        y = torch.where(torch.relu(X @ U) @ a < 0, -1.0, 1.0).to(dt)
        W1_0 = torch.randn(d, m, dtype=dt)
        W1_0 = scale * W1_0 / W1_0.norm(dim=0)
        w2_0 = scale * (2.0 * (torch.rand(m, dtype=dt) < 0.5).to(dt) - 1.0)
    W1 = W1_0.clone().requires_grad_()
    w2 = w2_0.clone().requires_grad_()
    zero = torch.zeros((), dtype=dt)

    def step():
        f = torch.relu(X @ W1) @ w2
        if loss == "squared":
            obj = 0.5 * (f - y).square().sum()
        else:
            obj = torch.logaddexp(zero, -y * f).sum()
        if beta != 0.0:
            obj = obj + 0.5 * beta * (W1.square().sum() + w2.square().sum())
        obj.backward()
        with torch.no_grad():
            W1.sub_(lr * W1.grad)
            w2.sub_(lr * w2.grad)
            W1.grad = None
            w2.grad = None
        return obj

    def reset():
        with torch.no_grad():
            W1.copy_(W1_0)
            w2.copy_(w2_0)

    step()  # warm-up: thread pools, allocator
    # Calibration on a tenth of the target (at least 2 steps): one step alone, still warming up, would give far
    # too few iterations and timed loops much shorter than SECONDS.
    k, t0 = 0, time.perf_counter()
    while k < 2 or time.perf_counter() - t0 < 0.1 * target:
        step()
        k += 1
    iters = max(3, int(target * k / max(time.perf_counter() - t0, 1e-7)))
    sec = float("inf")
    for _ in range(3):  # best of 3, as the C side, each from the initial point
        reset()
        t0 = time.perf_counter()
        for _ in range(iters):
            obj = step()
        sec = min(sec, time.perf_counter() - t0)
    if not torch.isfinite(obj):
        print("SKIP: torch run diverged", flush=True)
        return 3
    print(f"{iters / sec:.6g} {sec / iters:.6g} {iters} {obj.item():.6g}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
