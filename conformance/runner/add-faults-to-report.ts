import type { SecureNatsMode } from '../../harness/security/start-secure-nats.js';
import { faultSectionHtml, soakSectionHtml } from '../faults/fault-report-html.js';
import { runFaultSuite } from '../faults/run-fault-suite.js';
import type { FaultSuiteResult } from '../faults/run-fault-suite.js';
import type { ConformanceReport } from '../report/conformance-report.js';
import { writeReports } from '../report/write-reports.js';
import { mergeFaultClauses } from './merge-fault-clauses.js';

/** What `conformance run --faults` adds to a reference run. */
interface FaultPartOptions {
  seed: number;
  numRuns: number;
  secure?: SecureNatsMode;
  soakMs: number;
  localWriteBoundMs?: number;
  outDir: string;
  progress: (line: string) => void;
}

/**
 * Runs the fault suite (single node, 3-node cluster, optionally a secure bus, then the soak),
 * folds its clause verdicts and conformance into `report`, and rewrites the reports with the
 * fault and soak sections in report.html (faults.json and faults.html are written too).
 */
export async function addFaultsToReport(
  report: ConformanceReport,
  o: FaultPartOptions,
): Promise<FaultSuiteResult> {
  const f = await runFaultSuite({
    seed: o.seed,
    numRuns: o.numRuns,
    cluster: true,
    ...(o.secure === undefined ? {} : { secure: o.secure }),
    soakMs: o.soakMs,
    ...(o.localWriteBoundMs === undefined ? {} : { localWriteBoundMs: o.localWriteBoundMs }),
    outDir: o.outDir,
    progress: o.progress,
  });
  report.clauses = mergeFaultClauses(report.clauses, f.clauses);
  report.conformant &&= f.conformant;
  report.notes.push(
    `faults: ${o.numRuns} generated schedules each on a single node and a 3-node cluster${o.secure === undefined ? '' : ` and a secure bus (${o.secure})`}${o.soakMs > 0 ? `, then a ${(o.soakMs / 60_000).toFixed(1)} min soak` : ''}; details in ${f.files.html}`,
  );
  const sections = [
    faultSectionHtml(f.single, 'Faults: single node'),
    f.cluster === undefined ? '' : faultSectionHtml(f.cluster, 'Faults: 3-node cluster (replicas 3)'),
    f.secure === undefined
      ? ''
      : faultSectionHtml(f.secure, 'Faults: secure bus (auth probed during faults)'),
    f.soak === undefined ? '' : soakSectionHtml(f.soak),
  ].join('\n');
  await writeReports(report, o.outDir, sections);
  return f;
}
