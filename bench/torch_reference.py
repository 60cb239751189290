#!/usr/bin/python3
"""PyTorch side of `npm run bench:train`: the same decoder configs, step shape and optimizer in PyTorch, so both
engines are measured in one session on one machine (issue "Performance"). Run by hand, not part of npm test:

    apt-get install python3-torch libopenblas0-pthread   # Debian 12: PyTorch 1.13.1
    /usr/bin/python3 bench/torch_reference.py [--threads 2] [--steps 5] [--runs 3] [--autocast bf16] [--config reference]
                                              [--json] [case ...]

--autocast bf16 runs forward and loss under torch.autocast("cpu", torch.bfloat16): PyTorch's best CPU mode, where
oneDNN runs the products on AMX or AVX512-BF16 (ONEDNN_VERBOSE=1 names the kernel). The parameters, gradients and
AdamW stay F32, as in mixed-precision training. A laptop-class run: ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2
OPENBLAS_CORETYPE=Haswell in the environment (bf16 autocast may then fail to create its primitives: reported, not
hidden). --runs repeats each case in a fresh child and reports the median of the runs' medians.

Debian's python3-torch calls whatever BLAS the alternatives system selects; with the reference BLAS a matmul runs
at a few GFLOP/s, so the script refuses to run unless OpenBLAS is the selected libblas.so.3 (docs/engine-notes.md, "PyTorch baseline BLAS").
Cases: full (every weight trains) and lora-f32 (rank 8, alpha 16, q/k/v/o/gate/up/down, frozen F32 base). PyTorch has
no CPU training path over F16 or Q8_0 frozen weights, so those rows exist only on the localtune side.
Each case runs in a child process so its peak RSS is its own. Median step time after one warm-up step.
"""
import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time

CONFIGS = {
    # The spike's reference config: d 576, ffn 1536, 9 heads / 3 kv, 8 layers, vocab 8192, 4 x 256 tokens.
    "reference": dict(n_layer=8, n_embd=576, n_ff=1536, n_head=9, n_head_kv=3, n_vocab=8192, seq=256, batch=4),
    # stories260K's shapes (tinyllamas): d 64, ffn 172, 8 heads / 4 kv, 5 layers, vocab 512.
    "stories260k": dict(n_layer=5, n_embd=64, n_ff=172, n_head=8, n_head_kv=4, n_vocab=512, seq=256, batch=4),
    # Qwen2.5-0.5B's shapes: d 896, ffn 4864, 14 heads / 2 kv, 24 layers, vocab 151936; one sequence of 256.
    "qwen0.5b": dict(n_layer=24, n_embd=896, n_ff=4864, n_head=14, n_head_kv=2, n_vocab=151936, seq=256, batch=1),
}


def blas_in_use():
    """The libblas.so.3 the dynamic loader resolves for this process (Debian alternatives)."""
    import torch  # noqa: F401  (loads libblas)
    with open("/proc/self/maps") as maps:
        for line in maps:
            if "blas" in line and ".so" in line:
                return os.path.realpath(line.split()[-1])
    return "unknown"


def build(cfg, method, torch):
    nn = torch.nn
    head_dim = cfg["n_embd"] // cfg["n_head"]

    class Lora(nn.Module):
        def __init__(self, base, rank=8, alpha=16):
            super().__init__()
            self.base = base
            self.a = nn.Parameter(torch.randn(rank, base.in_features) / math.sqrt(base.in_features))
            self.b = nn.Parameter(torch.zeros(base.out_features, rank))
            self.scale = alpha / rank

        def forward(self, x):
            return self.base(x) + (x @ self.a.t() @ self.b.t()) * self.scale

    class RmsNorm(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(n))

        def forward(self, x):
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * self.weight

    def linear(n_in, n_out):
        layer = nn.Linear(n_in, n_out, bias=False)
        return Lora(layer) if method == "lora" else layer

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            e, kv = cfg["n_embd"], cfg["n_head_kv"] * head_dim
            self.attn_norm, self.ffn_norm = RmsNorm(e), RmsNorm(e)
            self.q, self.k, self.v, self.o = linear(e, e), linear(e, kv), linear(e, kv), linear(e, e)
            self.gate, self.up, self.down = linear(e, cfg["n_ff"]), linear(e, cfg["n_ff"]), linear(cfg["n_ff"], e)

        def forward(self, x, cos, sin, mask):
            b, t, _ = x.shape
            h = self.attn_norm(x)
            q = rope(self.q(h).view(b, t, cfg["n_head"], head_dim).transpose(1, 2), cos, sin)
            k = rope(self.k(h).view(b, t, cfg["n_head_kv"], head_dim).transpose(1, 2), cos, sin)
            v = self.v(h).view(b, t, cfg["n_head_kv"], head_dim).transpose(1, 2)
            group = cfg["n_head"] // cfg["n_head_kv"]
            k, v = k.repeat_interleave(group, 1), v.repeat_interleave(group, 1)
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(head_dim) + mask
            attn = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, -1)
            x = x + self.o(attn)
            h = self.ffn_norm(x)
            return x + self.down(nn.functional.silu(self.gate(h)) * self.up(h))

    def rope(x, cos, sin):
        half = x.shape[-1] // 2
        x1, x2 = x[..., :half], x[..., half:]
        return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], -1)

    class Decoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(cfg["n_vocab"], cfg["n_embd"])
            self.blocks = nn.ModuleList(Block() for _ in range(cfg["n_layer"]))
            self.norm = RmsNorm(cfg["n_embd"])
            self.head = nn.Linear(cfg["n_embd"], cfg["n_vocab"], bias=False)
            t = cfg["seq"]
            freqs = 1.0 / (10000 ** (torch.arange(0, head_dim, 2).float() / head_dim))
            angles = torch.outer(torch.arange(t).float(), freqs)
            self.register_buffer("cos", angles.cos())
            self.register_buffer("sin", angles.sin())
            self.register_buffer("mask", torch.full((t, t), float("-inf")).triu(1))

        def forward(self, tokens):
            x = self.embed(tokens)
            for block in self.blocks:
                x = block(x, self.cos, self.sin, self.mask)
            return self.head(self.norm(x))

    model = Decoder()
    if method == "lora":
        for name, p in model.named_parameters():
            p.requires_grad = name.endswith(".a") or name.endswith(".b")
    return model


