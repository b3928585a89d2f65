/** Longest answer the parser accepts (longer ones are compared as normalised strings). */
export const MAX_ANSWER_LENGTH = 2_000;

const TEXT_CMDS = "text|textbf|mathbf|textit|textrm|mbox|mathrm|mathit|rm|operatorname|textnormal";
/** Trailing words that are values, not units (a trailing function name has no argument, so it is a unit: `5 sec`). */
const FUNCTION_WORDS = new Set(["pi", "infty", "inf", "and", "or"]);

/** Is the text (after units are removed) a purely numeric expression? */
function isNumericText(s: string): boolean {
  const t = s.replace(/\\(times|cdot|frac|dfrac|sqrt|pi)/g, " ").replace(/\d[eE][+-]?\d/g, "0");
  return /\d/.test(t) && !/[a-zA-Z]/.test(t);
}

/** Removes a trailing `\text{…}` / `\mathrm{…}` unit and a trailing unit word after a number. */
function stripUnits(s: string): string {
  for (let k = 0; k < 4; k++) {
    const m = new RegExp(`\\\\(?:${TEXT_CMDS})\\s*\\{([^{}]*)\\}(\\s*\\^\\s*(?:\\{[^{}]*\\}|-?\\d))?\\s*$`).exec(s);
    if (!m) break;
    const before = s.slice(0, m.index).trimEnd();
    if (before === "" || /[_^{(]$/.test(before) || /\\(?:frac|sqrt|binom|text|mathrm|mbox|operatorname)$/.test(before))
      break;
    const inner = (m[1] as string).replace(/[~\\,;!\s]/g, "");
    if (!/^[a-zA-Z/°.\-\s]*$/.test(inner) && inner !== "") break;
    s = before;
  }
  const w =
    /\s+([a-zA-Z]+(?:\s*\^\s*(?:\{-?\d+\}|-?\d))?(?:\s*\/\s*[a-zA-Z]+(?:\s*\^\s*(?:\{-?\d+\}|-?\d))?)*)\s*$/.exec(s);
  if (w) {
    const before = s.slice(0, w.index);
    const word = (/^[a-zA-Z]+/.exec(w[1] as string) as RegExpExecArray)[0];
    if (!FUNCTION_WORDS.has(word) && isNumericText(before)) {
      // single letters stay: `7.6 Z`, `\\frac{37}{4} m` may be a variable, not a unit
      if (word.length >= 2) s = before;
    }
  }
  return s.trim();
}

/**
 * Pre-processes an extracted answer into the parser's input: removes `$`, `\left`/`\right`, spacing, degree marks,
 * currency, units and `\text{}` wrappers, and rewrites `\dfrac`/`\tfrac`, primes and thousands separators.
 */
export function preprocess(raw: string): string {
  let s = raw.trim();
  s = s
    .replace(/[−–]/g, "-")
    .replace(/×/g, "\\times ")
    .replace(/·/g, "\\cdot ")
    .replace(/π/g, "\\pi ")
    .replace(/∞/g, "\\infty ")
    .replace(/≤/g, "\\le ")
    .replace(/≥/g, "\\ge ")
    .replace(/≈/g, "\\approx ")
    .replace(/√/g, "\\sqrt");
  s = s.replace(/\\\$/g, "").replace(/\$/g, " ");
  s = s.replace(/\\(?:displaystyle|textstyle|limits)(?![a-zA-Z])/g, "");
  s = s.replace(/\\(?:left|right)\s*\.(?![0-9])/g, "");
  s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])/g, "");
  s = s.replace(/\\[dtc]frac(?![a-zA-Z])/g, "\\frac").replace(/\\[dt]binom(?![a-zA-Z])/g, "\\binom");
  // thousands separators written the LaTeX way: `1{,}000`, `20,\\!000`
  s = s.replace(/(\d)(?:\{,\}|,\\!\s*)(?=\d{3}(?!\d))/g, "$1");
  s = s
    .replace(/\\(?:quad|qquad)(?![a-zA-Z])/g, " ")
    .replace(/\\(\\|[,;:! ])/g, (m) => (m === "\\\\" ? m : " "))
    .replace(/~/g, " ");
  s = s.replace(/\{,\}/g, ",");
  // thousands separated by spaces (`1 000 000`, `1\,000` after the thin space became a space): groups of exactly
  // three digits after a first group of one to three, not part of a decimal (`0.5 000` stays two numbers)
  s = s.replace(/(?<![\d.])\d{1,3}(?: \d{3})+(?![\d.])/g, (m) => m.replace(/ /g, ""));
  s = s.replace(/\b(?:np|numpy|math|sympy|sp|torch)\./g, "");
  // degrees inside trigonometric functions are angles: `\sin 30^\circ` = `\sin(\pi/6)`
  if (/\\?(?:sin|cos|tan|sec|csc|cot)(?![a-zA-Z])/.test(s)) {
    s = s.replace(/(\d+(?:\.\d+)?)\s*(?:\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![a-zA-Z])|°)/g, "($1\\pi/180)");
  }
  // degrees (and a Celsius/Fahrenheit mark right after them)
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![a-zA-Z])|\\circ(?![a-zA-Z])|°|\\degree(?![a-zA-Z])/g, "\u0001");
  s = s.replace(/\u0001\s*(?:\\mathrm\s*\{\s*[CF]\s*\}|[CF](?![a-zA-Z]))?/g, " ");
  // primes
  s = s.replace(/\^\s*\{\s*((?:\\prime\s*)+)\}/g, (_m, p: string) => "'".repeat((p.match(/\\prime/g) ?? []).length));
  s = s.replace(/\^\s*\\prime(?![a-zA-Z])/g, "'").replace(/\\prime(?![a-zA-Z])/g, "'");
  s = s.replace(/(\d)\s*'+\s*$/, "$1"); // arc-minutes / arc-seconds after a number
  s = s.replace(/\\%/g, "%");
  s = s.trim().replace(/[.\s]+$/, "");
  s = s.replace(new RegExp(`\\\\(?:${TEXT_CMDS})\\s*\\{\\s*,?\\s*(?:and|or)\\s*\\}`, "g"), ",");
  s = s.replace(/,(\s*,)+/g, ",");
  s = stripUnits(s);
  // remaining text wrappers give way to their content
  for (let k = 0; k < 5; k++) s = s.replace(new RegExp(`\\\\(?:${TEXT_CMDS})\\s*\\{([^{}]*)\\}`, "g"), "$1");
  s = s.replace(/\s+(?:and|or)\s+/g, ", ").replace(/,(\s*,)+/g, ",");
  s = stripUnits(s); // units that were inside a text wrapper: `\text{5 cm}`
  s = s.replace(/^\s*(?:[a-zA-Z]|\\[a-zA-Z]+)\s*\\in(?![a-zA-Z])/, "");
  s = s.trim();
  // `1,000` is one number; `32, 349` (a space after the comma) is a list of two
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?\s*%?$/.test(s)) s = s.replace(/[,\s]/g, "");
  return s;
}

/** Normalised string form for answers that do not parse (text answers, choices, …). */
export function normalizeString(raw: string): string {
  let s = preprocess(raw);
  s = s.replace(/\\(?:text|textbf|mbox|mathrm)\s*\{([^{}]*)\}/g, "$1");
  // Braces are kept (`\frac{1}{54}` ≠ `\frac{15}{4}`); spaces only matter between two letters or digits (`1 2`).
  s = s
    .replace(/\s+/g, " ")
    .replace(/ (?![A-Za-z0-9])|(?<![A-Za-z0-9]) /g, "")
    .replace(/\.$/, "");
  return s;
}
