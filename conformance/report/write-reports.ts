import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConformanceReport } from './conformance-report.js';
import { htmlReport } from './html-report.js';
import { junitReport } from './junit-report.js';

/**
 * Writes each failure's schedule file, then report.json, junit.xml and report.html into `dir`;
 * `extraHtml` is appended to report.html (the fault and soak sections of a `--faults` run).
 */
export async function writeReports(report: ConformanceReport, dir: string, extraHtml = ''): Promise<void> {
  await mkdir(path.join(dir, 'schedules'), { recursive: true });
  for (const p of report.properties) {
    if (p.counterexample === undefined) continue;
    const file = path.join(dir, 'schedules', `${p.name}-seed${p.seed}.schedule.json`);
    await writeFile(file, `${JSON.stringify(p.counterexample, null, 2)}\n`);
    report.scheduleFiles[p.name] = file;
  }
  await writeFile(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(dir, 'junit.xml'), junitReport(report));
  await writeFile(path.join(dir, 'report.html'), htmlReport(report, extraHtml));
}