def run_case(config, method, threads, steps, autocast):
    import contextlib
    import torch

    torch.manual_seed(1)
    torch.set_num_threads(threads)
    cfg = CONFIGS[config]
    model = build(cfg, method, torch)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    tokens = torch.randint(0, cfg["n_vocab"], (cfg["batch"], cfg["seq"]))
    targets = torch.randint(0, cfg["n_vocab"], (cfg["batch"], cfg["seq"]))
    seconds = []
    for step in range(steps + 1):
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        mixed = torch.autocast("cpu", dtype=torch.bfloat16) if autocast == "bf16" else contextlib.nullcontext()
        with mixed:
            logits = model(tokens)
            loss = torch.nn.functional.cross_entropy(logits.view(-1, cfg["n_vocab"]).float(), targets.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step > 0:  # step 0 allocates and page-faults
            seconds.append(time.perf_counter() - start)
    seconds.sort()
    median = seconds[len(seconds) // 2] if len(seconds) % 2 else (seconds[len(seconds) // 2 - 1] + seconds[len(seconds) // 2]) / 2
    n = cfg["batch"] * cfg["seq"]
    return {
        "engine": "pytorch " + torch.__version__,
        "config": config,
        "case": "full" if method == "full" else "lora-f32",
        "precision": autocast or "f32",
        "threads": threads,
        "steps": steps,
        "trainableParams": sum(p.numel() for p in params),
        "medianStepSeconds": median,
        "tokensPerSecond": n / median,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "loss": float(loss),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", default=["full", "lora-f32"], help="full, lora-f32")
    parser.add_argument("--config", default="reference", choices=sorted(CONFIGS))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 2)))
    parser.add_argument("--steps", type=int, default=int(os.environ.get("BENCH_STEPS", 5)))
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument("--autocast", choices=["bf16"], help="forward and loss under torch.autocast(cpu, bfloat16)")
    parser.add_argument("--runs", type=int, default=1, help="fresh child processes per case; the median of their medians is reported")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.config, args.child, args.threads, args.steps, args.autocast)))
        return
    blas = blas_in_use()
    if "openblas" not in blas:
        sys.exit(f"libblas.so.3 resolves to {blas}, not OpenBLAS: PyTorch would run its matmuls on the reference BLAS.\n"
                 "Install libopenblas0-pthread and select it: update-alternatives --config libblas.so.3-x86_64-linux-gnu")
    results = []
    for case in args.cases:
        method = {"full": "full", "lora-f32": "lora"}.get(case)
        if method is None:
            sys.exit(f"unknown case {case}; cases: full, lora-f32")
        runs = []
        for _ in range(args.runs):
            command = [sys.executable, __file__, "--child", method, "--config", args.config, "--threads", str(args.threads), "--steps", str(args.steps)]
            child = subprocess.run(command + (["--autocast", args.autocast] if args.autocast else []), capture_output=True, text=True)
            if child.returncode != 0:
                sys.exit(f"{case} ({args.autocast or 'f32'}) failed:\n{child.stderr.strip()[-2000:]}")
            runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
        runs.sort(key=lambda r: r["tokensPerSecond"])
        best = runs[len(runs) // 2]
        best["runsTokensPerSecond"] = [round(r["tokensPerSecond"]) for r in runs]
        best["peakRssMiB"] = max(r["peakRssMiB"] for r in runs)
        results.append(best)
    print(f"BLAS: {blas}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| config | case | precision | threads | tok/s (median of runs) | runs tok/s | step s | peak RSS MiB | trainable |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['config']} | {r['case']} | {r['precision']} | {r['threads']} | {r['tokensPerSecond']:.0f} | {r['runsTokensPerSecond']} | {r['medianStepSeconds']:.2f} | {r['peakRssMiB']:.0f} | {r['trainableParams']} |")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
