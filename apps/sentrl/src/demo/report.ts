/**
 * The demo's outputs (docs/contracts.md §12): `summary.json`, `report.md` and a self-contained `report.html` with
 * inline SVG plots (reward and entropy per step per arm, pass@k with intervals). Comparisons are paired bootstrap
 * intervals of per-question pass@1 differences; the verdict lines say what the intervals say, whichever way.
 */
import { join } from "node:path";
import { writeFileAtomic } from "@sentrl/core";
import { bootstrapCI } from "@sentrl/evaluators";
import type { EvalResult, Interval } from "./evaluate.js";
import { lineChart, smooth } from "./svg.js";

export interface ArmReport {
  preset: string;
  steps: number;
  seconds: number;
  eval: EvalResult;
  reward: number[];
  entropy: number[];
  stage: number[];
}

export interface DemoReportInput {
  task: Record<string, unknown>;
  model: { params: number; layers: number; hidden: number; dir: string };
  base: EvalResult;
  arms: Record<string, ArmReport>;
  k: number;
  heldOut: number;
  settings: Record<string, unknown>;
  curriculum?: Record<string, unknown>;
  seconds: number;
  timings: Record<string, number>;
  command: string;
  /** Where the base model and the training settings come from (one line each, in words). */
  provenance: string[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"];
const pct = (v: number) => `${(100 * v).toFixed(1)}`;
const iv = (x: Interval) => `${pct(x.mean)} [${pct(x.lo)}, ${pct(x.hi)}]`;
const lastMean = (xs: number[]) => {
  const n = Math.max(1, Math.floor(xs.length / 10));
  const seg = xs.slice(-n).filter(Number.isFinite);
  return seg.length ? seg.reduce((a, b) => a + b, 0) / seg.length : Number.NaN;
};

/** Paired bootstrap interval of mean(a_i − b_i) over questions (pass@1 per question = correct / k). */
export function pairedDiff(a: EvalResult, b: EvalResult, k: number, seed = 11): Interval {
  const d = a.correct.map((c, i) => (c - b.correct[i]) / k);
  const c = bootstrapCI(d, { seed, resamples: 1000 });
  return { mean: c.mean, lo: c.lo, hi: c.hi };
}

function verdict(name: string, other: string, d: Interval): string {
  const s = `${pct(d.mean)} points (95% CI ${pct(d.lo)} to ${pct(d.hi)})`;
  if (d.lo > 0) return `${name} beats ${other} on held-out pass@1 by ${s}: beyond the interval.`;
  if (d.hi < 0)
    return `${name} is worse than ${other} on held-out pass@1 by ${s.replace(/^-/, "")}: beyond the interval.`;
  return `${name} vs ${other}: ${s}; the interval includes 0, so this run cannot tell them apart.`;
}

export function buildSummary(r: DemoReportInput): Record<string, unknown> {
  const comparisons: Record<string, Interval & { verdict: string }> = {};
  const names = Object.keys(r.arms);
  for (const n of names) {
    const d = pairedDiff(r.arms[n].eval, r.base, r.k);
    comparisons[`${n} - base`] = { ...d, verdict: verdict(n, "the base model", d) };
  }
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++) {
      const [a, b] =
        names[j] === "grpo" || names[i] === "grpo"
          ? [names[i] === "grpo" ? names[j] : names[i], "grpo"]
          : [names[i], names[j]];
      const d = pairedDiff(r.arms[a].eval, r.arms[b].eval, r.k);
      comparisons[`${a} - ${b}`] = { ...d, verdict: verdict(a, b, d) };
    }
  const evalOut = (e: EvalResult) => ({
    passAt: e.passAt,
    avgAt: e.avgAt,
    byTerms: e.byTerms,
    sampledNll: e.sampledNll,
    noAnswer: e.noAnswer,
    seconds: e.seconds,
  });
  return {
    task: r.task,
    model: { params: r.model.params, layers: r.model.layers, hidden: r.model.hidden, dir: r.model.dir },
    baseline: evalOut(r.base),
    arms: Object.fromEntries(
      Object.entries(r.arms).map(([n, a]) => [
        n,
        {
          preset: a.preset,
          ...evalOut(a.eval),
          steps: a.steps,
          seconds: a.seconds,
          evalSeconds: a.eval.seconds,
          entropy: a.entropy,
          reward: a.reward,
          stage: a.stage,
          finalEntropy: lastMean(a.entropy),
          finalReward: lastMean(a.reward),
        },
      ]),
    ),
    comparisons,
    heldOut: r.heldOut,
    samplesPerQuestion: r.k,
    settings: r.settings,
    ...(r.curriculum ? { curriculum: r.curriculum } : {}),
    timings: r.timings,
    seconds: r.seconds,
    command: r.command,
  };
}

function markdown(r: DemoReportInput, summary: Record<string, unknown>): string {
  const ks = Object.keys(r.base.passAt);
  const comps = summary.comparisons as Record<string, Interval & { verdict: string }>;
  const rows = [
    ["base", r.base, "-", "-", "-"] as const,
    ...Object.entries(r.arms).map(
      ([n, a]) => [n, a.eval, String(a.steps), lastMean(a.reward).toFixed(3), lastMean(a.entropy).toFixed(3)] as const,
    ),
  ];
  const terms = Object.keys(r.base.byTerms);
  const lines = [
    "# sentrl demo: GRPO vs SENT on a small transformer",
    "",
    `Task: ${String(r.task.description)}`,
    `Model: Qwen2-shaped, ${r.model.params.toLocaleString("en-US")} parameters, ${r.model.layers} layers, hidden ${r.model.hidden} (${r.model.dir}).`,
    `Held-out: ${r.heldOut} questions never used in SFT or RL, ${r.k} samples each at temperature ${String(r.settings.evalTemperature)}, top-p ${String(r.settings.evalTopP)}. Intervals: 95% percentile bootstrap over questions (1000 resamples).`,
    ...r.provenance,
    "",
    "## Verdict",
    "",
    ...Object.values(comps).map((c) => `- ${c.verdict}`),
    "",
    "## Held-out results (percent)",
    "",
    `| model | ${ks.map((k) => `pass@${k}`).join(" | ")} | avg@${r.k} | steps | final reward | final entropy |`,
    `|---|${ks.map(() => "---").join("|")}|---|---|---|---|`,
    ...rows.map(
      ([n, e, steps, rew, ent]) =>
        `| ${n} | ${ks.map((k) => iv(e.passAt[k])).join(" | ")} | ${iv(e.avgAt[String(r.k)])} | ${steps} | ${rew} | ${ent} |`,
    ),
    "",
    "Final reward / entropy: mean over the last 10% of training steps (training samples at temperature 1; entropy = mean token entropy `actor/entropy`).",
    "",
    "## pass@1 by number of terms (difficulty)",
    "",
    `| model | ${terms.map((t) => `${t} terms`).join(" | ")} |`,
    `|---|${terms.map(() => "---").join("|")}|`,
    ...rows.map(([n, e]) => `| ${n} | ${terms.map((t) => pct(e.byTerms[t].mean)).join(" | ")} |`),
    "",
    "## Run",
    "",
    `- Command: \`${r.command}\``,
    `- Settings: \`${JSON.stringify(r.settings)}\``,
    ...(r.curriculum ? [`- SE curriculum: \`${JSON.stringify(r.curriculum)}\``] : []),
    `- Wall time: ${r.seconds.toFixed(0)} s (${Object.entries(r.timings)
      .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
      .join(", ")})`,
    "",
    "What this shows and what it does not: one small model, one synthetic task, one seed per run. Differences inside the",
    "intervals are noise; run more seeds (`--seed`) before drawing conclusions.",
    "",
  ];
  return lines.join("\n");
}

function charts(r: DemoReportInput): string[] {
  const names = Object.keys(r.arms);
  const perStep = (key: "reward" | "entropy", title: string) =>
    lineChart({
      title,
      xLabel: "step",
      yLabel: key === "reward" ? "mean reward" : "mean token entropy (nats)",
      series: names.map((n, i) => {
        const ys = smooth(r.arms[n][key], 5);
        return { name: n, color: COLORS[(i + 1) % COLORS.length], points: ys.map((y, s) => ({ x: s + 1, y })) };
      }),
    });
  const passK = lineChart({
    title: "held-out pass@k (95% bootstrap intervals)",
    xLabel: "k",
    yLabel: "pass@k",
    logX: true,
    series: [["base", r.base] as const, ...names.map((n) => [n, r.arms[n].eval] as const)].map(([n, e], i) => ({
      name: n,
      color: COLORS[i % COLORS.length],
      points: Object.entries(e.passAt).map(([k, v]) => ({ x: Number(k), y: v.mean, lo: v.lo, hi: v.hi })),
    })),
  });
  const terms = lineChart({
    title: "held-out pass@1 by number of terms",
    xLabel: "terms",
    yLabel: "pass@1",
    yMin: 0,
    series: [["base", r.base] as const, ...names.map((n) => [n, r.arms[n].eval] as const)].map(([n, e], i) => ({
      name: n,
      color: COLORS[i % COLORS.length],
      points: Object.entries(e.byTerms).map(([t, v]) => ({ x: Number(t), y: v.mean, lo: v.lo, hi: v.hi })),
    })),
  });
  return [
    perStep("reward", "training reward per step (moving average of 5)"),
    perStep("entropy", "token entropy per step (moving average of 5)"),
    passK,
    terms,
  ];
}

function html(md: string, svgs: string[]): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  // A minimal Markdown rendering: headings, tables, list items, paragraphs, inline code.
  const inline = (s: string) => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");
  const out: string[] = [];
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.startsWith("# ")) out.push(`<h1>${inline(l.slice(2))}</h1>`);
    else if (l.startsWith("## ")) {
      if (l === "## Run") out.push(`<h2>Plots</h2><div class="plots">${svgs.join("\n")}</div>`);
      out.push(`<h2>${inline(l.slice(3))}</h2>`);
    } else if (l.startsWith("- ")) {
      const items: string[] = [];
      while (i < lines.length && lines[i].startsWith("- ")) items.push(`<li>${inline(lines[i++].slice(2))}</li>`);
      i--;
      out.push(`<ul>${items.join("")}</ul>`);
    } else if (l.startsWith("|")) {
      const rows: string[] = [];
      while (i < lines.length && lines[i].startsWith("|")) {
        const cells = lines[i]
          .split("|")
          .slice(1, -1)
          .map((c) => c.trim());
        if (!cells.every((c) => /^-+$/.test(c))) rows.push(cells.map((c) => `<td>${inline(c)}</td>`).join(""));
        i++;
      }
      i--;
      out.push(`<table>${rows.map((r, j) => `<tr>${j === 0 ? r.replace(/td>/g, "th>") : r}</tr>`).join("")}</table>`);
    } else if (l.trim() !== "") out.push(`<p>${inline(l)}</p>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sentrl demo report</title>
<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f4f4f4}code{background:#f4f4f4;padding:0 3px}.plots svg{margin:4px;border:1px solid #eee}</style>
</head><body>
${out.join("\n")}
</body></html>
`;
}

/** Writes summary.json, report.md and report.html into `outDir`; returns the summary. */
export async function writeDemoReport(outDir: string, r: DemoReportInput): Promise<Record<string, unknown>> {
  const summary = buildSummary(r);
  const md = markdown(r, summary);
  await writeFileAtomic(join(outDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFileAtomic(join(outDir, "report.md"), md);
  await writeFileAtomic(join(outDir, "report.html"), html(md, charts(r)));
  return summary;
}
