import type { FaultPropertyResult } from './run-fault-property.js';
import type { SoakResult } from './run-soak.js';
import { describeStep } from './fault-schedule.js';
import { timeSeriesSvg } from './time-series-svg.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const ms = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(0)} ms`);
const MB = 2 ** 20;

/** An HTML section (no scripts, no external assets) for the fault property: figures, counterexample. */
export function faultSectionHtml(r: FaultPropertyResult, title = 'Faults'): string {
  const t = r.totals;
  const rows: [string, string][] = [
    ['status', r.status],
    ['seed / path', `${r.seed} / ${r.path ?? '-'}`],
    ['runs (executions incl. shrinking)', `${r.runs} (${r.executions})`],
    ['faults injected', String(t.faultsInjected)],
    ['episodes written (local events)', String(t.episodesWritten)],
    ['events projected', String(t.eventsProjected)],
    ['lost (must be 0)', String(t.lost)],
    ['duplicates projected / on the stream', `${t.duplicatesProjected} / ${t.duplicatesOnStream}`],
    [
      'worst lag during faults / after recovery',
      `${ms(t.worstLagDuringMs)} / ${ms(t.worstLagAfterRecoveryMs)}`,
    ],
    ['faults injected by kind', faultKindCounts(r)],
    [
      'projector: killed by the kit / exited on its own during a fault',
      `${r.results.reduce((n, x) => n + x.figures.projectorKills, 0)} / ${r.results.reduce((n, x) => n + x.figures.projectorUnexpectedExits, 0)}`,
    ],
    ['worst recovery (heal to caught up)', ms(t.worstRecoveryMs)],
    [
      'local write p99 under faults (worst), ratio to no-fault p99',
      `${t.worstLocalWriteP99Ms?.toFixed(2) ?? '-'} ms, x${t.worstLocalWriteRatio?.toFixed(2) ?? '-'}`,
    ],
  ];
  const cx = r.counterexample;
  const failure =
    cx === undefined
      ? ''
      : `<h3>Shrunk counterexample</h3><ul>${r.violations.map((v) => `<li><b>${esc(v.clauseId)}</b>: ${esc(v.message)}</li>`).join('')}</ul>
<pre>${esc(cx.schedule.steps.map((s, i) => `${i + 1}. ${describeStep(s)}`).join('\n'))}</pre><p>schedule file <code>${esc(r.scheduleFile ?? '-')}</code></p>`;
  return `<h2>${esc(title)}</h2><table>${rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>${failure}`;
}

/** `kind x count` for every fault kind the runs injected, most frequent first. */
export function faultKindCounts(r: FaultPropertyResult): string {
  const counts = new Map<string, number>();
  for (const x of r.results)
    for (const step of x.schedule.steps)
      if (step.op === 'fault') for (const f of step.faults) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  const list = [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} x${n}`);
  return list.length === 0 ? '-' : list.join(', ');
}

/** An HTML section with the soak's plots over time, each series on its own scale. */
export function soakSectionHtml(s: SoakResult): string {
  const pts = (f: (x: SoakResult['samples'][number]) => number | undefined): [number, number][] =>
    s.samples.flatMap((x) => {
      const v = f(x);
      return v === undefined ? [] : [[x.tMs / 1000, v] as [number, number]];
    });
  const one = (title: string, unit: string, points: [number, number][]): string =>
    timeSeriesSvg(title, [{ name: title, points }], unit);
  const plots = [
    one(
      'Projector RSS',
      'MB',
      pts((x) => (x.projectorRssBytes === undefined ? undefined : x.projectorRssBytes / MB)),
    ),
    one(
      'Producer + kit RSS',
      'MB',
      pts((x) => x.producerRssBytes / MB),
    ),
    one(
      'Producer + kit heap',
      'MB',
      pts((x) => x.producerHeapBytes / MB),
    ),
    timeSeriesSvg(
      'Projection lag',
      [
        { name: 'lag p95', points: pts((x) => x.lagP95Ms) },
        { name: 'lag max', points: pts((x) => x.lagMaxMs) },
      ],
      'ms',
    ),
    one(
      'Local write p99',
      'ms',
      pts((x) => x.writeP99Ms),
    ),
    one(
      'Backlog (written - projected)',
      'events',
      pts((x) => x.backlog),
    ),
    one(
      'Write errors',
      'per s',
      pts((x) => x.writeErrorsPerSec),
    ),
    one(
      'Publish retries',
      'per s',
      pts((x) => x.publishRetriesPerSec),
    ),
    one(
      'Projector errors',
      'per s',
      pts((x) => x.projectorErrorsPerSec),
    ),
  ];
  const slope = (b: number | undefined): string => (b === undefined ? '-' : `${(b / MB).toFixed(2)} MB/min`);
  return `<h2>Soak</h2><p>${(s.durationMs / 1000).toFixed(0)} s at ${s.ratePerSec} writes/s: ${s.figures.episodesWritten} written, ${s.figures.eventsProjected} projected, ${s.figures.lost} lost, ${s.figures.duplicatesProjected} duplicates, lag p95 ${ms(s.lagP95Ms)}.
Memory trend (second half): projector ${slope(s.memory.projectorRss.slopeBytesPerMin)}, producer+kit ${slope(s.memory.producerRss.slopeBytesPerMin)}; ${esc(s.memoryVerdict.note)}. Local write bound ${s.localWriteBoundMs} ms. Projector exits during the soak: none (an exit stops the soak as an environment error).
${s.ok ? 'No violation.' : `<b>${[...s.violations.map((v) => `${v.clauseId}: ${v.message}`), ...s.failures].map(esc).join('; ')}</b>`}</p>
${plots.join('\n')}`;
}
