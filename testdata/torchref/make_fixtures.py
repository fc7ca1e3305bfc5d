"""Writes the PyTorch parity fixtures that bicycle-vk's TorchParity tests load.

    /usr/bin/python3 testdata/torchref/make_fixtures.py     (from the repository root)

Needs Debian's python3-torch (and numpy). Fixtures are safetensors files in
testdata/torchref/; the tests never need PyTorch.
"""
import json
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

from bicyclegan_ref import Discriminator, Encoder, Generator, synth_init, synth_uniform

HERE = os.path.dirname(os.path.abspath(__file__))

LR, BETAS, ADAM_EPS = 2e-4, (0.5, 0.999), 1e-8
LAMBDA_KL, LAMBDA_IMG, LAMBDA_Z = 0.01, 10.0, 0.5


def save(path, tensors, meta):
    """Minimal safetensors writer (float32, little-endian), tensors in the given order."""
    header, off, blobs = {"__metadata__": {k: str(v) for k, v in meta.items()}}, 0, []
    for name, t in tensors.items():
        a = t.detach().cpu().contiguous().numpy().astype("<f4")
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def synth_tensor(name, shape, normal=False):
    """Inputs: U(-1,1) images; N(0,1)-like noise from a Box-Muller of two synthetic streams."""
    n = int(np.prod(shape))
    if normal:
        u1 = (synth_uniform(name + ".u1", n) + 1) / 2 * (1 - 1e-7) + 1e-7
        u2 = (synth_uniform(name + ".u2", n) + 1) / 2
        v = np.sqrt(-2 * np.log(u1)) * np.cos(2 * np.pi * u2)
    else:
        v = synth_uniform(name, n)
    return torch.tensor(v.astype(np.float32).reshape(shape))


def build(cfg):
    G = Generator(cfg["img_size"], cfg["nz"], cfg["ngf"])
    E = Encoder(cfg["img_size"], cfg["nz"], cfg["nef"])
    din = 6 if cfg["conditional_D"] else 3
    D_vae, D_lr = Discriminator(din, cfg["ndf"]), Discriminator(din, cfg["ndf"])
    nets = {"G": G, "E": E, "D_cVAE": D_vae, "D_cLR": D_lr}
    for k, m in nets.items():
        synth_init(m, k + "/")
    return nets


def mse(x, t):
    return F.mse_loss(x, torch.full_like(x, t))


