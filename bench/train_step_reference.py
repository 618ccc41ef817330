"""PyTorch reference for `npm run bench:train`: the same model and step as bench/train-step-benchmark.ts.

Pre-LN transformer, 4 layers, d 256, 4 heads, MLP 1024 with tanh-GELU, 32 sequences x 65 tokens, mean squared error
against a random target, AdamW (betas 0.9/0.98, eps 1e-6, weight decay 0.2) with gradient clipping at norm 1.
Tries 1 and 2 intra-op threads and reports the faster (on this 2-core machine one torch thread with a 2-thread
OpenBLAS is fastest, see ../shared/reference/platform.md). Prints one JSON object.

Needs Debian python3-torch (and libopenblas0-pthread for a fast BLAS). `--device cuda` times the same step on the GPU
(one run; the step is synchronised before the clock stops), for `npm run bench:gpu`.
"""
import json
import re
import statistics
import sys
import time

import torch
from torch import nn

LAYERS, WIDTH, HEADS, MLP, TOKENS, BATCH = 4, 256, 4, 1024, 65, 32


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention_norm = nn.LayerNorm(WIDTH)
        self.query, self.key, self.value, self.output = (nn.Linear(WIDTH, WIDTH) for _ in range(4))
        self.mlp_norm = nn.LayerNorm(WIDTH)
        self.mlp_in = nn.Linear(WIDTH, MLP)
        self.mlp_out = nn.Linear(MLP, WIDTH)

    def forward(self, x):
        batch, tokens, _ = x.shape
        h = self.attention_norm(x)
        split = lambda t: t.view(batch, tokens, HEADS, WIDTH // HEADS).transpose(1, 2)
        q, k, v = split(self.query(h)) / (WIDTH // HEADS) ** 0.5, split(self.key(h)), split(self.value(h))
        mixed = torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v
        x = x + self.output(mixed.transpose(1, 2).reshape(batch, tokens, WIDTH))
        return x + self.mlp_out(nn.functional.gelu(self.mlp_in(self.mlp_norm(x)), approximate="tanh"))


def time_steps(threads, steps, device="cpu"):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = nn.Sequential(*(Block() for _ in range(LAYERS))).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.2)
    inputs = torch.randn(BATCH, TOKENS, WIDTH, device=device)
    target = torch.randn(BATCH, TOKENS, WIDTH, device=device)
    seconds = []
    for step in range(steps + 1):
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = ((model(inputs) - target) ** 2).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        # As the app reads its loss back every step.
        loss.item()
        if step > 0:
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main():
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--device")]
    device = next((argument.split("=", 1)[1] for argument in sys.argv[1:] if argument.startswith("--device=")), "cpu")
    steps = int(arguments[0]) if arguments else 5
    if device != "cpu":
        seconds = time_steps(torch.get_num_threads(), steps, device)
        name = torch.cuda.get_device_name() if device.startswith("cuda") else device
        print(json.dumps({"seconds": seconds, "device": name, "torch": torch.__version__}))
        return
    results = {threads: time_steps(threads, steps) for threads in (1, 2)}
    threads = min(results, key=results.get)
    found = re.search(r"BLAS_INFO=([^,]+)", torch.__config__.show())
    blas = f"BLAS_INFO={found.group(1)}" if found else "BLAS unknown"
    print(json.dumps({"seconds": results[threads], "threads": threads, "all": results, "blas": blas, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
