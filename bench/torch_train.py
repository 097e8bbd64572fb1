"""PyTorch reference for bench/bench_train.c: full-batch gradient descent on the two-layer ReLU network,
float64 on the CPU, squared loss 1/2 ||f - y||^2 + beta/2 ||theta||^2, the same step as the C trainer
(forward, autograd backward, in-place update). Prints one line: `steps_per_sec SECONDS_PER_STEP ITERS`,
the best of 3 timed loops of ITERS steps each, ITERS calibrated so that a loop takes about SECONDS.
Usage: torch_train.py N D M THREADS SECONDS. Exit status 3 (and a SKIP line) when torch cannot be imported.
"""
import sys
import time


def main():
    n, d, m, threads = (int(a) for a in sys.argv[1:5])
    target = float(sys.argv[5])
    try:
        import torch
    except ImportError as exc:  # Debian package python3-torch missing
        print(f"SKIP: cannot import torch ({exc}); install Debian's python3-torch", flush=True)
        return 3
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    dt = torch.float64
    X = torch.randn(n, d, dtype=dt)
    y = torch.randn(n, dtype=dt)
    W1 = (torch.randn(d, m, dtype=dt) / d**0.5).requires_grad_()
    w2 = (torch.randn(m, dtype=dt) / m**0.5).requires_grad_()
    beta, lr = 1e-3, 1e-7

    def step():
        f = torch.relu(X @ W1) @ w2
        obj = 0.5 * (f - y).square().sum() + 0.5 * beta * (W1.square().sum() + w2.square().sum())
        obj.backward()
        with torch.no_grad():
            W1.sub_(lr * W1.grad)
            w2.sub_(lr * w2.grad)
            W1.grad = None
            w2.grad = None
        return obj

    step()  # warm-up: thread pools, allocator
    t0 = time.perf_counter()
    step()
    iters = max(3, int(target / max(time.perf_counter() - t0, 1e-7)))
    sec = float("inf")
    for _ in range(3):  # best of 3, as the C side
        t0 = time.perf_counter()
        for _ in range(iters):
            obj = step()
        sec = min(sec, time.perf_counter() - t0)
    if not torch.isfinite(obj):
        print("SKIP: torch run diverged", flush=True)
        return 3
    print(f"{iters / sec:.6g} {sec / iters:.6g} {iters}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
