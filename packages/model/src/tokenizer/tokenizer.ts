import { ModelError } from "../errors.js";
import { BpeModel, type BpeModelJson } from "./bpe.js";
import { pushByteLevelBytes, toByteLevel } from "./byte-level.js";
import { compileSplitPattern, GPT2_PATTERN } from "./pattern.js";

/** One entry of `tokenizer.json`'s `added_tokens`. */
export interface AddedTokenJson {
  id: number;
  content: string;
  special?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  single_word?: boolean;
}

interface ComponentJson {
  type: string;
  [key: string]: unknown;
}

/** The parts of a Hugging Face `tokenizer.json` this tokenizer reads. */
export interface TokenizerJson {
  added_tokens?: AddedTokenJson[];
  normalizer?: ComponentJson | null;
  pre_tokenizer?: ComponentJson | null;
  decoder?: ComponentJson | null;
  model: BpeModelJson;
}

/** Options of `Tokenizer.encode`. */
export interface EncodeOptions {
  /** Encode special tokens written in the text as plain text instead of their ids (default false, as Hugging Face). */
  splitSpecialTokens?: boolean;
}

/** Options of `Tokenizer.decode`. */
export interface DecodeOptions {
  /** Leave special tokens (`<|im_end|>`, ...) out of the text (default false). */
  skipSpecialTokens?: boolean;
}

type Normalize = (s: string) => string;
type PreTokenize = (pieces: string[]) => string[];

function buildNormalizer(json: ComponentJson | null | undefined): Normalize {
  if (!json) return (s) => s;
  switch (json.type) {
    case "NFC":
    case "NFD":
    case "NFKC":
    case "NFKD": {
      const form = json.type;
      return (s) => s.normalize(form);
    }
    case "Lowercase":
      return (s) => s.toLowerCase();
    case "Sequence": {
      const parts = ((json.normalizers as ComponentJson[]) ?? []).map(buildNormalizer);
      return (s) => parts.reduce((acc, f) => f(acc), s);
    }
    default:
      throw new ModelError(
        "TOKENIZER_UNSUPPORTED",
        `normalizer ${JSON.stringify(json.type)} is not supported (NFC/NFD/NFKC/NFKD/Lowercase/Sequence)`,
      );
  }
}

function splitBy(regex: RegExp, behavior: string, pieces: string[]): string[] {
  const out: string[] = [];
  for (const piece of pieces) {
    let last = 0;
    for (const m of piece.matchAll(regex)) {
      const start = m.index as number;
      if (start > last) out.push(piece.slice(last, start));
      if (behavior !== "Removed" && m[0] !== "") out.push(m[0]);
      last = start + m[0].length;
    }
    if (last < piece.length) out.push(piece.slice(last));
  }
  return out;
}

