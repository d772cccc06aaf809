import type { CONTRACT } from './contract.js';

/** A table of x-projection.tables. */
export type ProjectionTableName = keyof typeof CONTRACT.projection.tables;

/**
 * The tables of x-projection by what they hold. The spec names them but gives no roles; the
 * names are checked against it here (a renamed table fails the build), so SQL written by hand
 * interpolates these instead of retyping them.
 */
export const PROJECTION_TABLES = {
  /** One row per (tenant_id, agent_id, episode_id). */
  projection: 'arqonbus_continuum_projection',
  /** Every delivered event and its outcome (applied | stale). */
  events: 'arqonbus_continuum_projection_events',
  /** Dead letters with reason and clause. */
  dlq: 'arqonbus_continuum_projection_dlq',
  /** Control-plane actions (CT-7.audit). */
  audit: 'arqonbus_continuum_audit',
} as const satisfies Record<string, ProjectionTableName>;
