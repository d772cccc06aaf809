import type { PropertyResult } from '../runner/run-properties.js';
import type { ConformanceReport } from './conformance-report.js';
import { verdictLabel } from './format-summary.js';
import { percentileSvg } from './svg-plot.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COLORS = {
  passed: '#1e8449',
  failed: '#c0392b',
  'not-tested': '#7f8c8d',
  'not-selected': '#95a5a6',
  skipped: '#7f8c8d',
} as const;
const badge = (s: keyof typeof COLORS, label: string = s): string =>
  `<span style="color:#fff;background:${COLORS[s]};padding:1px 6px;border-radius:3px">${esc(label)}</span>`;

function listing(p: PropertyResult): string {
  return (p.counterexample?.executed.steps ?? [])
    .map((s, i) =>
      s.op === 'publish'
        ? `${i + 1}. ${s.message.kind} ${s.message.subject} ${s.message.msgId ?? '(no msg id)'}\n   ${s.message.data.slice(0, 400)}`
        : `${i + 1}. ${s.op}`,
    )
    .join('\n');
}

/** One block per distinct failed clause: the first property's counterexample, the others named. */
function counterexampleBlocks(r: ConformanceReport): string {
  const failed = r.properties.filter((p) => p.status === 'failed');
  const clauses = [...new Set(failed.flatMap((p) => p.violations.map((v) => v.clauseId)))];
  return clauses
    .map((clause) => {
      const props = failed.filter((p) => p.violations.some((v) => v.clauseId === clause));
      const p = props[0] as PropertyResult;
      const steps = p.counterexample?.executed.steps.length ?? 0;
      const file = r.scheduleFiles[p.name];
      return `<h3>${esc(clause)}</h3>
<p>shown by <b>${esc(p.name)}</b>${
        props.length > 1
          ? `; also failed in ${esc(
              props
                .slice(1)
                .map((x) => x.name)
                .join(', '),
            )}`
          : ''
      }.
seed <code>${p.seed}</code>, path <code>${esc(p.path ?? '-')}</code>, schedule file <code>${esc(file ?? '-')}</code>
(rerun: <code>continuum-kit conformance replay ${esc(file ?? 'FILE')}</code>)${p.notShrunk === undefined ? '' : ` <i>${esc(p.notShrunk)}</i>`}</p>
<ul>${p.violations
        .filter((v) => v.clauseId === clause)
        .map((v) => `<li>${esc(v.message)}</li>`)
        .join('')}</ul>
<details><summary>${p.notShrunk === undefined ? 'shrunk ' : ''}counterexample: ${steps} steps</summary><pre>${esc(listing(p))}</pre></details>`;
    })
    .join('\n');
}

/** A self-contained HTML report: no scripts, no external assets; `extraHtml` (e.g. fault sections) goes last. */
export function htmlReport(r: ConformanceReport, extraHtml = ''): string {
  const lag = r.slos.find((s) => s.clauseId === 'CT-9.lag-p95');
  const pub = r.slos.find((s) => s.clauseId === 'CT-9.publish-p99');
  const counts = { passed: 0, failed: 0, 'not-tested': 0, 'not-selected': 0 };
  r.clauses.forEach((c) => counts[c.status]++);
  const failures = counterexampleBlocks(r);
  const verdict = r.conformant ? badge('passed', verdictLabel(r)) : badge('failed', 'failed');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>continuum-kit conformance: ${esc(r.target)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}code{background:#f0f0f0}</style></head><body>
<h1>continuum-kit conformance: ${esc(r.target)} ${verdict}</h1>
<p>${r.conformant ? 'Conformant' : '<b>Not conformant</b>'}. Started ${esc(r.startedAt)}, ${(r.durationMs / 1000).toFixed(1)} s, seed <code>${r.seed}</code>, ${r.numRuns} runs per property, spec <code>${esc(r.specHash.slice(0, 12))}</code>, continuum-kit ${esc(r.kitVersion)}.</p>
<p>${r.throughput.properties} properties run, ${r.throughput.executions} schedule executions, ${r.throughput.events} messages published, ${r.throughput.eventsPerSecond.toFixed(1)} events/s.
Clauses: ${counts.passed} passed, ${counts.failed} failed, ${counts['not-tested']} not tested, ${counts['not-selected']} not selected.</p>
${r.notes.map((n) => `<p><i>${esc(n)}</i></p>`).join('')}
<h2>Properties</h2><table><tr><th>property</th><th>status</th><th>runs</th><th>executions</th><th>messages</th><th>time</th><th>clauses</th></tr>
${r.properties.map((p) => `<tr><td>${esc(p.name)}<br><small>${esc(p.title)}</small></td><td>${badge(p.status)} ${esc(p.reason ?? '')}</td><td>${p.runs}</td><td>${p.executions}</td><td>${p.events}</td><td>${(p.durationMs / 1000).toFixed(1)} s</td><td>${esc(p.clauses.join(', '))}</td></tr>`).join('\n')}
</table>
${failures === '' ? '' : `<h2>Counterexamples</h2>${failures}`}
<h2>Latency</h2>${percentileSvg('Projection lag (publish to projected_at)', r.latency.lagMs, lag?.threshold)}
${percentileSvg('Publish to JetStream ack (kit publishes)', r.latency.publishMs, pub?.threshold)}
<h2>SLOs</h2><table><tr><th>clause</th><th>measured</th><th>threshold</th><th>status</th></tr>
${r.slos.map((s) => `<tr><td>${esc(s.clauseId)} ${esc(s.title)}</td><td>${s.measured === undefined ? '-' : s.measured.toPrecision(3)} ${esc(s.unit)} (${s.samples} samples)</td><td>&lt; ${s.threshold}</td><td>${badge(s.status)} ${esc(s.reason ?? '')}</td></tr>`).join('\n')}</table>
<h2>Clauses</h2><table><tr><th>clause</th><th>status</th><th>evidence</th><th>how</th></tr>
${r.clauses.map((c) => `<tr><td><b>${esc(c.id)}</b> ${esc(c.title)}<br><small>${esc(c.text)} (check: ${esc(c.check)}, binds: ${esc(c.side)})</small></td><td>${badge(c.status)}</td><td>${c.evidence}</td><td>${esc(c.note)}</td></tr>`).join('\n')}
</table>
${extraHtml}</body></html>
`;
}
