/**
 * The GPT-2 byte-level alphabet: every byte 0..255 gets a printable Unicode character, so byte sequences can be
 * stored in a string vocabulary. Printable Latin-1 bytes (`!`..`~`, `¡`..`¬`, `®`..`ÿ`) map to themselves; the other
 * 68 bytes map to U+0100, U+0101, ... in byte order (so a space is `Ġ`, a newline `Ċ`).
 */
function buildByteToChar(): string[] {
  const map: string[] = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    map[b] = String.fromCharCode(printable ? b : next++);
  }
  return map;
}

/** `BYTE_TO_CHAR[b]` is the one-character string standing for byte `b`. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** Inverse of `BYTE_TO_CHAR` by UTF-16 code unit (−1 for characters outside the alphabet). */
export const CHAR_TO_BYTE: Int16Array = (() => {
  const inv = new Int16Array(512).fill(-1);
  BYTE_TO_CHAR.forEach((c, b) => {
    inv[c.charCodeAt(0)] = b;
  });
  return inv;
})();

const encoder = new TextEncoder();

/** The byte-level string of `text`'s UTF-8 bytes. */
export function toByteLevel(text: string): string {
  const bytes = encoder.encode(text);
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_CHAR[bytes[i]];
  return out;
}

/**
 * Appends the bytes a byte-level token string stands for to `out` (characters outside the alphabet are written as
 * their UTF-8 bytes, which is what a non-byte-level added token needs).
 */
export function pushByteLevelBytes(token: string, out: number[]): void {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const b = c < 512 ? CHAR_TO_BYTE[c] : -1;
    if (b >= 0) out.push(b);
    else {
      // Not a byte-level character: keep it as UTF-8 (surrogate pairs handled by the encoder).
      const cp = token.codePointAt(i) as number;
      const s = String.fromCodePoint(cp);
      for (const x of encoder.encode(s)) out.push(x);
      if (cp > 0xffff) i++;
    }
  }
}
