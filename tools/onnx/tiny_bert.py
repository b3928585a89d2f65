"""Tiny BERT-style NLI classifier and sentence-embedding model, built here from scratch in plain PyTorch (no
transformers), trained for a few seconds on a synthetic entailment task, exported to ONNX with torch.onnx.export, and
the PyTorch model's own verdicts / embedding clusters written as fixtures for the TypeScript tests
(docs/algorithms.md §8.1: bidirectional entailment clustering).

Writes (each model folder in Hugging Face layout: config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx):
  tools/onnx/models/tiny-nli/          BertForSequenceClassification, id2label in a non-default order
  tools/onnx/models/tiny-embed/        BertModel (the NLI model's encoder), mean pooling done by the caller
  tools/onnx/models/fixtures/nli.json  questions, responses, token ids, PyTorch verdicts, strict/lenient clusters
  tools/onnx/models/fixtures/embed.json  PyTorch cosine similarities and single/complete-linkage clusters

Run: /usr/bin/python3 tools/onnx/tiny_bert.py   (deterministic: fixed seeds, one thread)
"""
import json
import math
import os
import random
import sys

import torch

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "models")
sys.path.insert(0, HERE)
from tiny_common import write_json  # noqa: E402

# ---------------------------------------------------------------- vocabulary and tokenizer (BERT WordPiece)
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
QUESTIONS = [
    ("what is the capital of france ?", "city"),
    ("which city hosts the big museum ?", "city"),
    ("where did the team play last year ?", "city"),
    ("which city is the oldest ?", "city"),
    ("where is the tower ?", "city"),
    ("what is two plus two ?", "num"),
    ("how many legs does the dog have ?", "num"),
    ("how many apples are left ?", "num"),
    ("what is ten minus five ?", "num"),
    ("how many days until the match ?", "num"),
    ("what colour is the sky ?", "col"),
    ("what colour is the grass ?", "col"),
    ("which colour is on the flag ?", "col"),
    ("what colour was the car ?", "col"),
    ("what colour is the apple ?", "col"),
    ("what is the capital of italy ?", "city"),
    ("how many planets are rocky ?", "num"),
    ("what colour is the sea ?", "col"),
    ("which city has the bridge ?", "city"),
    ("what is three plus four ?", "num"),
    ("which colour do you like ?", "col"),
    ("where was the book written ?", "city"),
]
ENTITIES = {
    "city": ["paris", "london", "rome", "berlin", "madrid"],
    "num": ["four", "five", "six", "seven"],
    "col": ["red", "blue", "green", "yellow"],
}
TEMPLATES_ONE = ["{x}", "the answer is {x} .", "it is {x}", "i think it is {x} .", "{x} , clearly", "surely {x}"]
TEMPLATES_TWO = ["{x} or {y}", "maybe {x} or {y} ."]
TEMPLATES_NONE = ["i do not know .", "no idea", "hard to say , xylophone"]
# Words split into WordPiece pieces (so tokenisation is exercised): word -> pieces.
SPLIT = {"berlin": ["ber", "##lin"], "madrid": ["mad", "##rid"], "yellow": ["yel", "##low"], "clearly": ["clear", "##ly"]}


def build_vocab():
    words = set()
    for q, _ in QUESTIONS:
        words.update(q.split())
    for t in TEMPLATES_ONE + TEMPLATES_TWO + TEMPLATES_NONE:
        words.update(w for w in t.replace("{x}", "").replace("{y}", "").split())
    for es in ENTITIES.values():
        words.update(es)
    words.discard("xylophone")  # stays out of the vocabulary: [UNK]
    pieces = set()
    for w in sorted(words):
        pieces.update(SPLIT.get(w, [w]))
    return SPECIALS + sorted(pieces)


VOCAB = build_vocab()
TOK = {t: i for i, t in enumerate(VOCAB)}
PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def pre_tokenize(text):
    """BertNormalizer (lowercase; ASCII input) + BertPreTokenizer: whitespace split, each punctuation char alone."""
    out = []
    for word in text.lower().split():
        cur = ""
        for ch in word:
            if ch in PUNCT:
                if cur:
                    out.append(cur)
                out.append(ch)
                cur = ""
            else:
                cur += ch
        if cur:
            out.append(cur)
    return out


