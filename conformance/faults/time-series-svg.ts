/** One line of a time-series plot: [x, y] points (x in seconds). */
export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

const COLORS = ['#2c7fb8', '#d95f0e', '#1b9e77', '#7570b3', '#e7298a'];
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An inline SVG line chart of one or more series over time, with a legend; no scripts. */
export function timeSeriesSvg(title: string, series: readonly Series[], unit: string): string {
  const w = 520;
  const h = 200;
  const pad = { l: 56, r: 12, t: 22, b: 30 };
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img"><text x="10" y="20">${esc(title)}: no samples</text></svg>`;
  }
  // reduce, not Math.max(...): a series can be longer than the call stack allows arguments.
  const maxX = all.reduce((m, p) => Math.max(m, p[0]), 1e-9);
  const top = all.reduce((m, p) => Math.max(m, p[1]), 0);
  // An all-zero series still gets a readable axis (0 to 1) and says so in its title.
  const flat = top <= 0;
  const maxY = flat ? 1 : top * 1.05;
  const x = (v: number): number => pad.l + (v / maxX) * (w - pad.l - pad.r);
  const y = (v: number): number => h - pad.b - (v / maxY) * (h - pad.t - pad.b);
  const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const yTicks = [0, 0.5, 1]
    .map(
      (f) =>
        `<text x="${pad.l - 4}" y="${(y(maxY * f) + 4).toFixed(1)}" text-anchor="end" font-size="10">${fmt(maxY * f)}</text>`,
    )
    .join('');
  const xTicks = [0, 0.5, 1]
    .map(
      (f) =>
        `<text x="${x(maxX * f).toFixed(1)}" y="${h - pad.b + 14}" text-anchor="middle" font-size="10">${fmt(maxX * f)} s</text>`,
    )
    .join('');
  const lines = series
    .map((s, i) => {
      const color = COLORS[i % COLORS.length] as string;
      const pts = s.points.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
      const legend = `<text x="${w - pad.r}" y="${pad.t + 12 * i}" font-size="10" text-anchor="end" fill="${color}">${esc(s.name)}</text>`;
      return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts}"/>${legend}`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">
<text x="${pad.l}" y="14" font-size="12" font-weight="bold">${esc(title)} (${esc(unit)})${flat ? ': all zero' : ''}</text>
<line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#333"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${h - pad.b}" stroke="#333"/>
${yTicks}${xTicks}
${lines}
</svg>`;
}
