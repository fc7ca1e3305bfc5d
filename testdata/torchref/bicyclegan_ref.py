"""BicycleGAN in PyTorch, written independently from ../../shared/design/bicyclegan.md.

This is the reference the Go/Vulkan implementation is checked against. It is a
test tool only: bicycle-vk never imports or runs it. Module and parameter names
are the state_dict names the spec prescribes, so weight files are interchangeable.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LRELU = 0.2
IN_EPS = 1e-5


class ConvBlock(nn.Module):
    """conv_block / deconv_block: Conv (or ConvT), optional IN, optional activation."""

    def __init__(self, ci, co, k, s, p, transposed=False, norm=True, act=None, name="conv_block"):
        super().__init__()
        conv = nn.ConvTranspose2d(ci, co, k, s, p) if transposed else nn.Conv2d(ci, co, k, s, p)
        layers = [conv]
        if norm:
            layers.append(nn.InstanceNorm2d(co, affine=True, eps=IN_EPS))
        if act == "lrelu":
            layers.append(nn.LeakyReLU(LRELU))
        elif act == "relu":
            layers.append(nn.ReLU())
        elif act == "tanh":
            layers.append(nn.Tanh())
        setattr(self, name, nn.Sequential(*layers))
        self._name = name

    def forward(self, x):
        return getattr(self, self._name)(x)


class Generator(nn.Module):
    """U-Net with z tiled and concatenated to the input only."""

    def __init__(self, img_size=128, nz=8, ngf=64):
        super().__init__()
        L = int(math.log2(img_size))
        self.L = L
        ch = [3 + nz] + [ngf * min(2 ** (k - 1), 8) for k in range(1, L + 1)]
        for k in range(1, L + 1):
            norm = 1 < k < L
            setattr(self, f"downsample_{k}", ConvBlock(ch[k - 1], ch[k], 4, 2, 1, norm=norm, act="lrelu"))
        for k in range(1, L + 1):
            ci = ch[L] if k == 1 else 2 * ch[L - k + 1]
            last = k == L
            co = 3 if last else ch[L - k]
            setattr(self, f"upsample_{k}", ConvBlock(ci, co, 4, 2, 1, transposed=True, norm=not last,
                                                     act="tanh" if last else "relu", name="deconv_block"))

    def forward(self, a, z):
        n, _, h, w = a.shape
        x = torch.cat([a, z.view(n, -1, 1, 1).expand(n, z.shape[1], h, w)], 1)
        skips = []
        for k in range(1, self.L + 1):
            x = getattr(self, f"downsample_{k}")(x)
            skips.append(x)
        for k in range(1, self.L + 1):
            if k > 1:
                x = torch.cat([x, skips[self.L - k]], 1)
            x = getattr(self, f"upsample_{k}")(x)
        return x


class ResBlock(nn.Module):
    def __init__(self, ci, co):
        super().__init__()
        self.conv = nn.Sequential(
            nn.InstanceNorm2d(ci, affine=True, eps=IN_EPS), nn.LeakyReLU(LRELU), nn.Conv2d(ci, ci, 3, 1, 1),
            nn.InstanceNorm2d(ci, affine=True, eps=IN_EPS), nn.LeakyReLU(LRELU), nn.Conv2d(ci, co, 3, 1, 1),
            nn.AvgPool2d(2))
        self.short_cut = nn.Sequential(nn.AvgPool2d(2), nn.Conv2d(ci, co, 1, 1, 0))

    def forward(self, x):
        return self.conv(x) + self.short_cut(x)


class Encoder(nn.Module):
    """E_ResNet: B -> (mu, logvar)."""

    def __init__(self, img_size=128, nz=8, nef=64):
        super().__init__()
        self.conv = nn.Conv2d(3, nef, 4, 2, 1)
        widths = [nef, 2 * nef, 3 * nef, 4 * nef]
        s = img_size
        while s > 128:
            widths.append(4 * nef)
            s //= 2
        self.res_blocks = nn.Sequential(*[ResBlock(widths[i], widths[i + 1]) for i in range(len(widths) - 1)])
        self.pool = img_size >> (len(widths))
        self.fc_mu = nn.Linear(widths[-1], nz)
        self.fc_logvar = nn.Linear(widths[-1], nz)

    def forward(self, b):
        x = self.res_blocks(self.conv(b))
        x = F.avg_pool2d(F.leaky_relu(x, LRELU), self.pool).flatten(1)
        return self.fc_mu(x), self.fc_logvar(x)


class Discriminator(nn.Module):
    """Two PatchGANs: d_1 on a pooled input, d_2 on the full input; raw scores."""

    def __init__(self, in_ch=3, ndf=64):
        super().__init__()
        w = ndf
        self.d_1 = nn.Sequential(
            nn.AvgPool2d(3, 2, 1, count_include_pad=False),
            ConvBlock(in_ch, w // 2, 4, 2, 1, norm=False, act="lrelu"),
            ConvBlock(w // 2, w, 4, 2, 1, act="lrelu"),
            ConvBlock(w, 2 * w, 4, 1, 1, act="lrelu"),
            ConvBlock(2 * w, 1, 4, 1, 1, norm=False))
        self.d_2 = nn.Sequential(
            ConvBlock(in_ch, w, 4, 2, 1, norm=False, act="lrelu"),
            ConvBlock(w, 2 * w, 4, 2, 1, act="lrelu"),
            ConvBlock(2 * w, 4 * w, 4, 1, 1, act="lrelu"),
            ConvBlock(4 * w, 1, 4, 1, 1, norm=False))

    def forward(self, x):
        return self.d_1(x), self.d_2(x)


# --- deterministic synthetic values, reproduced bit for bit by bicycle/synth.go ---

def fnv1a32(s):
    h = 0x811C9DC5
    for c in s.encode():
        h = ((h ^ c) * 0x01000193) & 0xFFFFFFFF
    return h


def synth_uniform(name, n):
    """u in [-1, 1): a murmur3 finaliser over (i * golden + fnv1a(name)) mod 2^32."""
    M = np.uint64(0xFFFFFFFF)
    x = (np.arange(n, dtype=np.uint64) * np.uint64(0x9E3779B9) + np.uint64(fnv1a32(name))) & M
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & M
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & M
    x ^= x >> np.uint64(16)
    return (x.astype(np.float64) / 2.0 ** 32) * 2.0 - 1.0


def synth_param(name, shape):
    """Synthetic parameter values: weights U(-1,1)/sqrt(prod(shape[1:])), biases 0.1*U,
    instance-norm weights 1 + 0.1*U (1-D tensors named *.weight)."""
    n = int(np.prod(shape))
    u = synth_uniform(name, n)
    if len(shape) == 1:
        v = 1.0 + 0.1 * u if name.endswith("weight") else 0.1 * u
    else:
        v = u / math.sqrt(float(np.prod(shape[1:])))
    return torch.tensor(v.astype(np.float32).reshape(shape))


def synth_init(module, prefix):
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(synth_param(prefix + name, tuple(p.shape)))
