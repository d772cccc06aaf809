import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { addServiceOptions, toNatsConnectOptions } from '../service-options.js';
import type { ServiceCliOptions } from '../service-options.js';
import { runConformanceCommand } from '../conformance/conformance-command.js';
import { replayCommand } from '../conformance/replay-command.js';
import { replayFaultsCommand, soakCommand } from '../conformance/fault-commands.js';
import { registerConformanceSecurity } from './conformance-security.js';
import { DEFAULT_CONCURRENCY, DEFAULT_NUM_RUNS } from '../../conformance/runner/defaults.js';
import type { RunFlags } from '../conformance/conformance-command.js';

const int =
  (min: number) =>
  (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
const num = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
};

const RUN_EXAMPLES = `
Examples:
  # the reference implementation on services started (or found) locally
  $ continuum-kit conformance run --target reference
  # a projector already consuming from a deployment
  $ continuum-kit conformance run --target projector --nats nats://bus:4222 \\
      --pg postgres://kit@db/analytics --valkey redis://cache:6379
  # let the kit start (and kill -9) the projector under test
  $ continuum-kit conformance run --target projector --projector-cmd "./my-projector" --seed 42
  # a producer the kit starts itself, also once with the bus down
  $ continuum-kit conformance run --target producer --nats nats://bus:4222 \\
      --producer-cmd "./my-producer --nats {nats_url} --driver-port {driver_port} --db {db}"
  # only the dedup and guard clauses, 50 runs each
  $ continuum-kit conformance run --target reference --clauses 'CT-4\\.(dedup|guard)' --num-runs 50
  # the reference under faults too (single node, 3-node cluster, mTLS bus), 2 schedules each, 1 min soak
  $ continuum-kit conformance run --target reference --faults --fault-runs 2 --faults-secure mtls --soak-minutes 1

Exit status: 0 conformant, 1 not conformant, 2 usage or environment error.
Reports go to --out (default reports/conformance/): report.json, junit.xml, report.html, and a
schedule file per failure that \`continuum-kit conformance replay FILE\` reruns. With --faults also
faults.json and faults.html, and a .fault-schedule.json per failure for \`conformance replay-faults\`.`;

