/** Small inline SVG line charts for the demo report (no scripts, no external resources). */

export interface Series {
  name: string;
  color: string;
  /** Points (x, y); `lo`/`hi` draw an error bar at the point. */
  points: { x: number; y: number; lo?: number; hi?: number }[];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(2));

/** A line chart with axes, ticks, a legend and optional error bars; `logX` spaces x on a log2 scale. */
export function lineChart(o: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logX?: boolean;
  yMin?: number;
  yMax?: number;
  width?: number;
  height?: number;
}): string {
  const W = o.width ?? 480;
  const H = o.height ?? 280;
  const m = { l: 52, r: 12, t: 28, b: 40 };
  const tx = (x: number) => (o.logX ? Math.log2(x) : x);
  const pts = o.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  const xs = pts.map((p) => tx(p.x));
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  let y0 = o.yMin ?? Math.min(...pts.map((p) => p.lo ?? p.y));
  let y1 = o.yMax ?? Math.max(...pts.map((p) => p.hi ?? p.y));
  if (!(y1 > y0)) [y0, y1] = [y0 - 0.5, y0 + 0.5];
  const px = (x: number) => m.l + ((tx(x) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${esc(o.title)}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    parts.push(
      `<line x1="${m.l - 4}" y1="${py(y)}" x2="${W - m.r}" y2="${py(y)}" stroke="#ddd"/>`,
      `<text x="${m.l - 6}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`,
    );
  }
  const xTicks = o.logX
    ? [...new Set(pts.map((p) => p.x))].sort((a, b) => a - b)
    : Array.from({ length: 5 }, (_, i) => x0 + ((x1 - x0) * i) / 4);
  for (const x of xTicks)
    parts.push(`<text x="${px(x)}" y="${H - m.b + 16}" text-anchor="middle">${o.logX ? x : fmt(x)}</text>`);
  parts.push(
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text x="12" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 12 ${(m.t + H - m.b) / 2})">${esc(o.yLabel)}</text>`,
  );
  o.series.forEach((s, i) => {
    const ok = s.points.filter((p) => Number.isFinite(p.y));
    if (ok.length) {
      const d = ok.map((p, j) => `${j ? "L" : "M"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ");
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"/>`);
    }
    for (const p of ok) {
      if (p.lo !== undefined && p.hi !== undefined)
        parts.push(
          `<line x1="${px(p.x)}" y1="${py(p.lo)}" x2="${px(p.x)}" y2="${py(p.hi)}" stroke="${s.color}" stroke-width="1.2"/>`,
          `<circle cx="${px(p.x)}" cy="${py(p.y)}" r="2.5" fill="${s.color}"/>`,
        );
    }
    parts.push(
      `<rect x="${m.l + 8}" y="${m.t + 4 + i * 14}" width="10" height="3" fill="${s.color}"/>`,
      `<text x="${m.l + 22}" y="${m.t + 9 + i * 14}">${esc(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** Moving average over a window (for noisy per-step curves). */
export function smooth(ys: readonly number[], window: number): number[] {
  return ys.map((_, i) => {
    const a = Math.max(0, i - window + 1);
    const seg = ys.slice(a, i + 1).filter((v) => Number.isFinite(v));
    return seg.length ? seg.reduce((s, v) => s + v, 0) / seg.length : Number.NaN;
  });
}
