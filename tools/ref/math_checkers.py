#!/usr/bin/env python3
"""Python reference of the two string checkers (docs/algorithms.md §10.1 verl math_dapo, §10.2 OpenCompass v2),
written from the spec, run with real Python `re`/`str` semantics to produce golden outputs for the TS port.

Usage: python3 tools/ref/math_checkers.py > packages/evaluators/test/fixtures/checker-cases.json
Needs only the standard library (any CPython >= 3.8).
"""
import json
import random
import re
import sys

# ---------------- verl math_dapo (§10.1) ----------------
DAPO_SUBS = [("an ", ""), ("a ", ""), (".$", "$"), ("\\$", ""), ("\\ ", ""), (" ", ""), ("mbox", "text"),
             (",\\text{and}", ","), ("\\text{and}", ","), ("\\text{m}", "\\text{}")]
DAPO_REMOVED = ["square", "ways", "integers", "dollars", "mph", "inches", "hours", "km", "units", "\\ldots", "sue",
                "points", "feet", "minutes", "digits", "cents", "degrees", "cm", "gm", "pounds", "meters", "meals",
                "edges", "students", "childrentickets", "multiples", "\\text{s}", "\\text{.}", "\\text{\ns}",
                "\\text{}^2", "\\text{}^3", "\\text{\n}", "\\text{}", r"\mathrm{th}", r"^\circ", r"^{\circ}", r"\;",
                r",\!", "{,}", '"', "\\dots"]


def dapo_norm(x):
    x = x.split("=")[-1]
    for a, b in DAPO_SUBS:
        x = x.replace(a, b)
    for e in DAPO_REMOVED:
        x = x.replace(e, "")
    x = re.sub(r"(.*?)(\$)(.*?)(\$)(.*)", "$\\3$", x)
    x = re.sub(r"(\\text\{)(.*?)(\})", "\\2", x)
    x = re.sub(r"(\\textbf\{)(.*?)(\})", "\\2", x)
    x = re.sub(r"(\\overline\{)(.*?)(\})", "\\2", x)
    x = re.sub(r"(\\boxed\{)(.*)(\})", "\\2", x)
    x = re.sub(r"(frac)([^{])(.)", "frac{\\2}{\\3}", x)
    x = re.sub(r"(sqrt)([^{])", "sqrt{\\2}", x)
    x = x.replace("$", "")
    if x.replace(",", "").isdigit():
        x = x.replace(",", "")
    return x.strip()


def dapo_extract(response):
    s = response[-300:]
    m = re.findall(r"(?i)Answer\s*:\s*([^\n]+)", s)
    return m[-1] if m else None


def dapo_score(response, gold):
    ext = dapo_extract(response)
    pred = dapo_norm(ext if ext is not None else "[INVALID]")
    return pred == dapo_norm(gold)


# ---------------- OpenCompass v2 (§10.2) ----------------
OC_SUBS = DAPO_SUBS + [("\\le", "<")]
_INCHES = DAPO_REMOVED.index("inches") + 1
OC_REMOVED = DAPO_REMOVED[:_INCHES] + ["ft"] + DAPO_REMOVED[_INCHES:] + ["\n", "\r", "\f"]


def oc_norm(x):
    for a, b in OC_SUBS:
        x = x.replace(a, b)
    for e in OC_REMOVED:
        x = x.replace(e, "")
    x = re.sub(r"(\\text\{)\((.*?)\)(\})", "\\2", x)
    x = re.sub(r"(\\text\{)(.*?)(\})", "\\2", x)
    x = re.sub(r"(\\textbf\{)(.*?)(\})", "\\2", x)
    x = re.sub(r"(\\overline\{)(.*?)(\})", "\\2", x)
    x = re.sub(r"(\\boxed\{)(.*)(\})", "\\2", x)
    for pat in [r"finalansweris(.*)", r"answer?is:?(.*)", r"oxed\{(.*?)\}", r"\$(.*?)\$"]:
        found = re.findall(pat, x)
        if found:
            x = found[-1]
    x = x.strip()
    if "rac" in x and "\\frac" not in x:
        x = x.replace("rac", "\\frac")
    x = re.sub(r"(frac)([^{])(.)", "frac{\\2}{\\3}", x)
    x = re.sub(r"(sqrt)([^{])", "sqrt{\\2}", x)
    x = x.replace("$", "")
    if x.replace(",", "").isdigit():
        x = x.replace(",", "")
    return x


