"""Times one BicycleGAN training iteration in PyTorch, as `bicycle-vk bench` does.

    /usr/bin/python3 testdata/torchref/bench_iteration.py [--img_size 128] [--iters 5] [--warmup 1] [--json]

Same iteration as bicycle-vk: D step, G/E step (adversarial through D, KL, image L1),
latent L1 into G only, Adam for all four networks; batch 2 (one pair per half), default
widths, 2 threads. Prints median/min/max seconds per iteration, the convolution and linear
GFLOP PyTorch actually runs (forward hooks; each backward pass that a call needs counts
its forward's FLOPs again), and peak process memory (ru_maxrss) in the same fields as
`bicycle-vk bench --json`. Needs python3-torch; install libopenblas0-pthread so that
PyTorch's BLAS is OpenBLAS.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn

from bicyclegan_ref import Discriminator, Encoder, Generator

LR, BETAS = 2e-4, (0.5, 0.999)
LAMBDA_KL, LAMBDA_IMG, LAMBDA_Z = 0.01, 10.0, 0.5

flops = [0.0]


def count(module, inputs, output):
    x = inputs[0]
    if isinstance(module, nn.Conv2d):
        n, co, oh, ow = output.shape
        f = 2.0 * n * co * oh * ow * module.in_channels * module.kernel_size[0] * module.kernel_size[1]
    elif isinstance(module, nn.ConvTranspose2d):
        n, ci, h, w = x.shape
        f = 2.0 * n * ci * h * w * module.out_channels * module.kernel_size[0] * module.kernel_size[1]
    else:
        f = 2.0 * x.shape[0] * module.in_features * module.out_features
    passes = 1
    if torch.is_grad_enabled():
        passes += int(x.requires_grad) + int(module.weight.requires_grad)
    flops[0] += f * passes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--img_size", type=int, default=128)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    s, nz = a.img_size, 8
    G, E = Generator(s, nz, 64), Encoder(s, nz, 64)
    Dv, Dl = Discriminator(3, 64), Discriminator(3, 64)
    nets = [G, E, Dv, Dl]
    for m in nets:
        for mod in m.modules():
            if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                mod.register_forward_hook(count)
    opt = [torch.optim.Adam(m.parameters(), lr=LR, betas=BETAS) for m in nets]
    oG, oE, oDv, oDl = opt
    A1, B1, A2, B2 = (torch.rand(1, 3, s, s) * 2 - 1 for _ in range(4))
    mse = lambda x, t: torch.mean((x - t) ** 2)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def iteration():
        with torch.no_grad():
            mu, lv = E(B1)
            fv = G(A1, mu + torch.randn_like(mu) * torch.exp(lv / 2))
            fl = G(A2, torch.randn(1, nz))
        for o in opt:
            o.zero_grad()
        d = 0
        for D, real, fake in ((Dv, B1, fv), (Dl, B2, fl)):
            r1, r2 = D(real)
            f1, f2 = D(fake)
            d = d + mse(r1, 1) + mse(r2, 1) + mse(f1, 0) + mse(f2, 0)
        d.backward()
        oDv.step()
        oDl.step()
        for o in opt:
            o.zero_grad()
        mu, lv = E(B1)
        fv = G(A1, mu + torch.randn_like(mu) * torch.exp(lv / 2))
        z = torch.randn(1, nz)
        fl = G(A2, z)
        gan = sum(mse(x, 1) for x in Dv(fv) + Dl(fl))
        kl = torch.sum(0.5 * (mu ** 2 + torch.exp(lv) - lv - 1))
        eg = gan + LAMBDA_KL * kl + LAMBDA_IMG * torch.mean(torch.abs(fv - B1))
        eg.backward(retain_graph=True)
        mu2, _ = E(fl)
        zl = LAMBDA_Z * torch.mean(torch.abs(mu2 - z))
        gp = list(G.parameters())
        for p, g in zip(gp, torch.autograd.grad(zl, gp)):
            p.grad += g
        oE.step()
        oG.step()

    for _ in range(a.warmup):
        iteration()
    times = []
    for _ in range(a.iters):
        flops[0] = 0.0
        t0 = time.perf_counter()
        iteration()
        times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    med = statistics.median(times)
    res = {"device": f"PyTorch {torch.__version__} CPU, {a.threads} threads", "img_size": s, "iters": a.iters,
           "median_s": med, "min_s": min(times), "max_s": max(times), "gflop_per_iter": flops[0] / 1e9,
           "gflop_per_s": flops[0] / 1e9 / med, "peak_process_bytes": peak,
           "peak_process_bytes_before_first_iteration": rss_before,
           "blas": [l for l in torch.__config__.show().splitlines() if "BLAS" in l]}
    if a.json:
        print(json.dumps(res, indent=2))
    else:
        for k, v in res.items():
            print(f"{k:45s} {v}")


if __name__ == "__main__":
    main()