def train_fixture(name, cfg, pairs):
    torch.manual_seed(0)
    nets = build(cfg)
    G, E, D_vae, D_lr = nets["G"], nets["E"], nets["D_cVAE"], nets["D_cLR"]
    s, nz = cfg["img_size"], cfg["nz"]
    inp = {k: synth_tensor(f"{name}/in/{k}", (pairs, 3, s, s)) for k in ("A1", "B1", "A2", "B2")}
    noise = {k: synth_tensor(f"{name}/noise/{k}", (pairs, nz), normal=True) for k in ("epsD", "zD", "epsG", "zG")}
    A1, B1, A2, B2 = inp["A1"], inp["B1"], inp["A2"], inp["B2"]
    dcat = (lambda a, b: torch.cat([a, b], 1)) if cfg["conditional_D"] else (lambda a, b: b)
    out = {}

    # Forward at the initial weights.
    with torch.no_grad():
        out["fwd/G"] = G(A1, noise["zD"])
        mu, lv = E(B1)
        out["fwd/mu"], out["fwd/logvar"] = mu, lv
        s1, s2 = D_vae(dcat(A1, B1))
        out["fwd/D_cVAE.s1"], out["fwd/D_cVAE.s2"] = s1, s2

    opt = {k: torch.optim.Adam(m.parameters(), lr=LR, betas=BETAS, eps=ADAM_EPS) for k, m in nets.items()}

    # 1. D step.
    with torch.no_grad():
        mu, lv = E(B1)
        fake_vae = G(A1, mu + noise["epsD"] * torch.exp(lv / 2))
        fake_lr = G(A2, noise["zD"])
    for m in nets.values():
        m.zero_grad()
    d_loss = 0
    for D, a, real, fake in ((D_vae, A1, B1, fake_vae), (D_lr, A2, B2, fake_lr)):
        r1, r2 = D(dcat(a, real))
        f1, f2 = D(dcat(a, fake))
        d_loss = d_loss + mse(r1, 1) + mse(r2, 1) + mse(f1, 0) + mse(f2, 0)
    d_loss.backward()
    for k in ("D_cVAE", "D_cLR"):
        for pn, p in nets[k].named_parameters():
            out[f"grad/{k}/{pn}"] = p.grad.clone()
        opt[k].step()

    # 2. G and E step with fresh noise, through D (whose weights do not change).
    for m in nets.values():
        m.zero_grad()
    mu, lv = E(B1)
    fake_vae = G(A1, mu + noise["epsG"] * torch.exp(lv / 2))
    fake_lr = G(A2, noise["zG"])
    gan = 0
    for D, a, fake in ((D_vae, A1, fake_vae), (D_lr, A2, fake_lr)):
        f1, f2 = D(dcat(a, fake))
        gan = gan + mse(f1, 1) + mse(f2, 1)
    kl = torch.sum(0.5 * (mu ** 2 + torch.exp(lv) - lv - 1))
    img = torch.mean(torch.abs(fake_vae - B1))
    eg_loss = gan + LAMBDA_KL * kl + LAMBDA_IMG * img
    eg_loss.backward(retain_graph=True)
    # 3. Latent reconstruction: its gradient goes to G only (joint step, as the spec says).
    mu2, _ = E(fake_lr)
    z_loss = torch.mean(torch.abs(mu2 - noise["zG"]))
    g_params = list(G.parameters())
    z_grads = torch.autograd.grad(LAMBDA_Z * z_loss, g_params)
    for p, zg in zip(g_params, z_grads):
        p.grad += zg
    for k in ("G", "E"):
        for pn, p in nets[k].named_parameters():
            out[f"grad/{k}/{pn}"] = p.grad.clone()
    opt["E"].step()
    opt["G"].step()

    out["loss/D"] = d_loss.detach().reshape(1)
    out["loss/GAN"] = gan.detach().reshape(1)
    out["loss/KL"] = (LAMBDA_KL * kl).detach().reshape(1)
    out["loss/Img"] = (LAMBDA_IMG * img).detach().reshape(1)
    out["loss/Z"] = (LAMBDA_Z * z_loss).detach().reshape(1)
    for k, m in nets.items():
        for pn, p in m.named_parameters():
            out[f"after/{k}/{pn}"] = p.detach().clone()
    meta = dict(cfg, pairs=pairs, lr=LR, beta1=BETAS[0], beta2=BETAS[1],
                lambda_kl=LAMBDA_KL, lambda_img=LAMBDA_IMG, lambda_z=LAMBDA_Z, torch=torch.__version__)
    save(os.path.join(HERE, name + ".safetensors"), out, meta)
    print(f"{name}: losses D {d_loss.item():.6f} GAN {gan.item():.6f} KL {LAMBDA_KL * kl.item():.6f} "
          f"img {LAMBDA_IMG * img.item():.6f} z {LAMBDA_Z * z_loss.item():.6f}")


def forward_fixture(name, cfg):
    """One forward of G, E and D at the full size: weights and inputs are synthetic
    (reproduced in Go), so only the outputs are stored."""
    nets = build(cfg)
    s, nz = cfg["img_size"], cfg["nz"]
    A = synth_tensor(f"{name}/in/A", (1, 3, s, s))
    B = synth_tensor(f"{name}/in/B", (1, 3, s, s))
    z = synth_tensor(f"{name}/in/z", (1, nz), normal=True)
    with torch.no_grad():
        out = {"fwd/G": nets["G"](A, z)}
        out["fwd/mu"], out["fwd/logvar"] = nets["E"](B)
        out["fwd/D_cVAE.s1"], out["fwd/D_cVAE.s2"] = nets["D_cVAE"](B)
    save(os.path.join(HERE, name + ".safetensors"), out, dict(cfg, torch=torch.__version__))
    print(f"{name}: G out mean {out['fwd/G'].mean().item():.6f}, mu {out['fwd/mu'].flatten()[:3].tolist()}")


if __name__ == "__main__":
    torch.set_num_threads(2)
    torch.set_default_dtype(torch.float32)
    train_fixture("train32", dict(img_size=32, nz=8, ngf=8, nef=8, ndf=8, conditional_D=False), pairs=1)
    train_fixture("train64_cond", dict(img_size=64, nz=4, ngf=4, nef=4, ndf=4, conditional_D=True), pairs=2)
    forward_fixture("forward128", dict(img_size=128, nz=8, ngf=64, nef=64, ndf=64, conditional_D=False))
