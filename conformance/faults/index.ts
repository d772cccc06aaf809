/**
 * Fault injection and soak for the conformance kit: fault schedules as fast-check arbitraries,
 * an executor on services started from binaries, checks with clause IDs, a bounded soak, and
 * deliberately weakened deployments that must be caught.
 */
export { FAULT_KINDS, describeStep, scheduleFaults, scheduleWrites } from './fault-schedule.js';
export type { Fault, FaultKind, FaultSchedule, FaultScheduleFile, FaultStep } from './fault-schedule.js';
export { coverageSchedule, faultArbitrary, faultScheduleArbitrary } from './fault-schedule-arbitrary.js';
export type { FaultScheduleBounds } from './fault-schedule-arbitrary.js';
export { readFaultScheduleFile, saveFaultSchedule } from './fault-schedule-file.js';
export { replayFaultScheduleFile } from './replay-fault-schedule.js';
export { referenceProjectorCommand, startFaultEnv } from './fault-env.js';
export type { FaultEnv, FaultEnvOptions } from './fault-env.js';
export { startLatencyProxy } from './latency-proxy.js';
export type { LatencyProxy } from './latency-proxy.js';
export { FaultUnsupportedError, healFault, injectFault } from './inject-fault.js';
export { runFaultSchedule } from './run-fault-schedule.js';
export type { FaultRunOptions } from './run-fault-schedule.js';
export type {
  FaultClauseVerdict,
  FaultRunFigures,
  FaultRunResult,
  LocalWriteFigures,
} from './fault-run-result.js';
export { checkFaultRun } from './check-fault-run.js';
export { runFaultProperty, totalFigures } from './run-fault-property.js';
export type { FaultPropertyOptions, FaultPropertyResult, FaultTotals } from './run-fault-property.js';
export { judgeMemory, runSoak, SOAK_MEMORY_DEFAULTS } from './run-soak.js';
export type { MemoryGrowth, MemoryVerdict, SoakOptions, SoakResult, SoakSample } from './run-soak.js';
export { FaultWorkload } from './fault-workload.js';
export { ReferenceWriter } from './local-writer.js';
export type { LocalWriter, WriterOptions } from './local-writer.js';
export { BlockingWriter } from './blocking-writer.js';
export { ackBeforeCommitProjectorCommand } from './weakened.js';
export { faultSectionHtml, soakSectionHtml } from './fault-report-html.js';
export { timeSeriesSvg } from './time-series-svg.js';
export { writeFaultReports } from './write-fault-reports.js';
export { runFaultSuite } from './run-fault-suite.js';
export type { FaultSuiteOptions, FaultSuiteResult } from './run-fault-suite.js';
export { secureReferenceProjectorCommand } from './fault-env.js';
