#!/usr/bin/python3
"""By-hand PyTorch check of `localtune models import` (issue 16, item 3): a forward pass in PyTorch float32 over the
Hugging Face folder's own safetensors, written from transformers' modelling equations (LlamaForCausalLM and
Gemma3ForCausalLM) without transformers, compared with llama.cpp's log-probabilities on the imported GGUF. Not part of
npm test. Debian 12's python3-torch (PyTorch 1.13) has no transformers or safetensors package, so the safetensors
reader is the format's definition (8-byte little-endian header length, JSON header, raw little-endian data).

    node bin/run-ts.js bench/hf-reference-logprobs.ts --out /tmp/hfref           # folders, GGUFs, llama.cpp's log-probs
    /usr/bin/python3 bench/hf_reference_forward.py /tmp/hfref/llama /tmp/hfref/gemma3 ...

Prints, per folder, max |dlogp| over the vocabulary and positions, the logit range, and their ratio (the weights test's
figure). llama.cpp computes in float32 with its own summation order; its CPU GELU goes through an F16 lookup table.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None}


def read_safetensors(path):
    """name -> float32 tensor, for one safetensors file."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = data[start:end]
        if info["dtype"] == "BF16":
            # bfloat16 is the top half of a float32.
            u16 = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            arr = u16.view(np.float32)
        elif info["dtype"] in DTYPES:
            arr = np.frombuffer(raw, dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<")).astype(np.float32)
        else:
            raise SystemExit(f"{path}: tensor {name} is {info['dtype']}, not a float type")
        out[name] = torch.from_numpy(arr.copy()).reshape(info["shape"])
    return out


def read_checkpoint(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        shards = sorted(set(json.load(open(index))["weight_map"].values()))
    else:
        shards = ["model.safetensors"]
    weights = {}
    for shard in shards:
        weights.update(read_safetensors(os.path.join(folder, shard)))
    return weights


def rms_norm(x, w, eps, plus_one):
    """LlamaRMSNorm: x / sqrt(mean(x^2) + eps) * w; Gemma3RMSNorm: ... * (1 + w)."""
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return y * ((1.0 + w) if plus_one else w)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope(x, positions, theta, linear_factor=1.0):
    """apply_rotary_pos_emb over [heads, T, D]: x cos + rotate_half(x) sin, frequencies theta^(-2i/D)."""
    d = x.shape[-1]
    inv_freq = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
    angles = (positions.float() / linear_factor)[:, None] * inv_freq[None, :]
    emb = torch.cat((angles, angles), dim=-1)
    return x * emb.cos() + rotate_half(x) * emb.sin()


def forward(folder, tokens):
    config = json.load(open(os.path.join(folder, "config.json")))
    if "text_config" in config:
        config = {**config, **config["text_config"]}
    w = read_checkpoint(folder)
    gemma = config.get("model_type", "").startswith("gemma3")
    E = config["hidden_size"]
    H = config["num_attention_heads"]
    K = config.get("num_key_value_heads", H)
    D = config.get("head_dim") or E // H
    L = config["num_hidden_layers"]
    eps = config.get("rms_norm_eps", 1e-6)
    T = len(tokens)
    pos = torch.arange(T)

    def p(name):
        return w[name]

    x = p("model.embed_tokens.weight")[torch.tensor(tokens)]
    if gemma:
        # Gemma3TextScaledWordEmbedding: times sqrt(hidden_size) in the weights' dtype.
        x = x * torch.tensor(E ** 0.5, dtype=torch.float32)
        pattern = config.get("sliding_window_pattern", 6)
        types = config.get("layer_types") or ["sliding_attention" if (i + 1) % pattern else "full_attention" for i in range(L)]
        scaling = config.get("rope_scaling") or {}
        linear = scaling.get("factor", 1.0) if scaling.get("rope_type", scaling.get("type")) == "linear" else 1.0
        scale = config.get("query_pre_attn_scalar", 256) ** -0.5
    else:
        types = ["full_attention"] * L
        scale = D ** -0.5
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    for l in range(L):
        pre = f"model.layers.{l}."
        sliding = types[l] == "sliding_attention"
        if gemma and sliding:
            theta, factor = config.get("rope_local_base_freq", 10000.0), 1.0
            # transformers' sliding window: key j visible from query i when i - j < sliding_window.
            idx = torch.arange(T)
            mask = causal & ((idx[:, None] - idx[None, :]) < config["sliding_window"])
        else:
            theta = config.get("rope_theta", 1e6 if gemma else 10000.0)
            factor = linear if gemma else 1.0
            mask = causal
        h = rms_norm(x, p(pre + "input_layernorm.weight"), eps, gemma)
        q = (h @ p(pre + "self_attn.q_proj.weight").T).view(T, H, D).transpose(0, 1)
        k = (h @ p(pre + "self_attn.k_proj.weight").T).view(T, K, D).transpose(0, 1)
        v = (h @ p(pre + "self_attn.v_proj.weight").T).view(T, K, D).transpose(0, 1)
        if pre + "self_attn.q_norm.weight" in w:
            q = rms_norm(q, p(pre + "self_attn.q_norm.weight"), eps, gemma)
            k = rms_norm(k, p(pre + "self_attn.k_norm.weight"), eps, gemma)
        q = rope(q, pos, theta, factor)
        k = rope(k, pos, theta, factor)
        # Grouped-query attention: each key/value head serves H / K query heads (repeat_kv).
        k = k.repeat_interleave(H // K, dim=0)
        v = v.repeat_interleave(H // K, dim=0)
        scores = (q @ k.transpose(-1, -2)) * scale
        scores = scores.masked_fill(~mask, float("-inf"))
        attn = (scores.softmax(-1) @ v).transpose(0, 1).reshape(T, H * D)
        o = attn @ p(pre + "self_attn.o_proj.weight").T
        if gemma:
            o = rms_norm(o, p(pre + "post_attention_layernorm.weight"), eps, True)
            x = x + o
            h = rms_norm(x, p(pre + "pre_feedforward_layernorm.weight"), eps, True)
            gate = F.gelu(h @ p(pre + "mlp.gate_proj.weight").T, approximate="tanh")
        else:
            x = x + o
            h = rms_norm(x, p(pre + "post_attention_layernorm.weight"), eps, False)
            gate = F.silu(h @ p(pre + "mlp.gate_proj.weight").T)
        down = (gate * (h @ p(pre + "mlp.up_proj.weight").T)) @ p(pre + "mlp.down_proj.weight").T
        if gemma:
            down = rms_norm(down, p(pre + "post_feedforward_layernorm.weight"), eps, True)
        x = x + down
    x = rms_norm(x, p("model.norm.weight"), eps, gemma)
    head = p("model.embed_tokens.weight") if config.get("tie_word_embeddings") or "lm_head.weight" not in w else p("lm_head.weight")
    logits = x @ head.T
    cap = config.get("final_logit_softcapping")
    if gemma and cap:
        logits = torch.tanh(logits / cap) * cap
    return logits


def main():
    torch.set_num_threads(2)
    folders = sys.argv[1:]
    if not folders:
        raise SystemExit(__doc__)
    for folder in folders:
        ref = json.load(open(os.path.join(folder, "llama_cpp_logprobs.json")))
        with torch.no_grad():
            logits = forward(folder, ref["tokens"])
        logp = torch.log_softmax(logits.double(), dim=-1)
        worst_diff, worst_ratio, worst_range = 0.0, 0.0, 0.0
        for t, row in enumerate(ref["logprobs"]):
            theirs = np.array([math.nan if v is None else v for v in row])
            ours = logp[t].numpy()
            # As the weights test: tokens llama.cpp gives a probability above 1e-30.
            keep = ~np.isnan(theirs) & (np.exp(np.nan_to_num(theirs, nan=-1e9)) > 1e-30)
            diff = float(np.abs(ours[keep] - theirs[keep]).max())
            rng = float(logits[t].max() - logits[t].min())
            worst_diff = max(worst_diff, diff)
            worst_range = max(worst_range, rng)
            worst_ratio = max(worst_ratio, diff / rng)
        print(f"{folder}: {ref['arch']}, PyTorch {torch.__version__} float32 vs llama.cpp: max |dlogp| = {worst_diff:.3e}, "
              f"logit range up to {worst_range:.2f}, max |dlogp| / logit range = {worst_ratio:.2e}")


if __name__ == "__main__":
    main()