def wordpiece(word):
    """Greedy longest-match-first with the ## continuation prefix; unknown → [UNK] for the whole word."""
    ids, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in TOK:
                found = TOK[piece]
                break
            end -= 1
        if found is None:
            return [TOK["[UNK]"]]
        ids.append(found)
        start = end
    return ids


def encode(text):
    return [i for w in pre_tokenize(text) for i in wordpiece(w)]


def encode_pair(a, b):
    """[CLS] a [SEP] b [SEP] with token types 0… then 1…."""
    ea, eb = encode(a), encode(b)
    ids = [TOK["[CLS]"]] + ea + [TOK["[SEP]"]] + eb + [TOK["[SEP]"]]
    types = [0] * (len(ea) + 2) + [1] * (len(eb) + 1)
    return ids, types


def encode_single(a):
    ids = [TOK["[CLS]"]] + encode(a) + [TOK["[SEP]"]]
    return ids, [0] * len(ids)


def tokenizer_json():
    def added(i, t):
        return {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}

    def special(t, type_id):
        return {"SpecialToken": {"id": t, "type_id": type_id}}

    def seq(s, type_id):
        return {"Sequence": {"id": s, "type_id": type_id}}

    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added(i, t) for i, t in enumerate(SPECIALS)],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("[CLS]", 0), seq("A", 0), special("[SEP]", 0)],
            "pair": [special("[CLS]", 0), seq("A", 0), special("[SEP]", 0), seq("B", 1), special("[SEP]", 1)],
            "special_tokens": {t: {"id": t, "ids": [TOK[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": TOK},
    }


TOKENIZER_CONFIG = {
    "tokenizer_class": "BertTokenizer",
    "do_lower_case": True,
    "model_max_length": 64,
    "cls_token": "[CLS]",
    "sep_token": "[SEP]",
    "pad_token": "[PAD]",
    "unk_token": "[UNK]",
    "mask_token": "[MASK]",
}

# ---------------------------------------------------------------- model (BERT, post-LN, erf GELU)
H, HEADS, LAYERS, INTER, MAXPOS = 32, 2, 2, 64, 64
# A non-default label order (as some Hub NLI models use): the TypeScript side must read it from config.json.
ID2LABEL = {0: "CONTRADICTION", 1: "ENTAILMENT", 2: "NEUTRAL"}
C, E, N = 0, 1, 2  # class indices in this model


class Bert(torch.nn.Module):
    def __init__(self, vocab, classify, h=None, heads=None, layers=None, inter=None):
        super().__init__()
        H, HEADS_, LAYERS_, INTER_ = h or globals()["H"], heads or HEADS, layers or LAYERS, inter or INTER
        self.h, self.heads = H, HEADS_
        self.word = torch.nn.Embedding(vocab, H)
        self.pos = torch.nn.Embedding(MAXPOS, H)
        self.typ = torch.nn.Embedding(2, H)
        self.ln0 = torch.nn.LayerNorm(H, eps=1e-12)
        self.layers = torch.nn.ModuleList()
        for _ in range(LAYERS_):
            self.layers.append(torch.nn.ModuleDict({
                "q": torch.nn.Linear(H, H), "k": torch.nn.Linear(H, H), "v": torch.nn.Linear(H, H),
                "o": torch.nn.Linear(H, H), "ln1": torch.nn.LayerNorm(H, eps=1e-12),
                "up": torch.nn.Linear(H, INTER_), "down": torch.nn.Linear(INTER_, H), "ln2": torch.nn.LayerNorm(H, eps=1e-12),
            }))
        self.classify = classify
        self.pooler = torch.nn.Linear(H, H)
        self.cls = torch.nn.Linear(H, 3)

    def encode(self, input_ids, attention_mask, token_type_ids):
        B, T = input_ids.shape
        pos = torch.arange(T, dtype=torch.int64).unsqueeze(0).expand(B, T)
        x = self.ln0(self.word(input_ids) + self.pos(pos) + self.typ(token_type_ids))
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -1e9
        H, HEADS = self.h, self.heads
        hd = H // HEADS
        for L in self.layers:
            def heads(t):
                return t.view(B, T, HEADS, hd).transpose(1, 2)
            q, k, v = heads(L["q"](x)), heads(L["k"](x)), heads(L["v"](x))
            s = q @ k.transpose(-1, -2) / math.sqrt(hd) + bias
            a = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(B, T, H)
            x = L["ln1"](x + L["o"](a))
            x = L["ln2"](x + L["down"](torch.nn.functional.gelu(L["up"](x))))
        return x

    def forward(self, input_ids, attention_mask, token_type_ids):
        x = self.encode(input_ids, attention_mask, token_type_ids)
        if not self.classify:
            return x
        return self.cls(torch.tanh(self.pooler(x[:, 0])))


def hf_config(classify, h=H, layers=LAYERS, heads=HEADS, inter=INTER):
    cfg = {
        "model_type": "bert",
        "architectures": ["BertForSequenceClassification" if classify else "BertModel"],
        "vocab_size": len(VOCAB), "hidden_size": h, "num_hidden_layers": layers, "num_attention_heads": heads,
        "intermediate_size": inter, "hidden_act": "gelu", "max_position_embeddings": MAXPOS, "type_vocab_size": 2,
        "layer_norm_eps": 1e-12, "pad_token_id": 0, "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
    }
    if classify:
        cfg["id2label"] = {str(k): v for k, v in ID2LABEL.items()}
        cfg["label2id"] = {v: k for k, v in ID2LABEL.items()}
    return cfg


# ---------------------------------------------------------------- synthetic task
def make_answer(rng, kind, ents=None):
    es = ENTITIES[kind]
    r = rng.random()
    if ents is None:
        if r < 0.12:
            return rng.choice(TEMPLATES_NONE), set()
        if r < 0.3:
            x, y = rng.sample(es, 2)
            return rng.choice(TEMPLATES_TWO).format(x=x, y=y), {x, y}
        x = rng.choice(es)
        return rng.choice(TEMPLATES_ONE).format(x=x), {x}
    ents = list(ents)
    if len(ents) == 1:
        return rng.choice(TEMPLATES_ONE).format(x=ents[0]), set(ents)
    return rng.choice(TEMPLATES_TWO).format(x=ents[0], y=ents[1]), set(ents)


def gold(a, b):
    """Label of premise entity set a ⇒ hypothesis b."""
    if not a or not b:
        return N
    if a == b or (len(a) == 1 and a <= b):
        return E
    if not (a & b):
        return C
    return N


def training_batch(rng, size):
    ids, types, labels = [], [], []
    for _ in range(size):
        q, kind = rng.choice(QUESTIONS)
        ta, ea = make_answer(rng, kind)
        r = rng.random()
        if r < 0.35 and ea:  # same meaning, other wording
            tb, eb = make_answer(rng, kind, sorted(ea))
        elif r < 0.6:  # a single answer and a hedge that contains it, in either order
            es = ENTITIES[kind]
            x, y = rng.sample(es, 2)
            ta, ea = make_answer(rng, kind, [x])
            tb, eb = make_answer(rng, kind, rng.sample([x, y], 2))
            if rng.random() < 0.5:
                ta, ea, tb, eb = tb, eb, ta, ea
        else:
            tb, eb = make_answer(rng, kind)
        if rng.random() < 0.5:
            ta, tb = f"{q} {ta}", f"{q} {tb}"
        i, t = encode_pair(ta, tb)
        ids.append(i)
        types.append(t)
        labels.append(gold(ea, eb))
    return pad(ids, types) + (torch.tensor(labels),)


def pad(ids, types):
    T = max(len(i) for i in ids)
    mask = [[1] * len(i) + [0] * (T - len(i)) for i in ids]
    ids = [i + [0] * (T - len(i)) for i in ids]
    types = [t + [0] * (T - len(t)) for t in types]
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(types)


def train(model, steps=1500):
    rng = random.Random(7)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for step in range(steps):
        ids, mask, types, y = training_batch(rng, 64)
        loss = torch.nn.functional.cross_entropy(model(ids, mask, types), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 300 == 0:
            print(f"step {step} loss {loss.item():.4f}", file=sys.stderr)
    return loss.item()


# ---------------------------------------------------------------- reference clustering (docs/algorithms.md §8.1)
def semantic_ids(m, equivalent):
    """Greedy, order-dependent: compare each unassigned i with every later j (later matches overwrite)."""
    ids = [-1] * m
    nxt = 0
    for i in range(m):
        if ids[i] == -1:
            ids[i] = nxt
            for j in range(i + 1, m):
                if equivalent(i, j):
                    ids[j] = nxt
            nxt += 1
    return renumber(ids)


def renumber(ids):
    """Cluster ids in first-seen order."""
    seen = {}
    return [seen.setdefault(c, len(seen)) for c in ids]


def strict(e1, e2):
    return e1 == "entailment" and e2 == "entailment"


def lenient(e1, e2):
    return "contradiction" not in (e1, e2) and not (e1 == "neutral" and e2 == "neutral")


def cluster_linkage(sim, t, linkage):
    """Agglomerative clustering at cosine threshold t. single: merge clusters with any pair ≥ t (connected
    components); complete: repeatedly merge the two clusters whose smallest pairwise similarity is largest, while
    that is ≥ t (ties: lowest (first member, second member) pair)."""
    m = len(sim)
    clusters = [[i] for i in range(m)]
    while True:
        best, bi, bj = None, -1, -1
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                vals = [sim[i][j] for i in clusters[a] for j in clusters[b]]
                v = max(vals) if linkage == "single" else min(vals)
                if v >= t and (best is None or v > best):
                    best, bi, bj = v, a, b
        if best is None:
            break
        clusters[bi] = sorted(clusters[bi] + clusters[bj])
        del clusters[bj]
        clusters.sort(key=lambda c: c[0])
    ids = [0] * m
    for k, c in enumerate(sorted(clusters, key=lambda c: c[0])):
        for i in c:
            ids[i] = k
    return ids


def question_responses(rng, kind, m):
    """m responses to one question: a few meanings, repeated with different wordings."""
    es = ENTITIES[kind]
    meanings = [{rng.choice(es)}]
    meanings.append({rng.choice(es)})
    meanings.append({next(iter(meanings[0])), rng.choice([e for e in es if e not in meanings[0]])})  # a hedge
    meanings.append(set())
    out = []
    for _ in range(m):
        r = rng.random()
        mean = meanings[0] if r < 0.45 else meanings[1] if r < 0.7 else meanings[2] if r < 0.88 else meanings[3]
        out.append(make_answer(rng, kind, sorted(mean))[0] if mean else rng.choice(TEMPLATES_NONE))
    return out


def main():
    torch.manual_seed(0)
    model = Bert(len(VOCAB), classify=True)
    final_loss = train(model)
    model.eval()

    rng = random.Random(11)
    questions = []
    for qi, (q, kind) in enumerate(QUESTIONS):
        questions.append({"id": f"q{qi}", "question": q, "responses": question_responses(rng, kind, 6)})

    # NLI verdicts of the PyTorch model for every ordered pair, without and with the question prefix.
    label_names = [ID2LABEL[k].lower() for k in range(3)]
    min_margin = math.inf
    strict_ne_lenient = 0
    with torch.no_grad():
        for rec in questions:
            rec["nli"] = {}
            for mode in ("plain", "withQuestion"):
                texts = [r if mode == "plain" else f"{rec['question']} {r}" for r in rec["responses"]]
                m = len(texts)
                verdicts = [[None] * m for _ in range(m)]
                pair_ids = {}
                for i in range(m):
                    for j in range(m):
                        if i == j:
                            continue
                        ids, types = encode_pair(texts[i], texts[j])
                        logits = model(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.int64), torch.tensor([types]))[0]
                        top = torch.topk(logits, 2).values
                        min_margin = min(min_margin, (top[0] - top[1]).item())
                        verdicts[i][j] = label_names[int(logits.argmax())]
                        if mode == "plain" and i == 0:
                            pair_ids[str(j)] = {"inputIds": ids, "tokenTypeIds": types}
                rec["nli"][mode] = {
                    "verdicts": verdicts,
                    "strict": semantic_ids(m, lambda i, j: strict(verdicts[i][j], verdicts[j][i])),
                    "lenient": semantic_ids(m, lambda i, j: lenient(verdicts[i][j], verdicts[j][i])),
                }
                if rec["nli"][mode]["strict"] != rec["nli"][mode]["lenient"]:
                    strict_ne_lenient += 1
                if mode == "plain":
                    rec["pairTokensFromFirst"] = pair_ids
    print(f"final loss {final_loss:.4f}; min logit margin {min_margin:.4g}; strict != lenient in {strict_ne_lenient} cases",
          file=sys.stderr)
    assert min_margin > 1e-4, "a verdict is too close to a tie for a float32 parity test: change a seed"

    nli_dir = os.path.join(MODELS, "tiny-nli")
    export(model, nli_dir, classify=True)
    write_json(os.path.join(MODELS, "fixtures", "nli.json"), {
        "model": "tiny-nli", "labels": label_names, "questions": questions,
        "note": "verdicts[i][j] = PyTorch NLI(premise responses[i] => hypothesis responses[j]); clusters per docs/algorithms.md §8.1",
    })

    # Embedding model: the same encoder, mean pooling over the attention mask, cosine similarity.
    embed = Bert(len(VOCAB), classify=False)
    embed.load_state_dict(model.state_dict())
    embed.eval()
    sims = []
    with torch.no_grad():
        for rec in questions:
            vecs = []
            for r in rec["responses"]:
                ids, types = encode_single(r)
                h = embed(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.int64), torch.tensor([types]))[0]
                v = h.double().mean(0)
                vecs.append(v / v.norm())
            sims.append([[float(a @ b) for b in vecs] for a in vecs])
    # Thresholds with no similarity within 2e-4 of them (float32 parity).
    off = [s[i][j] for s in sims for i in range(len(s)) for j in range(len(s)) if i != j]
    candidates = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99]
    ok = [t for t in candidates if min(abs(v - t) for v in off) > 2e-4]
    def linkage_differs(t):
        return sum(cluster_linkage(s, t, "single") != cluster_linkage(s, t, "complete") for s in sims)

    first = max(ok, key=linkage_differs)  # where single and complete linkage disagree most
    thresholds = sorted([first, min((t for t in ok if t != first), key=lambda t: abs(t - 0.95))])
    print(f"embedding thresholds {thresholds}", file=sys.stderr)
    emb_out = []
    for rec, sim in zip(questions, sims):
        clusters = {f"{link}@{t}": cluster_linkage(sim, t, link) for t in thresholds for link in ("single", "complete")}
        emb_out.append({"id": rec["id"], "responses": rec["responses"], "similarity": sim, "clusters": clusters})
    differ = sum(q["clusters"][f"single@{t}"] != q["clusters"][f"complete@{t}"] for q in emb_out for t in thresholds)
    print(f"embedding: single != complete in {differ} cases", file=sys.stderr)
    export(embed, os.path.join(MODELS, "tiny-embed"), classify=False)
    write_json(os.path.join(MODELS, "fixtures", "embed.json"), {
        "model": "tiny-embed", "thresholds": thresholds, "questions": emb_out,
        "note": "mean-pooled (attention mask) last hidden state, L2-normalised; cosine similarity; clusters numbered by first member",
    })


def export(model, d, classify, dims=None):
    os.makedirs(os.path.join(d, "onnx"), exist_ok=True)
    write_json(os.path.join(d, "config.json"), hf_config(classify, **(dims or {})))
    write_json(os.path.join(d, "tokenizer.json"), tokenizer_json())
    write_json(os.path.join(d, "tokenizer_config.json"), TOKENIZER_CONFIG)
    ids, mask, types = pad(*zip(*[encode_pair("paris", "it is paris"), encode_pair("four", "no idea")]))
    out_name = "logits" if classify else "last_hidden_state"
    torch.onnx.export(
        model, (ids, mask, types), os.path.join(d, "onnx", "model.onnx"),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=[out_name],
        dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                      "attention_mask": {0: "batch_size", 1: "sequence_length"},
                      "token_type_ids": {0: "batch_size", 1: "sequence_length"},
                      out_name: {0: "batch_size"} if classify else {0: "batch_size", 1: "sequence_length"}},
        opset_version=14, do_constant_folding=True,
    )
    print("wrote", d, os.path.getsize(os.path.join(d, "onnx", "model.onnx")), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
