import type { SecureNatsMode } from '../../harness/security/start-secure-nats.js';
import { startFaultEnv } from '../../conformance/faults/fault-env.js';
import { replayFaultScheduleFile } from '../../conformance/faults/replay-fault-schedule.js';
import { readFaultScheduleFile } from '../../conformance/faults/fault-schedule-file.js';
import { runSoak } from '../../conformance/faults/run-soak.js';
import { writeFaultReports } from '../../conformance/faults/write-fault-reports.js';
import { EXIT } from '../exit-codes.js';
import { asEnvironmentError } from '../../conformance/runner/run-conformance.js';

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const mb = (b: number | undefined): string => (b === undefined ? '-' : (b / 2 ** 20).toFixed(1));
const ms = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(0)} ms`);

/** `conformance soak`: the reference on its own servers at a steady rate; 0 ok, 1 failed, 2 environment. */
export async function soakCommand(flags: {
  minutes: number;
  rate: number;
  out: string;
  localWriteBoundMs?: number;
}): Promise<number> {
  let env: Awaited<ReturnType<typeof startFaultEnv>> | undefined;
  try {
    say(`conformance soak: ${flags.minutes} min at ${flags.rate} writes/s; starting servers`);
    env = await startFaultEnv();
    const s = await runSoak(env, {
      durationMs: Math.round(flags.minutes * 60_000),
      ratePerSec: flags.rate,
      ...(flags.localWriteBoundMs === undefined ? {} : { localWriteBoundMs: flags.localWriteBoundMs }),
      progress: say,
    });
    const files = await writeFaultReports(flags.out, { soak: s });
    const m = s.memory;
    const last = s.samples.at(-1);
    out(
      `memory   projector RSS ${mb(m.projectorRss.firstBytes)} -> ${mb(m.projectorRss.lastBytes)} MB (max ${mb(m.projectorRss.maxBytes)}, slope ${mb(m.projectorRss.slopeBytesPerMin)} MB/min); producer+kit RSS ${mb(m.producerRss.firstBytes)} -> ${mb(m.producerRss.lastBytes)} MB (slope ${mb(m.producerRss.slopeBytesPerMin)} MB/min), heap slope ${mb(m.producerHeap.slopeBytesPerMin)} MB/min`,
    );
    out(
      `lag      p95 ${ms(s.lagP95Ms)}, worst during ${ms(s.figures.worstLagDuringMs)}, after recovery ${ms(s.figures.worstLagAfterRecoveryMs)}`,
    );
    out(
      `errors   last period: write ${last?.writeErrorsPerSec.toFixed(2) ?? '-'}/s, publish retries ${last?.publishRetriesPerSec.toFixed(2) ?? '-'}/s, projector ${last?.projectorErrorsPerSec?.toFixed(2) ?? '-'}/s; write failures ${s.figures.localWrite.failures}`,
    );
    out(
      `events   ${s.figures.episodesWritten} written, ${s.figures.eventsProjected} projected, ${s.figures.lost} lost, ${s.figures.duplicatesProjected} projected twice`,
    );
    out(`memory   ${s.memoryVerdict.note}`);
    for (const v of s.violations) out(`  ${v.clauseId}: ${v.message}`);
    for (const f of s.failures) out(`  soak: ${f}`);
    out(
      `${s.ok ? 'PASS' : 'FAIL'}: soak of ${(s.durationMs / 60_000).toFixed(1)} min, ${s.samples.length} samples; reports ${files.html}, ${files.json}`,
    );
    return s.ok ? EXIT.ok : EXIT.failure;
  } catch (error) {
    say(`conformance soak: ${asEnvironmentError(error).message}`);
    return EXIT.usage;
  } finally {
    await env?.stop();
  }
}

/** `conformance replay-faults FILE`: 0 the schedule passes now, 1 it still fails, 2 usage or environment. */
export async function replayFaultsCommand(
  file: string,
  flags: { secure?: SecureNatsMode; projectorCmd?: string },
): Promise<number> {
  try {
    await readFaultScheduleFile(file);
  } catch (error) {
    say(`conformance replay-faults: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.usage;
  }
  try {
    say(`replaying ${file} on fresh servers`);
    const r = await replayFaultScheduleFile(file, {
      ...(flags.secure === undefined ? {} : { secure: flags.secure }),
      ...(flags.projectorCmd === undefined ? {} : { projectorCmd: flags.projectorCmd }),
      run: { progress: say },
    });
    const f = r.figures;
    out(
      `${f.faultsInjected} faults, ${f.episodesWritten} written, ${f.eventsProjected} projected, ${f.lost} lost, ${f.duplicatesProjected} projected twice`,
    );
    for (const v of r.violations) out(`${v.clauseId}: ${v.message}`);
    out(r.ok ? 'PASS: the fault schedule no longer fails' : `FAIL: ${r.violations.length} violations`);
    return r.ok ? EXIT.ok : EXIT.failure;
  } catch (error) {
    say(`conformance replay-faults: ${asEnvironmentError(error).message}`);
    return EXIT.usage;
  }
}