function buildPreTokenizer(json: ComponentJson | null | undefined): PreTokenize {
  if (!json) return (p) => p;
  switch (json.type) {
    case "Sequence": {
      const parts = ((json.pretokenizers as ComponentJson[]) ?? []).map(buildPreTokenizer);
      return (p) => parts.reduce((acc, f) => f(acc), p);
    }
    case "Split": {
      const pattern = json.pattern as { Regex?: string; String?: string };
      const behavior = String(json.behavior);
      if (json.invert || (behavior !== "Isolated" && behavior !== "Removed")) {
        throw new ModelError(
          "TOKENIZER_UNSUPPORTED",
          `Split pre-tokenizer with behavior ${behavior}${json.invert ? " (inverted)" : ""} is not supported (Isolated or Removed)`,
        );
      }
      const regex =
        pattern.Regex !== undefined
          ? compileSplitPattern(pattern.Regex)
          : new RegExp((pattern.String ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gu");
      return (p) => splitBy(regex, behavior, p);
    }
    case "ByteLevel": {
      const regex = json.use_regex === false ? undefined : compileSplitPattern(GPT2_PATTERN);
      const prefix = json.add_prefix_space === true;
      return (p) => {
        let pieces = p;
        if (prefix && pieces.length > 0 && !pieces[0].startsWith(" ")) pieces = [` ${pieces[0]}`, ...pieces.slice(1)];
        if (regex) pieces = splitBy(regex, "Isolated", pieces);
        return pieces.map(toByteLevel);
      };
    }
    case "Digits": {
      const regex = json.individual_digits ? /\p{N}/gu : /\p{N}+/gu;
      return (p) => splitBy(regex, "Isolated", p);
    }
    default:
      throw new ModelError(
        "TOKENIZER_UNSUPPORTED",
        `pre-tokenizer ${JSON.stringify(json.type)} is not supported (Split/ByteLevel/Digits/Sequence)`,
      );
  }
}

function hasByteLevel(json: ComponentJson | null | undefined): boolean {
  if (!json) return false;
  if (json.type === "ByteLevel") return true;
  return json.type === "Sequence" && ((json.pretokenizers as ComponentJson[]) ?? []).some(hasByteLevel);
}

const textDecoder = new TextDecoder("utf-8");

/**
 * A byte-level BPE tokenizer (GPT-2 / Qwen style) built from a Hugging Face `tokenizer.json`: added and special
 * tokens are matched first (longest first), the rest is normalised, split by the pre-tokenizer's regex, mapped to
 * the byte alphabet and merged by rank. No BOS/EOS is added. Usually made by `loadTokenizer(dir)`.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { Tokenizer } from "@sentrl/model";
 * const tok = new Tokenizer(JSON.parse(readFileSync("Qwen2.5-0.5B/tokenizer.json", "utf8")));
 * const ids = tok.encode("Hello world<|endoftext|>"); // [9707, 1879, 151643]
 * tok.decode(ids, { skipSpecialTokens: true }); // "Hello world"
 * ```
 */
export class Tokenizer {
  private readonly bpe: BpeModel;
  private readonly normalize: Normalize;
  private readonly preTokenize: PreTokenize;
  private readonly added = new Map<string, AddedTokenJson>();
  private readonly addedById = new Map<number, AddedTokenJson>();
  private readonly addedRegex: RegExp | undefined;
  private readonly nonSpecialRegex: RegExp | undefined;
  private readonly bytesCache: Array<Uint8Array | undefined> = [];
  /** One more than the largest token id (vocabulary plus added tokens). */
  readonly vocabSize: number;

  constructor(json: TokenizerJson) {
    if (!json || typeof json !== "object" || !json.model)
      throw new ModelError("TOKENIZER_INVALID", "tokenizer.json has no `model` section");
    if (!hasByteLevel(json.pre_tokenizer)) {
      throw new ModelError(
        "TOKENIZER_UNSUPPORTED",
        "only byte-level BPE tokenizers (a ByteLevel pre-tokenizer, as GPT-2/Qwen/Llama-3 use) are supported",
      );
    }
    if (json.decoder && json.decoder.type !== "ByteLevel") {
      throw new ModelError(
        "TOKENIZER_UNSUPPORTED",
        `decoder ${JSON.stringify(json.decoder.type)} is not supported (ByteLevel)`,
      );
    }
    this.bpe = new BpeModel(json.model);
    this.normalize = buildNormalizer(json.normalizer);
    this.preTokenize = buildPreTokenizer(json.pre_tokenizer);
    let size = this.bpe.idToToken.length;
    for (const t of json.added_tokens ?? []) {
      this.added.set(t.content, t);
      this.addedById.set(t.id, t);
      size = Math.max(size, t.id + 1);
    }
    this.vocabSize = size;
    const alternation = (tokens: AddedTokenJson[]) =>
      tokens.length === 0
        ? undefined
        : new RegExp(
            tokens
              .map((t) => t.content)
              .sort((a, b) => b.length - a.length)
              .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
              .join("|"),
            "gu",
          );
    this.addedRegex = alternation([...this.added.values()]);
    this.nonSpecialRegex = alternation([...this.added.values()].filter((t) => !t.special));
  }

  /** Token ids of `text` (no BOS/EOS added). */
  encode(text: string, options: EncodeOptions = {}): number[] {
    if (typeof text !== "string")
      throw new ModelError("TOKENIZER_BAD_INPUT", `encode needs a string, got ${typeof text}`);
    const out: number[] = [];
    const regex = options.splitSpecialTokens ? this.nonSpecialRegex : this.addedRegex;
    if (!regex) {
      this.encodeText(text, out);
      return out;
    }
    let last = 0;
    let skipLeadingSpace = false;
    for (const m of text.matchAll(regex)) {
      const tok = this.added.get(m[0]) as AddedTokenJson;
      let segment = text.slice(last, m.index);
      if (skipLeadingSpace) segment = segment.trimStart();
      if (tok.lstrip) segment = segment.trimEnd();
      this.encodeText(segment, out);
      out.push(tok.id);
      last = (m.index as number) + m[0].length;
      skipLeadingSpace = tok.rstrip === true;
    }
    let tail = text.slice(last);
    if (skipLeadingSpace) tail = tail.trimStart();
    this.encodeText(tail, out);
    return out;
  }

  private encodeText(text: string, out: number[]): void {
    if (text === "") return;
    for (const piece of this.preTokenize([this.normalize(text)])) {
      if (piece !== "") this.bpe.encodeWord(piece, out);
    }
  }

  /**
   * The text of `ids` (invalid UTF-8 becomes U+FFFD). Ids the tokenizer does not know (a model vocabulary padded
   * beyond the tokenizer's) give no text, as in Hugging Face tokenizers.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const bytes: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!this.has(id) || (options.skipSpecialTokens && this.isSpecial(id))) continue;
      pushByteLevelBytes(this.tokenString(id), bytes);
    }
    return textDecoder.decode(Uint8Array.from(bytes));
  }

  /** The raw bytes token `id` stands for (for streaming decoders); cached. */
  tokenBytes(id: number): Uint8Array {
    let b = this.bytesCache[id];
    if (!b) {
      const bytes: number[] = [];
      pushByteLevelBytes(this.tokenString(id), bytes);
      b = Uint8Array.from(bytes);
      this.bytesCache[id] = b;
    }
    return b;
  }

  /** The vocabulary string of a token id (byte-level alphabet for ordinary tokens, the content for added ones). */
  tokenString(id: number): string {
    const added = this.addedById.get(id);
    if (added) return added.content;
    const s = Number.isInteger(id) && id >= 0 ? this.bpe.idToToken[id] : undefined;
    if (s === undefined || s === "")
      throw new ModelError("TOKENIZER_BAD_INPUT", `token id ${id} is not in the vocabulary (size ${this.vocabSize})`);
    return s;
  }

  /** Whether `id` names a token (model vocabularies are often padded beyond the tokenizer's). */
  has(id: number): boolean {
    return this.addedById.has(id) || (Number.isInteger(id) && id >= 0 && (this.bpe.idToToken[id] ?? "") !== "");
  }

  /** The id of a token string (an added token's content or a vocabulary entry), or undefined. */
  tokenId(token: string): number | undefined {
    return this.added.get(token)?.id ?? this.bpe.id(token);
  }

  /** Whether `id` is an added token marked `special`. */
  isSpecial(id: number): boolean {
    return this.addedById.get(id)?.special === true;
  }
}
