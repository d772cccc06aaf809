import junit from 'junit-report-builder';
import type { Builder } from 'junit-report-builder';
import type { ConformanceReport } from './conformance-report.js';

/** JUnit XML: one suite of properties (with counterexamples) and one suite of clauses. */
export function junitReport(report: ConformanceReport): string {
  // The package's CJS default export is the builder; its typings describe the module object.
  const builder = (junit as unknown as Builder).newBuilder();
  const props = builder.testSuite().name(`continuum-kit conformance (${report.target}): properties`);
  for (const p of report.properties) {
    const tc = props
      .testCase()
      .className('properties')
      .name(`${p.name}: ${p.title}`)
      .time(p.durationMs / 1000);
    if (p.status === 'skipped') tc.skipped();
    if (p.status === 'failed') {
      const first = p.violations[0];
      tc.failure(`${first?.clauseId ?? ''}: ${first?.message ?? ''}`, first?.clauseId ?? 'conformance');
      tc.standardOutput(
        [
          `seed ${p.seed} path ${p.path ?? '-'}`,
          `schedule file: ${report.scheduleFiles[p.name] ?? '-'}`,
          ...p.violations.map((v) => `${v.clauseId}: ${v.message}`),
        ].join('\n'),
      );
    }
  }
  const clauses = builder.testSuite().name(`continuum-kit conformance (${report.target}): clauses`);
  for (const c of report.clauses) {
    const tc = clauses.testCase().className('clauses').name(`${c.id} ${c.title}`);
    if (c.status === 'failed') tc.failure(c.note, c.id);
    else if (c.status !== 'passed') tc.skipped().standardOutput(`${c.status}: ${c.note}`);
  }
  return builder.build();
}
