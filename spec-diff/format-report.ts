import type { DiffReport } from './diff-specs.js';
import type { Finding } from './finding.js';

/** Output formats of `continuum-kit diff`. */
export type ReportFormat = 'text' | 'json' | 'markdown';

const LABEL = { breaking: 'BREAKING', 'non-breaking': 'non-breaking', 'doc-only': 'doc-only' } as const;

function summary(report: DiffReport): string {
  const { counts } = report;
  return `${counts.breaking} breaking, ${counts['non-breaking']} non-breaking, ${counts['doc-only']} doc-only`;
}

function text(report: DiffReport): string {
  const lines = [
    `spec diff ${report.base.label} (${report.base.version}) -> ${report.head.label} (${report.head.version})`,
    '',
  ];
  for (const f of report.findings) {
    const breaks = f.breaks.length > 0 ? ` [breaks ${f.breaks.map((side) => `${side}s`).join(' and ')}]` : '';
    lines.push(`${LABEL[f.classification].padEnd(12)} ${f.category.padEnd(10)} ${f.rule}${breaks}`);
    lines.push(`  at ${f.pointer}${f.source ? `  (${f.source})` : ''}`);
    lines.push(`  ${f.reason}`);
  }
  if (report.findings.length === 0) lines.push('no changes');
  lines.push(
    '',
    `${summary(report)}`,
    `version: ${report.version.ok ? 'ok' : 'FAIL'}: ${report.version.reason}`,
  );
  return lines.join('\n') + '\n';
}

const cell = (value: string): string => value.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(findings: Finding[]): string[] {
  const rows = ['| category | rule | breaks | where | reason |', '|---|---|---|---|---|'];
  for (const f of findings) {
    const where = `\`${cell(f.pointer)}\`${f.source ? `<br><sub>${cell(f.source)}</sub>` : ''}`;
    rows.push(
      `| ${f.category} | \`${f.rule}\` | ${f.breaks.join(', ') || '-'} | ${where} | ${cell(f.reason)} |`,
    );
  }
  return rows;
}

function markdown(report: DiffReport): string {
  const verdict = report.version.ok ? 'Compatible' : 'Blocked';
  const lines = [
    `### Contract diff: ${verdict}`,
    '',
    `\`${cell(report.base.label)}\` (${report.base.version}) -> \`${cell(report.head.label)}\` (${report.head.version}): **${summary(report)}**.`,
    '',
    `**Version:** ${report.version.ok ? 'ok' : 'FAIL'}: ${cell(report.version.reason)}`,
  ];
  for (const cls of ['breaking', 'non-breaking', 'doc-only'] as const) {
    const group = report.findings.filter((f) => f.classification === cls);
    if (group.length === 0) continue;
    const title = `${LABEL[cls]} (${group.length})`;
    if (cls === 'breaking') lines.push('', `#### ${title}`, '', ...table(group));
    else lines.push('', `<details><summary>${title}</summary>`, '', ...table(group), '', '</details>');
  }
  lines.push(
    '',
    '<sub>continuum-kit diff: the producer writes, the projector reads; a change is breaking when it breaks either side of an existing deployment.</sub>',
  );
  return lines.join('\n') + '\n';
}

/** Renders a report for stdout. */
export function formatReport(report: DiffReport, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  return format === 'markdown' ? markdown(report) : text(report);
}
