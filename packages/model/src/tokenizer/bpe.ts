import { ModelError } from "../errors.js";

/** The `model` section of a Hugging Face `tokenizer.json` with `type: "BPE"`. */
export interface BpeModelJson {
  type: "BPE";
  vocab: Record<string, number>;
  /** `"a b"` strings (older files) or `["a", "b"]` pairs, highest priority first. */
  merges: Array<string | [string, string]>;
  unk_token?: string | null;
  ignore_merges?: boolean;
  continuing_subword_prefix?: string | null;
  end_of_word_suffix?: string | null;
  byte_fallback?: boolean;
  dropout?: number | null;
}

const PAIR_SHIFT = 2 ** 21;
const CACHE_LIMIT = 100_000;

/**
 * Byte-pair encoding by merge rank: a word starts as one symbol per character and the adjacent pair with the lowest
 * rank is merged (all its non-overlapping occurrences, left to right) until no pair has a rank. Words are cached.
 */
export class BpeModel {
  /** Token string by id (`""` for ids the vocabulary skips). */
  readonly idToToken: string[];
  private readonly tokenToId: Map<string, number>;
  /** `(left id · 2^21 + right id)` → merge rank. */
  private readonly ranks = new Map<number, number>();
  /** Merged token id by rank. */
  private readonly mergedId: Int32Array;
  private readonly unkId: number;
  private readonly ignoreMerges: boolean;
  private readonly cache = new Map<string, Int32Array>();
  private work = new Int32Array(64);

  constructor(json: BpeModelJson) {
    if (json.type !== "BPE")
      throw new ModelError(
        "TOKENIZER_UNSUPPORTED",
        `tokenizer model type ${JSON.stringify(json.type)} is not supported (only BPE)`,
      );
    if ((json.continuing_subword_prefix ?? "") !== "" || (json.end_of_word_suffix ?? "") !== "" || json.byte_fallback) {
      throw new ModelError(
        "TOKENIZER_UNSUPPORTED",
        "BPE with continuing_subword_prefix, end_of_word_suffix or byte_fallback is not supported (byte-level BPE only)",
      );
    }
    this.tokenToId = new Map(Object.entries(json.vocab));
    let maxId = -1;
    for (const id of this.tokenToId.values()) maxId = Math.max(maxId, id);
    if (maxId >= PAIR_SHIFT)
      throw new ModelError("TOKENIZER_UNSUPPORTED", `vocabulary ids up to ${maxId} exceed ${PAIR_SHIFT}`);
    this.idToToken = new Array(maxId + 1).fill("");
    for (const [tok, id] of this.tokenToId) this.idToToken[id] = tok;
    this.mergedId = new Int32Array(json.merges.length);
    json.merges.forEach((m, rank) => {
      let a: string;
      let b: string;
      if (typeof m === "string") {
        const sp = m.indexOf(" ", 1);
        a = m.slice(0, sp);
        b = m.slice(sp + 1);
      } else [a, b] = m;
      const ia = this.tokenToId.get(a);
      const ib = this.tokenToId.get(b);
      const im = this.tokenToId.get(a + b);
      if (ia === undefined || ib === undefined || im === undefined) {
        throw new ModelError(
          "TOKENIZER_INVALID",
          `merge #${rank} ${JSON.stringify([a, b])} uses a token missing from the vocabulary`,
        );
      }
      const key = ia * PAIR_SHIFT + ib;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
      this.mergedId[rank] = im;
    });
    const unk = json.unk_token ?? null;
    this.unkId = unk === null ? -1 : (this.tokenToId.get(unk) ?? -1);
    this.ignoreMerges = json.ignore_merges === true;
  }

  /** The id of a vocabulary token, or undefined. */
  id(token: string): number | undefined {
    return this.tokenToId.get(token);
  }

  /** Appends the ids of one pre-tokenised word (already in the byte-level alphabet) to `out`. */
  encodeWord(word: string, out: number[]): void {
    let ids = this.cache.get(word);
    if (!ids) {
      ids = this.merge(word);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]);
  }

  private merge(word: string): Int32Array {
    if (this.ignoreMerges) {
      const whole = this.tokenToId.get(word);
      if (whole !== undefined) return Int32Array.of(whole);
    }
    if (this.work.length < word.length) this.work = new Int32Array(word.length * 2);
    const sym = this.work;
    let n = 0;
    for (const ch of word) {
      const id = this.tokenToId.get(ch);
      if (id !== undefined) sym[n++] = id;
      else if (this.unkId >= 0) sym[n++] = this.unkId;
      else
        throw new ModelError(
          "TOKENIZER_INVALID",
          `character ${JSON.stringify(ch)} is not in the vocabulary and there is no unk_token`,
        );
    }
    for (;;) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < n; i++) {
        const r = this.ranks.get(sym[i] * PAIR_SHIFT + sym[i + 1]);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const a = sym[best];
      const b = sym[best + 1];
      const merged = this.mergedId[bestRank];
      let w = best;
      for (let i = best; i < n; ) {
        if (i + 1 < n && sym[i] === a && sym[i + 1] === b) {
          sym[w++] = merged;
          i += 2;
        } else sym[w++] = sym[i++];
      }
      n = w;
    }
    return sym.slice(0, n);
  }
}
