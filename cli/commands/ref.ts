import type { Command } from 'commander';
import { registerRefProjector } from './ref-projector.js';
import { registerRefProducer } from './ref-producer.js';
import { registerRefBackfill } from './ref-backfill.js';
import { registerRefUp } from './ref-up.js';

/** Registers `continuum-kit ref`: the reference producer and projector. */
export function registerRef(program: Command): void {
  const ref = program
    .command('ref')
    .description('Run the reference producer (Continuum side) and projector (Bus side)');
  registerRefUp(ref);
  registerRefProjector(ref);
  registerRefProducer(ref);
  registerRefBackfill(ref);
}