def last_boxed(s):
    idx = s.rfind("\\boxed")
    if idx < 0:
        idx = s.rfind("\\fbox")
        if idx < 0:
            return None
    depth = 0
    for i in range(idx, len(s)):
        if s[i] == "{":
            depth += 1
        if s[i] == "}":
            depth -= 1
            if depth == 0:
                return s[idx:i + 1]
    return None


def remove_boxed(s):
    if s is None or s[:7] != "\\boxed{" or s[-1] != "}":
        return None
    return s[7:-1]


def postprocess_v2(text):
    ans = remove_boxed(last_boxed(text))
    if ans is not None:
        m = re.match(r"^\{(.*)\}$", ans)
        if m:
            ans = m.group(1)
    if ans:
        return ans
    for sent in text.split("."):
        if re.search("final answer|answer is", sent.lower()):
            return oc_norm(sent)
    return oc_norm(text.split(".")[0])


def fix_fracs(s):
    parts = s.split("\\frac")
    out = parts[0]
    for p in parts[1:]:
        out += "\\frac"
        if len(p) > 0 and p[0] == "{":
            out += p
            continue
        if len(p) < 2:
            return s
        a, b, rest = p[0], p[1], p[2:]
        out += ("{" + a + "}{" + b + "}" + rest) if b != "{" else ("{" + a + "}" + b + rest)
    return out


def fix_a_slash_b(s):
    if len(s.split("/")) != 2:
        return s
    a, b = s.split("/")
    try:
        ai = int(a)
        bi = int(b)
        assert s == "{}/{}".format(ai, bi)
        return "\\frac{" + str(ai) + "}{" + str(bi) + "}"
    except AssertionError:
        return s


def strip_v2(s):
    s = str(s).strip()
    s = s.replace("\n", "")
    s = s.rstrip(".")
    s = s.replace("\\!", "")
    s = s.replace("\\ ", "")
    s = s.replace("\\\\", "\\")
    s = s.replace("\\\\", "\\")
    s = s.replace("tfrac", "frac")
    s = s.replace("dfrac", "frac")
    s = s.replace("\\left", "")
    s = s.replace("\\right", "")
    t = re.sub(r"\\text{.*?}$", "", s).strip()
    if t != "" and t != s:
        s = t
    for a in ["^{\\circ}", "^\\circ", "\\$", "$", "\\text", "x\\in", "\\%", "%"]:
        s = s.replace(a, "")
    s = s.replace(" .", " 0.")
    s = s.replace("{.", "{0.")
    s = s.replace("\\cdot", "")
    s = s.replace("infinity", "\\infty")
    if "\\infty" not in s:
        s = s.replace("inf", "\\infty")
    s = s.replace("+\\inity", "\\infty")
    s = s.replace("and", "")
    s = s.replace("\\mathbf", "")
    s = re.sub(r"\\mbox{.*?}", "", s)
    if "j" in s and "i" not in s:
        s = s.replace("j", "i")
    s = re.sub(r"(\d+)\.0+([^\d])", r"\1\2", s)
    s = re.sub(r"(\d+)\.0+$", r"\1", s)
    if len(s) == 0:
        return s
    if s[0] == ".":
        s = "0" + s
    if len(s.split("=")) == 2 and len(s.split("=")[0]) <= 2:
        s = s.split("=")[1]
    s = re.sub(r"\\sqrt(\w+)", r"\\sqrt{\1}", s)
    s = s.replace(" ", "")
    s = fix_fracs(s)
    s = fix_a_slash_b(s)
    return s


def is_equiv(a, b):
    if a is None and b is None:
        return True
    if a is None or b is None:
        return False
    try:
        x, y = strip_v2(a), strip_v2(b)
        if x == y:
            return True
        if oc_norm(x) == oc_norm(y):
            return True
    except Exception:
        pass
    try:
        if oc_norm(a) == oc_norm(b):
            return True
    except Exception:
        pass
    return a == b


