import type { FaultRunOptions } from '../../conformance/faults/index.js';

/**
 * Options for runs that must pass on the reference. The test files run side by side on a 2-core
 * machine, and a fault run makes only tens of writes under fault, so its p99 is their maximum:
 * one stall of the machine (a GC, an fsync, a descheduled process) decides it. In CI that reached
 * 143 ms once against the default 50 ms bound. A producer that waits on the bus waits out the
 * outage or its publish timeout (0.9-2 s in the blocking-producer test, which keeps the default
 * bound and must still be caught), so 250 ms keeps these runs meaningful on a loaded machine.
 */
export const LOADED_CI: FaultRunOptions = { localWriteBoundMs: 250 };

/**
 * ack_wait of the fault environments in these tests: what a killed projector held comes back in
 * 2 s instead of the contract's 30 s, which the CLI's fault runs use (and report recovery under).
 */
export const SHORT_ACK_WAIT_MS = 2000;
