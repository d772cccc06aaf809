import { randomBytes } from 'node:crypto';
import type { JetStreamManager } from '@nats-io/jetstream';
import { CONTRACT, episodeSubject } from 'continuum-contract';
import type { Violation } from '../check/violation.js';
import { startLatencyProxy } from '../faults/latency-proxy.js';
import { EnvironmentError } from '../runner/run-properties.js';
import { DriverClient } from './driver-client.js';
import type { LaunchedProducer, ProducerLauncher } from './producer-launcher.js';

/** What the bus-down start showed: violations, and the evidence a pass rests on. */
export interface BusDownStartResult {
  violations: Violation[];
  evidence: string;
}

export interface BusDownStartOptions {
  launch: ProducerLauncher;
  /** The real bus; the producer is given a gate in front of it that is closed at first. */
  natsUrl: string;
  jsm: JetStreamManager;
  writes?: number;
  /** Bound on the driver answering, and on the export once the bus is back; default 30 s. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Whether the driver answers within `timeoutMs`; false at once when the producer exits. */
async function answersWhileRunning(
  driver: DriverClient,
  producer: LaunchedProducer,
  timeoutMs: number,
): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (await driver.ready(1000)) return true;
    if (producer.exited().length > 0) return false;
  }
  return false;
}

/**
 * Starts the producer under test while its bus is down (a TCP gate in front of NATS that
 * refuses connections), requires its driver to answer and local writes to succeed
 * (CT-6.local-writes), then opens the gate and requires every write on the bus
 * (CT-6.export-retry). A producer that will not start without the bus fails here, not with an
 * environment error: the bus being down is the situation under test.
 */
export async function checkStartWithBusDown(o: BusDownStartOptions): Promise<BusDownStartResult> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const writes = o.writes ?? 3;
  await using gate = await startLatencyProxy(o.natsUrl);
  gate.cut();
  const producer = await o.launch(gate.url);
  try {
    const driver = new DriverClient(producer.driverUrl);
    if (!(await answersWhileRunning(driver, producer, timeoutMs))) {
      const exits = producer.exited().map((e) => e.code ?? e.signal);
      return {
        violations: [
          {
            clauseId: 'CT-6.local-writes',
            message: `started with the bus down, the producer ${exits.length > 0 ? `exited (${exits.join(', ')})` : 'did not answer GET /health'} within ${timeoutMs} ms; local writes must not depend on the bus. Its log:\n${producer.logTail()}`,
          },
        ],
        evidence: '',
      };
    }
    const tenant = `ckbd${randomBytes(4).toString('hex')}`;
    const accepted: string[] = [];
    const violations: Violation[] = [];
    for (let i = 0; i < writes; i++) {
      const reply = await driver.call<{ event_id?: string; bus?: string }>('POST', '/episodes', {
        tenant_id: tenant,
        agent_id: 'a1',
        body: `written while the bus was down ${i}`,
        tags: [],
        metadata: {},
      });
      if (reply.body.bus === 'connected')
        throw new EnvironmentError('the bus gate let the producer through while closed');
      if (reply.status === 201 && typeof reply.body.event_id === 'string') accepted.push(reply.body.event_id);
      else
        violations.push({
          clauseId: 'CT-6.local-writes',
          message: `POST /episodes with the bus down since start answered ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`,
        });
    }
    if (violations.length > 0) return { violations, evidence: '' };
    gate.restore();
    const subject = episodeSubject(tenant, 'a1');
    const deadline = Date.now() + timeoutMs;
    let onBus = 0;
    while (Date.now() < deadline) {
      const info = await o.jsm.streams.info(CONTRACT.streams.episodes.name, { subjects_filter: subject });
      onBus = info.state.subjects?.[subject] ?? 0;
      if (onBus >= accepted.length) break;
      await sleep(200);
    }
    if (onBus < accepted.length)
      return {
        violations: [
          {
            clauseId: 'CT-6.export-retry',
            message: `${accepted.length} writes accepted while the bus was down since start; ${onBus} on ${subject} ${timeoutMs} ms after the bus came back`,
          },
        ],
        evidence: '',
      };
    return {
      violations: [],
      evidence: `started with the bus down: driver answered, ${accepted.length} local writes accepted (bus not connected), all ${onBus} on the bus after it came back`,
    };
  } finally {
    await producer.close();
  }
}
