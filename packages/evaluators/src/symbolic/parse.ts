import type { Expr, RelOp } from "./ast.js";
import { treeSize } from "./ast.js";
import { ParseError } from "./errors.js";
import { parseDecimal, rat } from "./rational.js";
import { type Token, tokenize } from "./tokenize.js";

/** Bounds of the parser. */
export const MAX_TOKENS = 2_000;
export const MAX_DEPTH = 120;
export const MAX_TREE = 4_000;

/** Functions known by name, in LaTeX (`\sin`) or plain (`sin`, `np.arcsin` after pre-processing) form. */
const FUNCS: Record<string, string> = {
  sin: "sin",
  cos: "cos",
  tan: "tan",
  sec: "sec",
  csc: "csc",
  cot: "cot",
  arcsin: "asin",
  arccos: "acos",
  arctan: "atan",
  asin: "asin",
  acos: "acos",
  atan: "atan",
  sinh: "sinh",
  cosh: "cosh",
  tanh: "tanh",
  ln: "ln",
  log: "log",
  exp: "exp",
  sqrt: "sqrt",
  abs: "abs",
};
const INVERSE: Record<string, string> = { sin: "asin", cos: "acos", tan: "atan" };

const GREEK = new Set(
  "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Sigma Upsilon Phi Psi Omega ell hbar mho".split(
    " ",
  ),
);
const DECORATIONS = new Set([
  "dot",
  "ddot",
  "hat",
  "bar",
  "tilde",
  "vec",
  "overline",
  "widehat",
  "widetilde",
  "mathbf",
  "boldsymbol",
  "mathcal",
  "mathbb",
]);
const REL: Record<string, RelOp> = {
  "=": "=",
  "<": "<",
  ">": ">",
  "<=": "<=",
  ">=": ">=",
  "!=": "!=",
  le: "<=",
  leq: "<=",
  leqslant: "<=",
  ge: ">=",
  geq: ">=",
  geqslant: ">=",
  lt: "<",
  gt: ">",
  ne: "!=",
  neq: "!=",
  approx: "~",
  approxeq: "~",
  thickapprox: "~",
};
const MATRIX_ENVS = new Set(["pmatrix", "bmatrix", "matrix", "array", "smallmatrix", "Bmatrix"]);

