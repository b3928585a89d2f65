"""PyTorch baselines for the ONNX benchmarks (packages/semantic-entropy/bench/nli-throughput.ts,
packages/onnx/bench/generate.ts), on the same architectures and shapes as the ONNX models they time.

  bench_torch.py build <dir>   export the "small" benchmark models (random weights) to <dir>/small-nli, <dir>/small-qwen2
  bench_torch.py nli <size>    NLI pairs/s: every ordered pair of the 22 fixture questions, batches of 32 (padded)
  bench_torch.py gen <size>    greedy tokens/s with a KV cache, batch 1: 4 prompts x 64 new tokens

<size> is tiny (the committed models' shapes) or small. Prints one JSON object. Speed does not depend on the weights,
so the PyTorch side uses random weights of the same shapes.
"""
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "torch-ref"))
import tiny_bert  # noqa: E402
import tiny_qwen2  # noqa: E402
from model_forward import base_config, make_weights, write_safetensors  # noqa: E402,F401
from tiny_common import write_json  # noqa: E402

BERT = {"tiny": {"h": 32, "heads": 2, "layers": 2, "inter": 64}, "small": {"h": 256, "heads": 4, "layers": 4, "inter": 1024}}
QWEN = {
    "tiny": tiny_qwen2.CFG,
    "small": base_config(hidden_size=256, intermediate_size=704, num_hidden_layers=4, num_attention_heads=4,
                         num_key_value_heads=2, vocab_size=4096, tie_word_embeddings=False, max_position_embeddings=512,
                         bos_token_id=258, eos_token_id=260, torch_dtype="float32"),
}


def bert(size):
    torch.manual_seed(0)
    return tiny_bert.Bert(len(tiny_bert.VOCAB), classify=True, **BERT[size]).eval()


def qwen(size):
    w = make_weights(QWEN[size], torch.Generator().manual_seed(3), 1.0)
    return tiny_qwen2.Qwen2WithCache(QWEN[size], w).eval(), w


def build(d):
    m = bert("small")
    tiny_bert.export(m, os.path.join(d, "small-nli"), classify=True, dims=BERT["small"])
    model, w = qwen("small")
    out = os.path.join(d, "small-qwen2")
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    cfg = QWEN["small"]
    write_json(os.path.join(out, "config.json"), cfg)
    write_json(os.path.join(out, "tokenizer.json"), tiny_qwen2.tokenizer_json())
    write_json(os.path.join(out, "tokenizer_config.json"), {"tokenizer_class": "Qwen2Tokenizer", "eos_token": "<|im_end|>"})
    L, nkv, hd = cfg["num_hidden_layers"], cfg["num_key_value_heads"], cfg["hidden_size"] // cfg["num_attention_heads"]
    past = [torch.randn(1, nkv, 2, hd) for _ in range(2 * L)]
    names_past = [f"past_key_values.{l}.{kv}" for l in range(L) for kv in ("key", "value")]
    names_present = [f"present.{l}.{kv}" for l in range(L) for kv in ("key", "value")]
    dyn = {"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "t"}, "position_ids": {0: "b", 1: "s"}, "logits": {0: "b", 1: "s"}}
    dyn.update({n: {0: "b", 2: "p"} for n in names_past})
    dyn.update({n: {0: "b", 2: "t"} for n in names_present})
    torch.onnx.export(model, (torch.tensor([[1, 2]]), torch.ones(1, 4, dtype=torch.int64), torch.tensor([[2, 3]]), *past),
                      os.path.join(out, "onnx", "model.onnx"), input_names=["input_ids", "attention_mask", "position_ids", *names_past],
                      output_names=["logits", *names_present], dynamic_axes=dyn, opset_version=14)


def nli_pairs():
    with open(os.path.join(HERE, "models", "fixtures", "nli.json")) as f:
        qs = json.load(f)["questions"]
    return [(q["responses"][i], q["responses"][j]) for q in qs for i in range(len(q["responses"])) for j in range(len(q["responses"])) if i != j]


def bench_nli(size, reps=3):
    model = bert(size)
    pairs = nli_pairs()
    best = float("inf")
    with torch.no_grad():
        for _ in range(reps):
            t0 = time.perf_counter()
            for s in range(0, len(pairs), 32):
                ids, mask, types = tiny_bert.pad(*zip(*[tiny_bert.encode_pair(a, b) for a, b in pairs[s:s + 32]]))
                model(ids, mask, types).argmax(-1)
            best = min(best, time.perf_counter() - t0)
    return {"pairs": len(pairs), "seconds": best, "pairsPerSec": len(pairs) / best}


def bench_gen(size, prompts=4, new_tokens=64, reps=2):
    model, _ = qwen(size)
    cfg = QWEN[size]
    L, nkv, hd = cfg["num_hidden_layers"], cfg["num_key_value_heads"], cfg["hidden_size"] // cfg["num_attention_heads"]
    g = torch.Generator().manual_seed(5)
    ps = [torch.randint(0, 258, (8,), generator=g).tolist() for _ in range(prompts)]
    best = float("inf")
    with torch.no_grad():
        for _ in range(reps):
            t0 = time.perf_counter()
            for p in ps:
                past = [torch.zeros(1, nkv, 0, hd) for _ in range(2 * L)]
                ids, n = p, 0
                for _ in range(new_tokens):  # prefill + (new_tokens − 1) decode steps, one argmax each
                    T = len(ids)
                    out = model(torch.tensor([ids]), torch.ones(1, n + T, dtype=torch.int64), torch.arange(n, n + T)[None], *past)
                    past, n = list(out[1:]), n + T
                    ids = [int(out[0][0, -1].argmax())]
            best = min(best, time.perf_counter() - t0)
    return {"tokens": prompts * new_tokens, "seconds": best, "tokensPerSec": prompts * new_tokens / best}


def main():
    mode, arg = sys.argv[1], sys.argv[2]
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", os.cpu_count() or 1)))  # the builders pin 1 thread
    if mode == "build":
        build(arg)
        return
    res = bench_nli(arg) if mode == "nli" else bench_gen(arg)
    res.update({"impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
                "blas": "Debian python3-torch (BLAS_INFO=generic: the system libblas alternative)"})
    print(json.dumps(res))


if __name__ == "__main__":
    main()
