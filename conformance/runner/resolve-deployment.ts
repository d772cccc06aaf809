import type { SupervisedChild } from '../../harness/child/index.js';
import { provision } from '../../harness/provision.js';
import { redactUrl, startServices } from '../../harness/services/index.js';
import type { NatsConnectOptions, Origin, Services } from '../../harness/services/index.js';
import type { ScheduleTarget } from '../streams/schedule-target.js';
import {
  KIT_DEPLOYMENT_ACK_WAIT_MS,
  referenceProjectorCmd,
  shortAckConsumer,
  startReferenceProducer,
} from './reference-target.js';

/** What a run or replay is pointed at. */
interface DeploymentRequest {
  kind: 'reference' | 'projector' | 'producer';
  nats?: string;
  pg?: string;
  valkey?: string;
  natsConnect: NatsConnectOptions;
  projectorCmd?: string;
  projectorInstances: number;
  /** Start the reference producer with its driver (the reference without --driver). */
  referenceProducer: boolean;
}

/** Services, the projector command to run and, for the reference, the producer it started. */
export interface Deployment {
  services: Services;
  /** True when the kit started (and provisioned) the servers itself. */
  started: boolean;
  projectorCmd: string | undefined;
  producer: { url: string; process: SupervisedChild } | undefined;
  /** The consumer's ack_wait when the kit set it (reference), else undefined (the contract's or the team's). */
  ackWaitMs: number | undefined;
  notes: string[];
  /** The target as a schedule file records it (given URLs without passwords). */
  describe(settle: { redeliveryWaitMs: number; giveUpMs: number }): ScheduleTarget;
  stop(): Promise<void>;
}

const STARTED: readonly Origin[] = ['binary', 'container'];

/**
 * Resolves the services the documented way. The reference, and a team's projector that the kit
 * starts (`--projector-cmd`), get a fresh deployment: servers from a flag, binaries on PATH or
 * testcontainers (never the environment's, which another run's consumer may share), a fresh
 * database unless `--pg` names one, provisioning; the URLs go to the projector's environment. A projector that is
 * already consuming is tested where it runs: flag, environment, then binaries or containers
 * (where the preflight then finds nothing consuming and says so).
 */
export async function resolveDeployment(r: DeploymentRequest): Promise<Deployment> {
  const own = r.kind === 'reference' || r.projectorCmd !== undefined;
  // A database named by --pg for a team's projector is the team's; the kit's own runs get a fresh one.
  const fresh = r.kind === 'reference' || (own && r.pg === undefined);
  const services = await startServices({
    ...(r.nats === undefined ? {} : { nats: r.nats }),
    ...(r.pg === undefined ? {} : { pg: r.pg }),
    ...(r.valkey === undefined ? {} : { valkey: r.valkey }),
    natsConnect: r.natsConnect,
    sources: own ? ['flag', 'binary', 'container'] : ['flag', 'env', 'binary', 'container'],
    freshDatabase: fresh,
  });
  let producer: Deployment['producer'];
  try {
    const origins = Object.values(services.origin);
    const started = origins.some((o) => STARTED.includes(o));
    const notes: string[] = [];
    if (fresh || started) {
      await provision({
        natsUrl: services.natsUrl,
        pgUrl: services.pgUrl,
        valkeyUrl: services.valkeyUrl,
        natsConnect: r.natsConnect,
      });
      notes.push(
        `deployment: servers ${services.origin.nats}/${services.origin.pg}/${services.origin.valkey}, ${fresh ? 'a fresh database, ' : ''}provisioned by the kit`,
      );
    }
    let ackWaitMs: number | undefined;
    // On a bus the kit started itself nobody else consumes: a short ack_wait brings back what a
    // kill -9 held in seconds, not the contract's 30 s (a team's own bus keeps its settings).
    const ownBus = STARTED.includes(services.origin.nats);
    if (r.kind === 'reference' || (r.projectorCmd !== undefined && ownBus)) {
      await shortAckConsumer(services.natsUrl, r.natsConnect);
      ackWaitMs = KIT_DEPLOYMENT_ACK_WAIT_MS;
      notes.push(
        `deployment: consumer ack_wait ${KIT_DEPLOYMENT_ACK_WAIT_MS} ms on the kit's own deployment, so kill -9 runs are redelivered in seconds`,
      );
    }
    if (r.kind === 'reference' && r.referenceProducer) producer = await startReferenceProducer(services);
    const projectorCmd = r.projectorCmd ?? (r.kind === 'reference' ? referenceProjectorCmd() : undefined);
    return {
      services,
      started,
      projectorCmd,
      producer,
      ackWaitMs,
      notes,
      describe: (settle) => ({
        kind: r.kind === 'reference' ? 'reference' : 'projector',
        ...(r.projectorCmd === undefined ? {} : { projectorCmd: r.projectorCmd }),
        instances: r.projectorInstances,
        services:
          fresh || started
            ? { origin: 'started' }
            : {
                origin: 'given',
                nats: redactUrl(services.natsUrl),
                pg: redactUrl(services.pgUrl),
                valkey: redactUrl(services.valkeyUrl),
              },
        redeliveryWaitMs: settle.redeliveryWaitMs,
        giveUpMs: settle.giveUpMs,
      }),
      async stop() {
        await producer?.process.close();
        await services.stop();
      },
    };
  } catch (error) {
    await producer?.process.close();
    await services.stop();
    throw error;
  }
}
