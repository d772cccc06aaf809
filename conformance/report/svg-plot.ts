/** A latency distribution as an inline SVG: sorted samples (percentile curve) with a threshold line. */
export function percentileSvg(title: string, samples: number[], threshold?: number, unit = 'ms'): string {
  const w = 420;
  const h = 180;
  const pad = { l: 48, r: 12, t: 22, b: 28 };
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  if (samples.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img"><text x="10" y="20">${esc(title)}: no samples</text></svg>`;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const max = Math.max(sorted[sorted.length - 1] ?? 1, threshold ?? 0, 1e-9) * 1.05;
  const x = (i: number): number => pad.l + (i / Math.max(1, sorted.length - 1)) * (w - pad.l - pad.r);
  const y = (v: number): number => h - pad.b - (v / max) * (h - pad.t - pad.b);
  const points = sorted.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const ticks = [0, 0.5, 1].map((f) => {
    const v = max * f;
    return `<text x="${pad.l - 4}" y="${y(v) + 4}" text-anchor="end" font-size="10">${v < 10 ? v.toFixed(2) : v.toFixed(0)}</text>`;
  });
  const pct = [50, 95, 99].map((p) => {
    const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
    return `<line x1="${x(i)}" x2="${x(i)}" y1="${pad.t}" y2="${h - pad.b}" stroke="#bbb" stroke-dasharray="2,2"/><text x="${x(i)}" y="${h - pad.b + 12}" font-size="9" text-anchor="middle">p${p}</text>`;
  });
  const limit =
    threshold === undefined
      ? ''
      : `<line x1="${pad.l}" x2="${w - pad.r}" y1="${y(threshold)}" y2="${y(threshold)}" stroke="#c0392b"/><text x="${w - pad.r}" y="${y(threshold) - 3}" font-size="10" text-anchor="end" fill="#c0392b">threshold ${threshold} ${unit}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">
<text x="${pad.l}" y="14" font-size="12" font-weight="bold">${esc(title)} (${sorted.length} samples, ${unit})</text>
<line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#333"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${h - pad.b}" stroke="#333"/>
${ticks.join('')}${pct.join('')}${limit}
<polyline fill="none" stroke="#2c7fb8" stroke-width="1.5" points="${points}"/>
</svg>`;
}
