import { faultKindCounts } from '../faults/fault-report-html.js';
import type { FaultSuiteResult } from '../faults/run-fault-suite.js';
import type { ConformanceReport } from './conformance-report.js';
import { outsideRun } from './run-sides.js';

/**
 * Clauses of the tested sides that --property / --clauses left out. Clauses binding only an
 * implementation the run does not test are not-selected too, but do not make the run partial.
 */
export function leftOutBySelection(r: ConformanceReport): number {
  return r.clauses.filter((c) => c.status === 'not-selected' && !outsideRun(c.side, r.sides)).length;
}

/** "passed", or "passed (partial: N clauses not selected)" when the selection left clauses out. */
export function verdictLabel(r: ConformanceReport): string {
  if (!r.conformant) return 'failed';
  const partial = leftOutBySelection(r);
  return partial === 0 ? 'passed' : `passed (partial: ${partial} clauses not selected)`;
}

/** The console summary of a run: a line per property, its findings, SLOs, faults and the verdict. Pure. */
export function formatSummary(report: ConformanceReport, outDir: string, faults?: FaultSuiteResult): string {
  const lines: string[] = [];
  for (const p of report.properties) {
    lines.push(
      `${p.status.padEnd(8)} ${p.name.padEnd(20)} ${p.runs} runs, ${p.events} msgs, ${(p.durationMs / 1000).toFixed(1)} s${p.reason === undefined ? '' : ` (${p.reason})`}`,
    );
    if (p.status !== 'failed') continue;
    const failures = Object.entries(p.failures ?? {}).map(([c, n]) => `${c} in ${n} of ${p.runs} runs`);
    if (failures.length > 0) lines.push(`  failed: ${failures.join(', ')}`);
    for (const v of p.violations) lines.push(`  ${v.clauseId}: ${v.message}`);
    lines.push(
      `  seed ${p.seed} path ${p.path ?? '-'}`,
      `  schedule: ${report.scheduleFiles[p.name] ?? '-'}`,
    );
    if (p.minimised !== undefined)
      lines.push(
        `  minimised from ${p.minimised.before.messages} to ${p.minimised.after.messages} messages in ${p.minimised.executions} executions (the seed and path give the run before)`,
      );
    if (p.notShrunk !== undefined) lines.push(`  ${p.notShrunk}`);
  }
  for (const s of report.slos)
    lines.push(
      `slo      ${s.clauseId.padEnd(20)} ${s.status}${s.measured === undefined ? '' : ` ${s.measured.toPrecision(3)} ${s.unit}`} (< ${s.threshold})${s.reason === undefined ? '' : ` ${s.reason}`}`,
    );
  if (faults !== undefined) {
    for (const [label, p] of [
      ['single node', faults.single],
      ['3-node cluster', faults.cluster],
      ['secure bus', faults.secure],
    ] as const) {
      if (p === undefined) continue;
      const t = p.totals;
      lines.push(
        `${p.status.padEnd(8)} ${`faults (${label})`.padEnd(20)} ${p.runs} runs, ${t.faultsInjected} faults (${faultKindCounts(p)}), ${t.episodesWritten} written, ${t.lost} lost, ${t.duplicatesProjected} projected twice${p.scheduleFile === undefined ? '' : `\n  schedule: ${p.scheduleFile}`}`,
      );
      for (const v of p.violations) lines.push(`  ${v.clauseId}: ${v.message}`);
    }
    if (faults.soak !== undefined)
      lines.push(
        `${(faults.soak.ok ? 'passed' : 'failed').padEnd(8)} ${'soak'.padEnd(20)} ${(faults.soak.durationMs / 60_000).toFixed(1)} min, ${faults.soak.figures.episodesWritten} written, ${faults.soak.figures.lost} lost; ${faults.soak.memoryVerdict.note}${faults.soak.failures.length === 0 ? '' : `\n  soak: ${faults.soak.failures.join('; ')}`}`,
      );
  }
  const c = report.clauses;
  const n = (s: string): number => c.filter((x) => x.status === s).length;
  const notSelected = n('not-selected');
  const partial = leftOutBySelection(report);
  const otherSide = notSelected - partial;
  const verdict = report.conformant
    ? `CONFORMANT${partial > 0 ? ` (partial: ${partial} clauses not selected)` : ''}`
    : 'NOT CONFORMANT';
  lines.push(
    `${verdict}: ${n('passed')} clauses passed, ${n('failed')} failed, ${n('not-tested')} not tested${notSelected > 0 ? `, ${notSelected} not selected` : ''}${otherSide > 0 ? ` (${otherSide} bind only an implementation this ${report.sides.join(' and ')} run does not test)` : ''}; ${report.throughput.properties} properties, ${report.throughput.events} events, ${report.throughput.eventsPerSecond.toFixed(0)} events/s, ${(report.durationMs / 1000).toFixed(1)} s; reports in ${outDir}`,
  );
  return `${lines.join('\n')}\n`;
}
