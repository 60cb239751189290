#!/usr/bin/python3
"""PyTorch's side of `npm run bench:matmul`: GFLOP/s of one product of the reference config's shape,
C [n, m] = B [n, k] @ A [k, m] (m 1536, k 576, n 1024), in F32 and in BF16 (what bf16 autocast runs), median of
repeats after warm-up, on --threads threads. Prints one JSON line. Needs Debian's python3-torch (see torch_reference.py).
"""
import argparse
import json
import statistics
import time

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--repeats", type=int, default=15)
parser.add_argument("--shape", default="1536,576,1024", help="m,k,n")
args = parser.parse_args()
import torch  # noqa: E402

torch.set_num_threads(args.threads)
m, k, n = (int(x) for x in args.shape.split(","))
result = {"threads": args.threads, "m": m, "k": k, "n": n}
for name, dtype in (("f32", torch.float32), ("bf16", torch.bfloat16)):
    a = torch.randn(k, m).to(dtype)
    b = torch.randn(n, k).to(dtype)
    seconds = []
    for i in range(args.repeats + 2):
        start = time.perf_counter()
        torch.matmul(b, a)
        if i >= 2:
            seconds.append(time.perf_counter() - start)
    result[name] = 2 * m * k * n / statistics.median(seconds) / 1e9
print(json.dumps(result))