const num = (v: string, exp: number, sci: boolean): Expr => {
  const value = parseDecimal(v, exp);
  if (value === null) throw new ParseError(`number ${v}e${exp} out of range`);
  if (!sci && !v.includes(".")) return { kind: "num", value, decimal: false };
  // The precision the literal states: its significant digits and the place of its last digit.
  const frac = v.includes(".") ? (v.split(".")[1] as string).length : 0;
  const sig = v.replace(".", "").replace(/^0+/, "").length;
  return { kind: "num", value, decimal: true, sig, lastPlace: exp - frac };
};
const int = (k: number): Expr => ({ kind: "num", value: rat(BigInt(k)) ?? { n: 0n, d: 1n }, decimal: false });

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(k = 0): Token | undefined {
    return this.toks[this.i + k];
  }
  private isOp(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.t === "op" && t.v === v;
  }
  private isCmd(v: string, k = 0): boolean {
    const t = this.peek(k);
    return t !== undefined && t.t === "cmd" && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new ParseError(`expected '${v}'`);
    this.i++;
  }
  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new ParseError("nesting too deep");
  }

  parseAll(): Expr {
    const e = this.parseList(["end"]);
    if (this.i < this.toks.length) throw new ParseError(`unexpected token ${JSON.stringify(this.peek())}`);
    return e;
  }

  /**
   * item (, item)* → a bare list when more than one. When both `;` and `,` separate items, `;` separates groups of
   * comma-separated items (`p=5, q=2; p=7, q=2` is a list of two groups).
   */
  private parseList(_stop: string[]): Expr {
    const items = [this.parseUnion()];
    const seps: string[] = [];
    while (this.isOp(",") || this.isOp(";")) {
      seps.push((this.peek() as { v: string }).v);
      this.i++;
      if (this.peek() === undefined) break;
      items.push(this.parseUnion());
    }
    if (items.length === 1) return items[0] as Expr;
    if (!(seps.includes(",") && seps.includes(";"))) return { kind: "list", items };
    const groups: Expr[] = [];
    let group: Expr[] = [items[0] as Expr];
    for (let k = 1; k < items.length; k++) {
      if (seps[k - 1] === ";") {
        groups.push(group.length === 1 ? (group[0] as Expr) : { kind: "list", items: group });
        group = [];
      }
      group.push(items[k] as Expr);
    }
    groups.push(group.length === 1 ? (group[0] as Expr) : { kind: "list", items: group });
    return { kind: "list", items: groups };
  }

  private parseUnion(): Expr {
    return this.parseSeparated(
      () => this.isCmd("cup"),
      () => this.parseRelation(),
      "union",
    );
  }

  /** `item (separator item)…`: a lone item as it is, several as one `kind` node. */
  private parseSeparated(atSeparator: () => boolean, item: () => Expr, kind: "union" | "ratio"): Expr {
    const items = [item()];
    while (atSeparator()) {
      this.i++;
      items.push(item());
    }
    return items.length === 1 ? (items[0] as Expr) : { kind, items };
  }

  private relOp(): RelOp | null {
    const t = this.peek();
    if (t === undefined) return null;
    if (t.t === "op" && REL[t.v] !== undefined) return REL[t.v] as RelOp;
    if (t.t === "cmd" && REL[t.v] !== undefined) return REL[t.v] as RelOp;
    return null;
  }

  private parseRelation(): Expr {
    const items = [this.parseRatio()];
    const ops: RelOp[] = [];
    for (let op = this.relOp(); op !== null; op = this.relOp()) {
      this.i++;
      ops.push(op);
      items.push(this.parseRatio());
    }
    return ops.length === 0 ? (items[0] as Expr) : { kind: "rel", ops, items };
  }

  /** `a : b (: c)…` (a ratio), else one expression. */
  private parseRatio(): Expr {
    return this.parseSeparated(
      () => this.isOp(":"),
      () => this.parseExpr(),
      "ratio",
    );
  }

  private parseExpr(): Expr {
    this.enter();
    let left: Expr;
    if (this.isOp("-") || this.isOp("+")) {
      const minus = this.isOp("-");
      this.i++;
      const t = this.parseTerm();
      left = minus ? { kind: "neg", a: t } : t;
    } else if (this.isCmd("pm") || this.isCmd("mp")) {
      const minusFirst = this.isCmd("mp");
      this.i++;
      left = { kind: "pm", a: int(0), b: this.parseTerm(), minusFirst };
    } else left = this.parseTerm();
    for (;;) {
      if (this.isOp("+")) {
        this.i++;
        left = { kind: "add", a: left, b: this.parseTerm() };
      } else if (this.isOp("-")) {
        this.i++;
        left = { kind: "sub", a: left, b: this.parseTerm() };
      } else if (this.isCmd("pm") || this.isCmd("mp")) {
        const minusFirst = this.isCmd("mp");
        this.i++;
        left = { kind: "pm", a: left, b: this.parseTerm(), minusFirst };
      } else break;
    }
    this.depth--;
    return left;
  }

  /** Can the current token start an implicitly multiplied factor? */
  private startsFactor(stopAtFunctions: boolean): boolean {
    const t = this.peek();
    if (t === undefined) return false;
    if (t.t === "num") return true;
    if (t.t === "word") return !(stopAtFunctions && FUNCS[t.v] !== undefined);
    if (t.t === "op") return t.v === "(" || t.v === "{" || t.v === "[";
    if (t.t === "cmd") {
      if (stopAtFunctions && FUNCS[t.v] !== undefined) return false;
      return (
        FUNCS[t.v] !== undefined ||
        GREEK.has(t.v) ||
        DECORATIONS.has(t.v) ||
        [
          "pi",
          "infty",
          "frac",
          "sqrt",
          "binom",
          "dbinom",
          "tbinom",
          "lfloor",
          "lceil",
          "begin",
          "imath",
          "lvert",
          "vert",
          "exp",
        ].includes(t.v)
      );
    }
    return false;
  }

  private parseTerm(implicitOnly = false): Expr {
    this.enter();
    let left = this.parseUnary(implicitOnly);
    let first = true;
    for (;;) {
      const t = this.peek();
      if (t === undefined) break;
      if (
        !implicitOnly &&
        ((t.t === "op" && t.v === "*") || (t.t === "cmd" && (t.v === "times" || t.v === "cdot" || t.v === "ast")))
      ) {
        this.i++;
        left = { kind: "mul", a: left, b: this.parseUnary(false) };
      } else if (!implicitOnly && ((t.t === "op" && t.v === "/") || (t.t === "cmd" && t.v === "div"))) {
        this.i++;
        left = { kind: "div", a: left, b: this.parseUnary(false) };
      } else if (this.startsFactor(implicitOnly)) {
        if (t.t === "num" && this.endsWithNumber(left)) throw new ParseError("two numbers in a row");
        const mixed =
          first && left.kind === "num" && !left.decimal && left.value.d === 1n && t.t === "cmd" && t.v === "frac";
        const right = this.parsePower(implicitOnly);
        if (mixed && right.kind === "div" && isIntLit(right.a) && isIntLit(right.b)) {
          left = { kind: "add", a: left, b: right };
        } else left = { kind: "mul", a: left, b: right };
      } else break;
      first = false;
    }
    this.depth--;
    return left;
  }

  private endsWithNumber(e: Expr): boolean {
    if (e.kind === "num") return true;
    if (e.kind === "mul") return this.endsWithNumber(e.b);
    return false;
  }

  private parseUnary(implicitOnly: boolean): Expr {
    if (this.isOp("-")) {
      this.i++;
      return { kind: "neg", a: this.parseUnary(implicitOnly) };
    }
    if (this.isOp("+")) {
      this.i++;
      return this.parseUnary(implicitOnly);
    }
    return this.parsePower(implicitOnly);
  }

  private parsePower(implicitOnly: boolean): Expr {
    this.enter();
    let base = this.parseAtom();
    for (;;) {
      if (this.isOp("^")) {
        this.i++;
        base = { kind: "pow", a: base, b: this.parseExponent() };
      } else if (this.isOp("!")) {
        this.i++;
        base = { kind: "fn", name: "factorial", args: [base] };
      } else if (this.isOp("%")) {
        this.i++;
        base = { kind: "percent", a: base };
      } else if (this.isOp("'")) {
        this.i++;
        if (base.kind !== "sym") throw new ParseError("prime on a non-symbol");
        base = { kind: "sym", name: `${base.name}'` };
      } else if (this.peek()?.t === "sub") {
        const s = (this.peek() as { v: string }).v;
        this.i++;
        if (base.kind === "sym") base = { kind: "sym", name: `${base.name}_${s}` };
        else if (base.kind === "num" && !base.decimal) base = { kind: "sym", name: `#${base.value.n}_${s}` };
        else throw new ParseError("subscript on a non-symbol");
      } else break;
    }
    void implicitOnly;
    this.depth--;
    return base;
  }

  private parseExponent(): Expr {
    const t = this.peek();
    if (t === undefined) throw new ParseError("missing exponent");
    if (t.t === "op" && t.v === "{") return this.parseBraceGroup();
    if (t.t === "op" && (t.v === "-" || t.v === "+")) {
      this.i++;
      const a = this.parseExponent();
      return t.v === "-" ? { kind: "neg", a } : a;
    }
    if (t.t === "word" && t.v.length > 1 && FUNCS[t.v] === undefined && t.v !== "pi") {
      this.i++;
      this.toks.splice(this.i, 0, { t: "word", v: t.v.slice(1) });
      return this.symbolFromLetter(t.v[0] as string);
    }
    return this.parseAtom();
  }

  private parseBraceGroup(): Expr {
    this.expectOp("{");
    if (this.isOp("}")) throw new ParseError("empty group");
    const e = this.parseList([]);
    this.expectOp("}");
    return e;
  }

  /** `\frac` / `\sqrt` argument: a brace group, or a single digit / letter / command. */
  private parseMacroArg(): Expr {
    const t = this.peek();
    if (t === undefined) throw new ParseError("missing argument");
    if (t.t === "op" && t.v === "{") return this.parseBraceGroup();
    if (t.t === "num" && !t.sci && /^\d\d+$/.test(t.v)) {
      // \frac12: one digit per argument
      this.toks[this.i] = { t: "num", v: t.v.slice(1), exp: 0, sci: false };
      return int(Number(t.v[0]));
    }
    if (t.t === "word" && t.v.length > 1) {
      this.toks[this.i] = { t: "word", v: t.v.slice(1) };
      return this.symbolFromLetter(t.v[0] as string);
    }
    return this.parseAtom();
  }

  private symbolFromLetter(ch: string): Expr {
    if (ch === "e") return { kind: "const", name: "e" };
    if (ch === "i") return { kind: "const", name: "i" };
    return { kind: "sym", name: ch };
  }

  private parseAtom(): Expr {
    this.enter();
    const e = this.parseAtomInner();
    this.depth--;
    return e;
  }

  private parseAtomInner(): Expr {
    const t = this.peek();
    if (t === undefined) throw new ParseError("unexpected end");
    if (t.t === "num") {
      this.i++;
      return num(t.v, t.exp, t.sci);
    }
    if (t.t === "word") return this.parseWord(t.v);
    if (t.t === "op") {
      switch (t.v) {
        case "(":
        case "[":
          return this.parseBracketed();
        case "{":
          return this.parseBraceGroup();
        case "\\{": {
          this.i++;
          const items: Expr[] = [];
          if (!this.isOp("\\}")) {
            items.push(this.parseUnion());
            while (this.isOp(",") || this.isOp(";")) {
              this.i++;
              items.push(this.parseUnion());
            }
          }
          this.expectOp("\\}");
          return { kind: "set", items };
        }
        case "|": {
          this.i++;
          const a = this.parseExpr();
          this.expectOp("|");
          return { kind: "fn", name: "abs", args: [a] };
        }
        default:
          throw new ParseError(`unexpected '${t.v}'`);
      }
    }
    if (t.t === "cmd") return this.parseCommand(t.v);
    throw new ParseError("unexpected subscript");
  }

  private parseBracketed(): Expr {
    const open = (this.peek() as { v: string }).v as "(" | "[";
    this.i++;
    const items = [this.parseUnion()];
    // `(0;0;0)`: semicolons separate items when no comma does (with both, commas may be decimal commas).
    let sep: string | null = null;
    while (this.isOp(",") || this.isOp(";")) {
      const s = (this.peek() as { v: string }).v;
      if (sep !== null && s !== sep) throw new ParseError("both ',' and ';' inside brackets");
      sep = s;
      this.i++;
      items.push(this.parseUnion());
    }
    const t = this.peek();
    if (t === undefined || t.t !== "op" || (t.v !== ")" && t.v !== "]")) throw new ParseError("unclosed bracket");
    this.i++;
    const close = t.v as ")" | "]";
    if (items.length === 1) {
      if (open !== "(" && open !== "[") throw new ParseError("bad bracket");
      if ((open === "(" && close === ")") || (open === "[" && close === "]")) return items[0] as Expr;
      throw new ParseError("half-open bracket around one item");
    }
    return { kind: "seq", open, close, items };
  }

  private parseWord(w: string): Expr {
    const fn = FUNCS[w];
    if (fn !== undefined) {
      this.i++;
      return this.parseFunction(fn);
    }
    if (w === "pi") {
      this.i++;
      return { kind: "const", name: "pi" };
    }
    if (w.length >= 4) throw new ParseError(`word '${w}' is text`);
    // Split a run of letters into single-letter symbols (implicit multiplication).
    if (w.length > 1) this.toks[this.i] = { t: "word", v: w.slice(1) };
    else this.i++;
    const sym = this.symbolFromLetter(w[0] as string);
    if (w.length === 1 && sym.kind === "sym") return this.maybeApply(sym.name);
    return sym;
  }

  /** `f(x)`, `I(0)`, `\theta(t)`: a symbol applied to a single number or symbol is an unknown function. */
  private maybeApply(name: string): Expr {
    // Collect subscripts / primes belonging to the name first.
    let full = name;
    for (;;) {
      const t = this.peek();
      if (t?.t === "sub") {
        full = `${full}_${t.v}`;
        this.i++;
      } else if (t?.t === "op" && t.v === "'") {
        full = `${full}'`;
        this.i++;
      } else break;
    }
    const a = this.peek(0);
    const b = this.peek(1);
    const c2 = this.peek(2);
    if (a?.t === "op" && a.v === "(" && c2?.t === "op" && c2.v === ")" && b !== undefined) {
      const simple =
        b.t === "num" ||
        (b.t === "word" && b.v.length === 1 && b.v !== "e" && b.v !== "i") ||
        (b.t === "cmd" && GREEK.has(b.v));
      if (simple) {
        this.i++;
        const arg = this.parseAtom();
        this.expectOp(")");
        return { kind: "apply", name: full, arg };
      }
    }
    return { kind: "sym", name: full };
  }

  private parseFunction(name: string): Expr {
    if (name === "sqrt") return this.parseSqrt();
    let power: Expr | null = null;
    let base: Expr | null = null;
    let fname = name;
    for (;;) {
      if (this.isOp("^")) {
        this.i++;
        const p = this.parseExponent();
        if (p.kind === "neg" && p.a.kind === "num" && p.a.value.n === 1n && p.a.value.d === 1n && INVERSE[fname])
          fname = INVERSE[fname] as string;
        else power = p;
      } else if (this.peek()?.t === "sub" && (fname === "log" || fname === "ln")) {
        const s = (this.peek() as { v: string }).v;
        this.i++;
        const b = /^\d+$/.test(s)
          ? int(Number(s))
          : s === "e"
            ? ({ kind: "const", name: "e" } as Expr)
            : ({ kind: "sym", name: s } as Expr);
        base = b;
      } else break;
    }
    let args: Expr[];
    if (this.isOp("(")) {
      this.i++;
      args = [this.parseUnion()];
      while (this.isOp(",")) {
        this.i++;
        args.push(this.parseUnion());
      }
      this.expectOp(")");
    } else if (this.isOp("{")) args = [this.parseBraceGroup()];
    else if (this.isOp("[")) {
      this.i++;
      args = [this.parseExpr()];
      this.expectOp("]");
    } else {
      if (!this.startsFactor(false)) throw new ParseError(`function ${name} without argument`);
      args = [this.parseTerm(true)];
    }
    let e: Expr = { kind: "fn", name: fname, args };
    if (base !== null)
      e = { kind: "div", a: { kind: "fn", name: "ln", args }, b: { kind: "fn", name: "ln", args: [base] } };
    if (power !== null) e = { kind: "pow", a: e, b: power };
    return e;
  }

  private parseSqrt(): Expr {
    let index: Expr | null = null;
    if (this.isOp("[")) {
      this.i++;
      index = this.parseExpr();
      this.expectOp("]");
    }
    const arg = this.isOp("(") ? this.parseAtom() : this.parseMacroArg();
    return index === null
      ? { kind: "fn", name: "sqrt", args: [arg] }
      : { kind: "fn", name: "root", args: [arg, index] };
  }

  private parseCommand(v: string): Expr {
    this.i++;
    if (FUNCS[v] !== undefined) return this.parseFunction(FUNCS[v] as string);
    if (v === "pi") return { kind: "const", name: "pi" };
    if (v === "infty" || v === "infin") return { kind: "const", name: "inf" };
    if (v === "imath") return { kind: "const", name: "i" };
    if (GREEK.has(v)) return this.maybeApply(v);
    if (DECORATIONS.has(v)) {
      const inner = this.parseMacroArg();
      if (inner.kind !== "sym") throw new ParseError(`\\${v} on a non-symbol`);
      return this.maybeApply(`${v}(${inner.name})`);
    }
    switch (v) {
      case "frac": {
        const a = this.parseMacroArg();
        const b = this.parseMacroArg();
        return { kind: "div", a, b };
      }
      case "binom":
      case "dbinom":
      case "tbinom": {
        const a = this.parseMacroArg();
        const b = this.parseMacroArg();
        return { kind: "fn", name: "binom", args: [a, b] };
      }
      case "lfloor":
      case "lceil": {
        const a = this.parseExpr();
        if (!this.isCmd(v === "lfloor" ? "rfloor" : "rceil")) throw new ParseError(`unclosed \\${v}`);
        this.i++;
        return { kind: "fn", name: v === "lfloor" ? "floor" : "ceil", args: [a] };
      }
      case "lvert":
      case "vert": {
        const a = this.parseExpr();
        if (!this.isCmd("rvert") && !this.isCmd("vert")) throw new ParseError("unclosed \\lvert");
        this.i++;
        return { kind: "fn", name: "abs", args: [a] };
      }
      case "begin":
        return this.parseMatrix();
      default:
        throw new ParseError(`unsupported command \\${v}`);
    }
  }

  private envName(): string {
    this.expectOp("{");
    const t = this.peek();
    if (t?.t !== "word") throw new ParseError("bad environment name");
    this.i++;
    let name = t.v;
    if (this.isOp("*")) {
      this.i++;
      name += "*";
    }
    this.expectOp("}");
    return name;
  }

  private parseMatrix(): Expr {
    const env = this.envName();
    if (!MATRIX_ENVS.has(env)) throw new ParseError(`unsupported environment ${env}`);
    if (env === "array" && this.isOp("{")) {
      let depth = 0;
      do {
        const t = this.peek();
        if (t === undefined) throw new ParseError("unclosed array spec");
        if (t.t === "op" && t.v === "{") depth++;
        if (t.t === "op" && t.v === "}") depth--;
        this.i++;
      } while (depth > 0);
    }
    const rows: Expr[][] = [[]];
    for (;;) {
      if (this.isCmd("end")) {
        this.i++;
        if (this.envName() !== env) throw new ParseError("mismatched \\end");
        break;
      }
      (rows[rows.length - 1] as Expr[]).push(this.parseExpr());
      if (this.isOp("&")) this.i++;
      else if (this.isOp("\\\\")) {
        this.i++;
        if (this.isCmd("end")) continue;
        rows.push([]);
      } else if (!this.isCmd("end")) throw new ParseError("bad matrix entry");
    }
    return { kind: "matrix", rows };
  }
}

function isIntLit(e: Expr): boolean {
  return e.kind === "num" && !e.decimal && e.value.d === 1n;
}

/** Parses a pre-processed answer into an expression tree; throws ParseError when it cannot. */
export function parseMath(text: string): Expr {
  const toks = tokenize(text);
  if (toks.length === 0) throw new ParseError("empty");
  if (toks.length > MAX_TOKENS) throw new ParseError("answer too long");
  const e = new Parser(toks).parseAll();
  if (treeSize(e) > MAX_TREE) throw new ParseError("expression too large");
  return e;
}
