import { mkdir, writeFile } from 'node:fs/promises';
import type { BenchResult } from './bench-result.js';
import { benchValidate } from './validate.bench.js';
import { benchProjector } from './projector.bench.js';
import { benchProducer } from './producer.bench.js';
import { benchKit } from './kit.bench.js';

// Every bench this runner knows; add yours here: [area, function returning BenchResult[]].
const BENCHES: [string, () => Promise<BenchResult[]>][] = [
  ['validate', benchValidate],
  ['projector', benchProjector],
  ['producer', benchProducer],
  ['kit', benchKit],
];

function table(rows: (BenchResult & { area: string })[]): string {
  const head = ['area', 'name', 'value', 'unit', 'target', 'pass'];
  const cells = rows.map((r) => [
    r.area,
    r.name,
    String(r.value),
    r.unit,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i] as number)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

const only = process.argv.slice(2);
const rows: (BenchResult & { area: string })[] = [];
for (const [area, bench] of BENCHES) {
  if (only.length > 0 && !only.includes(area)) continue;
  process.stderr.write(`bench ${area}...\n`);
  for (const result of await bench()) rows.push({ area, ...result });
}
process.stdout.write(`${table(rows)}\n`);
for (const r of rows)
  if (r.detail) process.stdout.write(`  ${r.area} / ${r.name}: ${JSON.stringify(r.detail)}\n`);
await mkdir('reports', { recursive: true });
await writeFile(
  'reports/bench.json',
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results: rows }, null, 2)}\n`,
);
process.stderr.write('wrote reports/bench.json\n');
