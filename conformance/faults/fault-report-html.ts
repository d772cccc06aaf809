import type { FaultPropertyResult } from './run-fault-property.js';
import type { SoakResult } from './run-soak.js';
import { describeStep } from './fault-schedule.js';
import { timeSeriesSvg, type Series } from './time-series-svg.js';

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

/** An HTML section with the soak's plots over time: memory, lag, backlog, error rates. */
export function soakSectionHtml(s: SoakResult): string {
  const pts = (f: (x: SoakResult['samples'][number]) => number | undefined): [number, number][] =>
    s.samples.flatMap((x) => {
      const v = f(x);
      return v === undefined ? [] : [[x.tMs / 1000, v] as [number, number]];
    });
  const memory: Series[] = [
    {
      name: 'projector RSS',
      points: pts((x) => (x.projectorRssBytes === undefined ? undefined : x.projectorRssBytes / MB)),
    },
    { name: 'producer+kit RSS', points: pts((x) => x.producerRssBytes / MB) },
    { name: 'producer+kit heap', points: pts((x) => x.producerHeapBytes / MB) },
  ];
  const lag: Series[] = [
    { name: 'lag p95', points: pts((x) => x.lagP95Ms) },
    { name: 'lag max', points: pts((x) => x.lagMaxMs) },
    { name: 'write p99', points: pts((x) => x.writeP99Ms) },
  ];
  const errors: Series[] = [
    { name: 'write errors/s', points: pts((x) => x.writeErrorsPerSec) },
    { name: 'publish retries/s', points: pts((x) => x.publishRetriesPerSec) },
    { name: 'projector errors/s', points: pts((x) => x.projectorErrorsPerSec) },
  ];
  const slope = (b: number | undefined): string => (b === undefined ? '-' : `${(b / MB).toFixed(2)} MB/min`);
  return `<h2>Soak</h2><p>${(s.durationMs / 1000).toFixed(0)} s at ${s.ratePerSec} writes/s: ${s.figures.episodesWritten} written, ${s.figures.eventsProjected} projected, ${s.figures.lost} lost, ${s.figures.duplicatesProjected} duplicates, lag p95 ${ms(s.lagP95Ms)}.
Memory trend (second half): projector ${slope(s.memory.projectorRss.slopeBytesPerMin)}, producer+kit ${slope(s.memory.producerRss.slopeBytesPerMin)}. ${s.ok ? 'No violation.' : `<b>${s.violations.map((v) => esc(`${v.clauseId}: ${v.message}`)).join('; ')}</b>`}</p>
${timeSeriesSvg('Memory', memory, 'MB')}
${timeSeriesSvg('Lag and local write latency', lag, 'ms')}
${timeSeriesSvg('Backlog (written - projected)', [{ name: 'backlog', points: pts((x) => x.backlog) }], 'events')}
${timeSeriesSvg('Error rates', errors, 'per s')}`;
}
