import { readFile } from 'node:fs/promises';
import { checkExecution } from '../../conformance/check/check-execution.js';
import { PROJECTOR_PROPERTIES } from '../../conformance/properties/catalog.js';
import { bindSchedule, freshBinding, TENANTS } from '../../conformance/streams/bind-schedule.js';
import type { ScheduleFile } from '../../conformance/streams/schedule.js';
import { DEFAULT_SETTLE } from '../../conformance/target/projector-target.js';
import { failRun, guardInternalErrors, type RunFlags } from './conformance-command.js';
import { resolveDeployment, type Deployment } from '../../conformance/runner/resolve-deployment.js';
import { openSession } from '../../conformance/runner/run-conformance.js';
import { EnvironmentError, episodeIdsOf } from '../../conformance/runner/run-properties.js';
import { CONTRACT_SLO } from '../../conformance/runner/slo.js';
import { EXIT } from '../exit-codes.js';

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** A URL saved with its password redacted cannot be used; the flag or environment must give it. */
const usable = (url: string | undefined): string | undefined =>
  url?.includes(':***@') === true ? undefined : url;

/**
 * `conformance replay FILE`: reruns the saved schedule, under fresh ids, on the target the file
 * records (flags override it). Prints FIXED (exit 0) or STILL FAILING with the clauses (exit 1);
 * 2 when the file or the environment is unusable.
 */
export async function replayCommand(file: string, flags: RunFlags): Promise<number> {
  const outDir = flags.out ?? 'reports/conformance';
  const context = { command: 'conformance replay', target: undefined, startedAt: new Date().toISOString() };
  const release = guardInternalErrors(context, outDir);
  let deployment: Deployment | undefined;
  try {
    let saved: ScheduleFile;
    try {
      saved = JSON.parse(await readFile(file, 'utf8')) as ScheduleFile;
    } catch (error) {
      throw new EnvironmentError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    if (saved.kind !== 'continuum-kit.schedule')
      throw new EnvironmentError(`${file} is not a continuum-kit schedule file`);
    const recorded = saved.target;
    const instances = flags.projectorInstances ?? recorded?.instances ?? 1;
    const given = recorded?.services.origin === 'given' ? recorded.services : undefined;
    const projectorCmd = flags.projectorCmd ?? recorded?.projectorCmd;
    const nats = flags.nats ?? usable(given?.nats);
    const pg = flags.pg ?? usable(given?.pg);
    const valkey = flags.valkey ?? usable(given?.valkey);
    const kind =
      flags.projectorCmd === undefined && recorded?.kind === 'reference' ? 'reference' : 'projector';
    deployment = await resolveDeployment({
      kind,
      ...(nats === undefined ? {} : { nats }),
      ...(pg === undefined ? {} : { pg }),
      ...(valkey === undefined ? {} : { valkey }),
      natsConnect: flags.natsConnect,
      ...(projectorCmd === undefined ? {} : { projectorCmd }),
      projectorInstances: instances,
      referenceProducer: false,
    });
    let redeliveryWaitMs =
      flags.redeliveryWaitMs ?? recorded?.redeliveryWaitMs ?? DEFAULT_SETTLE.redeliveryWaitMs;
    if (deployment.ackWaitMs !== undefined)
      redeliveryWaitMs = Math.min(redeliveryWaitMs, deployment.ackWaitMs + 2000);
    const { services } = deployment;
    const session = await openSession({
      target: kind,
      natsUrl: services.natsUrl,
      pgUrl: services.pgUrl,
      valkeyUrl: services.valkeyUrl,
      natsConnect: flags.natsConnect,
      ...(deployment.projectorCmd === undefined ? {} : { projectorCmd: deployment.projectorCmd }),
      projectorInstances: instances,
      seed: saved.seed,
      numRuns: 1,
      slo: CONTRACT_SLO,
      settle: {
        ...DEFAULT_SETTLE,
        redeliveryWaitMs,
        giveUpMs: flags.giveUpMs ?? recorded?.giveUpMs ?? DEFAULT_SETTLE.giveUpMs,
      },
      maxShrinks: 0,
      propertyTimeLimitMs: 60_000,
      outDir,
      progress: say,
    });
    try {
      const binding = freshBinding();
      const bound = bindSchedule(saved.schedule, binding);
      say(
        `replaying ${file}: ${bound.steps.length} steps of property ${saved.property} against ${describe(kind, deployment)} under token ${binding.token}`,
      );
      const exec = await session.target.execute(
        bound,
        binding.token,
        TENANTS.map((t) => binding.ids[t] as string),
        episodeIdsOf(bound),
      );
      // Judged as the run judged it: the same context, and the property's own clause attribution.
      const verdict = checkExecution(exec, {
        singleConsumer: deployment.projectorCmd !== undefined && instances === 1,
      });
      const attribute = PROJECTOR_PROPERTIES.find((p) => p.name === saved.property)?.attribute;
      if (attribute !== undefined) verdict.violations = verdict.findings = attribute(verdict.findings);
      for (const v of verdict.violations) process.stdout.write(`${v.clauseId}: ${v.message}\n`);
      const before = clausesOf(saved.violations ?? []);
      const now = clausesOf(verdict.violations);
      if (now.length === 0) {
        process.stdout.write(
          `FIXED: the schedule of property ${saved.property} passes now (it failed ${before.join(', ') || 'no recorded clause'})\n`,
        );
        return EXIT.ok;
      }
      const same = now.join() === before.join();
      process.stdout.write(
        `STILL FAILING: ${now.join(', ')}${same ? '' : ` (the saved run failed ${before.join(', ') || 'no recorded clause'})`}; ${verdict.violations.length} violations\n`,
      );
      return EXIT.failure;
    } finally {
      await session.close();
    }
  } catch (error) {
    return await failRun(context, error, outDir);
  } finally {
    await deployment?.stop();
    release();
  }
}

function clausesOf(violations: readonly { clauseId: string }[]): string[] {
  return [...new Set(violations.map((v) => v.clauseId))].sort();
}

function describe(kind: 'reference' | 'projector', d: Deployment): string {
  if (kind === 'reference') return 'the reference projector on servers the kit started';
  const where = d.started ? 'a deployment the kit started' : 'the given deployment';
  return d.projectorCmd === undefined
    ? `the projector consuming from ${where}`
    : `\`${d.projectorCmd}\` on ${where}`;
}