/** Registers `continuum-kit conformance run|replay`. */
export function registerConformance(program: Command): void {
  const conformance = program
    .command('conformance')
    .description(
      'Property-based conformance runs against a projector or producer, with shrunk counterexamples',
    );
  const run = conformance
    .command('run')
    .description('Run the conformance properties against a target and write the reports')
    .addOption(
      new Option('--target <kind>', 'what is under test')
        .choices(['projector', 'producer', 'reference'])
        .makeOptionMandatory(),
    );
  addServiceOptions(run)
    .option(
      '--projector-cmd <cmd>',
      'start the projector under test as a child (NATS_URL, DATABASE_URL, VALKEY_URL in its env); enables kill -9 checks',
    )
    .option('--projector-instances <n>', 'how many copies of --projector-cmd to run', int(1), 1)
    .option('--driver <url>', 'producer driver base URL (driver/openapi.yaml), for --target producer')
    .option(
      '--producer-cmd <cmd>',
      'producer command the kit starts itself, {nats_url} {driver_port} {db} substituted; also started with the bus down (CT-6.local-writes)',
    )
    .option('--seed <n>', 'property seed (default: random, printed)', int(0))
    .option('--num-runs <n>', 'runs per property', int(1), DEFAULT_NUM_RUNS)
    .option(
      '--concurrency <n>',
      'schedules in flight at once (kill -9 runs go one at a time)',
      int(1),
      DEFAULT_CONCURRENCY,
    )
    .option('--time-budget <s>', 'wall-clock budget of all projector properties together, seconds', int(1))
    .option(
      '--path <path>',
      'path of a counterexample to replay (run~kept steps~kept fields, or run:shrink:..., with --seed and --property)',
    )
    .option('--property <names>', 'comma-separated property names')
    .option('--clauses <pattern>', 'only properties testing a clause matching this regular expression')
    .option(
      '--metrics-url <url>',
      'the projector\'s Prometheus endpoint: checks that continuum_projector_events_total{outcome="stale"} counts every stale event (CT-4.stale)',
    )
    .option('--slo-publish-p99-ms <n>', 'publish p99 threshold, ms (default: the contract)', num)
    .option('--slo-lag-p95-ms <n>', 'projection lag p95 threshold, ms (default: the contract)', num)
    .option('--slo-duplicate-rate <r>', 'duplicate projection rate threshold (default: the contract)', num)
    .option('--max-shrinks <n>', 'executions allowed while minimising a failure', int(0), 60)
    .option(
      '--max-failures <n>',
      'stop running further properties once N have failed (default: run all; a property failing only on clauses an earlier one already shrank is reported unshrunk)',
      int(1),
    )
    .option(
      '--keep-going',
      'explore every property to full depth even after a failure (default: once a failure is found and shrunk, stop exploring: a verdict in about a minute)',
    )
    .option('--property-time-limit-s <n>', 'wall-clock budget per property', int(1), 120)
    .option(
      '--redelivery-wait-ms <n>',
      "after a kill -9, wait this long for redelivery (the consumer's ack_wait)",
      int(0),
      35_000,
    )
    .option(
      '--give-up-ms <n>',
      'stop waiting when nothing changed this long with records still missing (once the consumer acked the run: 500 ms)',
      int(100),
      3000,
    )
    .option('--out <dir>', 'report directory', 'reports/conformance')
    .option(
      '--faults',
      'also run generated fault schedules and a soak on servers the kit starts (--target reference; opt-in, slow)',
    )
    .option('--fault-runs <n>', 'fault schedules per environment (with --faults)', int(1), 4)
    .addOption(
      new Option(
        '--faults-secure <mode>',
        'also run the faults over a secure bus, auth probed during faults',
      ).choices(['mtls', 'jwt']),
    )
    .option(
      '--local-write-bound-ms <n>',
      'local write p99 under fault above the larger of this and 10 x the fault-free p99 fails CT-6.local-writes (with --faults)',
      num,
      50,
    )
    .option(
      '--soak-minutes <m>',
      'soak length after the fault schedules (with --faults); 0 skips it',
      num,
      10,
    )
    .addHelpText('after', RUN_EXAMPLES)
    .action(async (flags: RunFlags & ServiceCliOptions) => {
      process.exitCode = await runConformanceCommand({ ...flags, natsConnect: toNatsConnectOptions(flags) });
    });
  const replay = conformance
    .command('replay')
    .description('Rerun exactly the schedule in FILE (under fresh tenant/agent ids) and report')
    .argument('<file>', 'a schedule file written by `conformance run`');
  addServiceOptions(replay)
    .option(
      '--projector-cmd <cmd>',
      'start the projector under test as a child (default: the one the file records)',
    )
    .option(
      '--projector-instances <n>',
      'how many copies of --projector-cmd to run (default: as recorded)',
      int(1),
    )
    .option(
      '--redelivery-wait-ms <n>',
      'after a kill -9, wait this long for redelivery (default: as recorded)',
      int(0),
    )
    .option(
      '--give-up-ms <n>',
      'stop waiting when nothing changed this long (default: as recorded)',
      int(100),
    )
    .option('--out <dir>', 'where an error report goes', 'reports/conformance')
    .addHelpText(
      'after',
      `
Examples:
  # rerun on the target the file records (its projector command, or its deployment, or the reference)
  $ continuum-kit conformance replay reports/conformance/schedules/duplicates-seed42.schedule.json
  # the same schedule against a fixed build of your projector, on a fresh deployment the kit starts
  $ continuum-kit conformance replay reports/conformance/schedules/duplicates-seed42.schedule.json \\
      --projector-cmd "./my-projector-fixed"

Prints FIXED or STILL FAILING with the clauses. Flags override what the file records; URLs saved
with a redacted password must be given again (flag or environment).
Exit status: 0 the schedule passes now, 1 it still fails, 2 usage or environment error.`,
    )
    .action(async (file: string, flags: RunFlags & ServiceCliOptions) => {
      process.exitCode = await replayCommand(file, { ...flags, natsConnect: toNatsConnectOptions(flags) });
    });
  conformance
    .command('soak')
    .description(
      'Run the reference at a steady rate on servers the kit starts; report memory growth, lag and error rates over time',
    )
    .option('--minutes <m>', 'soak length', num, 10)
    .option('--rate <n>', 'local episode writes per second', int(1), 300)
    .option(
      '--local-write-bound-ms <n>',
      'local write p99 over the soak above this fails CT-6.local-writes',
      num,
      50,
    )
    .option(
      '--out <dir>',
      'report directory (faults.json, faults.html with the plots)',
      'reports/conformance',
    )
    .addHelpText(
      'after',
      `
Example:
  $ continuum-kit conformance soak --minutes 10 --rate 300 --out reports/soak

The soak fails when anything is lost or projected twice beyond the SLO, when the local write p99
exceeds --local-write-bound-ms, or when the projector's RSS floor rises faster than 4 MB/min after
a 60 s warm-up (judged on soaks with at least 4 min of samples after the warm-up). A projector
that exits during the soak stops it with exit 2 and the tail of its log.
Exit status: 0 nothing lost and no clause failed, 1 the soak failed, 2 environment error.`,
    )
    .action(async (flags: { minutes: number; rate: number; out: string; localWriteBoundMs: number }) => {
      process.exitCode = await soakCommand(flags);
    });
  conformance
    .command('replay-faults')
    .description(
      'Rerun exactly the fault schedule in FILE on fresh servers (under a fresh tenant) and report',
    )
    .argument('<file>', 'a .fault-schedule.json written by `conformance run --faults`')
    .addOption(new Option('--secure <mode>', 'replay over a secure bus').choices(['mtls', 'jwt']))
    .option('--projector-cmd <cmd>', 'the projector under test (default: the reference)')
    .addHelpText(
      'after',
      `
Example:
  $ continuum-kit conformance replay-faults reports/conformance/faults-seed-7.fault-schedule.json

Exit status: 0 the schedule passes now, 1 it still fails, 2 usage or environment error.`,
    )
    .action(async (file: string, flags: { secure?: 'mtls' | 'jwt'; projectorCmd?: string }) => {
      process.exitCode = await replayFaultsCommand(file, flags);
    });
  registerConformanceSecurity(conformance);
}