def strip_v2_or_error(s):
    try:
        return strip_v2(s)
    except ValueError:
        return {"error": "ValueError"}


# ---------------- cases ----------------
TOKENS = ["\\boxed{", "\\boxed ", "\\fbox{", "{", "}", "{", "}", "$", "$", "\\$", "=", ",", ".", ".", " ", " ", "\n",
          "\r", "\f", "\t", "frac", "\\frac", "\\dfrac", "tfrac", "sqrt", "\\sqrt", "\\text{", "\\textbf{",
          "\\overline{", "\\text{(", ")}", ")", "(", "Answer:", "answer: ", "ANSWER :", "answer is", "The answer is ",
          "final answer is", "Final Answer", "finalansweris", "answeis", "0", "1", "2", "5", "12", ".0", ".00", "00",
          "1,000", "/", "x", "y", "j", "i", "a ", "an ", "inf", "infinity", "\\infty", "and", "\\left(", "\\right)",
          "^\\circ", "^{\\circ}", "%", "\\%", "\\mbox{", "units", "ft", "feet", "\\le", "\\ldots", "\u00b2", "\u2460",
          "\u0663", "\U0001d465", "\U0001d7ce", "\u00a0", "\u2028", "\u001c", "\u0085", "\ufeff", "\\!", "\\ ",
          "\\\\", "rac", "oxed{", "{,}", "k=", "x\\in", "\\cdot", "-", "+", "_", "\u017f", "\u212a", "\\text{ cm}",
          "\\mathbf", "\\;", ",\\!", '"', "'", "\\pi", "^2", "\\text{m}", "mbox", ":", "e"]

HAND = [
    "", " ", "x = 5", "a=b=c", "an apple", "1,000 dollars", "\\$5", "$5$", "$x$ and $y$", "The answer is $5$.",
    "\\text{(A)}", "\\text{ cm}", "5\\text{ cm}", "\\frac12", "\\frac1{72}", "\\frac{72}1", "\\fraca", "\\sqrt2",
    "\\sqrt{2}", "sqrtx", "0.5", "1/2", "x/2", "1/-2", "-0/1", "+1/2", "01/2", "1/2/3", "10\\%", "\\infty", "inf",
    "(-\\infty, 3]", "\\left( 3, 4 \\right)", "3.000", "3.000x", "1.0.0x", "1.005.0x", "\\boxed{\\boxed{5}}",
    "\\boxed{{5}}", "\\boxed{5", "\\fbox{5}", "j", "2j", "ij", "k = 3", "xyz = 3", "\\mbox{abc}5",
    "\\text{a}\\text{b}", "\u00b2", "1,\u00b2", "\u0663/\u0664", "27.0", "025", "\\dfrac{1}{2}", "\\tfrac12",
    "The final answer is 5. More", "So the answer is: 7", "Answer: 3\nAnswer: 4", "Answer:\n 5", "answer :  6 ",
]


def main():
    rng = random.Random(20251126)
    strings = list(HAND)
    for _ in range(2200):
        strings.append("".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 12))))
    long_cases = []
    for _ in range(40):
        body = "".join(rng.choice(TOKENS) for _ in range(rng.randint(60, 160)))
        long_cases.append(body)
    single = []
    for s in strings:
        single.append({"s": s, "dapoNorm": dapo_norm(s), "ocNorm": oc_norm(s), "post": postprocess_v2(s),
                       "strip": strip_v2_or_error(s), "dapoExtract": dapo_extract(s)})
    tails = [{"s": s, "dapoExtract": dapo_extract(s), "post": postprocess_v2(s)} for s in long_cases]
    pairs = []
    for _ in range(1500):
        a = rng.choice(strings)
        b = rng.choice(strings) if rng.random() < 0.5 else a.replace(" ", "").replace("\\dfrac", "\\frac") + rng.choice(["", ".", " ", "\\text{ cm}", "$", ".0"])
        pairs.append({"a": a, "b": b, "equiv": is_equiv(a, b), "dapo": dapo_score("Answer: " + a, b)})
    json.dump({"generator": "tools/ref/math_checkers.py", "python": sys.version.split()[0],
               "single": single, "tails": tails, "pairs": pairs}, sys.stdout, ensure_ascii=True, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
