/**
 * What a schedule ran against, saved in its schedule file so `conformance replay FILE` reruns it
 * on the same kind of target. Never holds secrets: URLs are stored with their password redacted.
 */
export interface ScheduleTarget {
  /** 'reference': the kit's own projector on servers it started; 'projector': a team's projector. */
  kind: 'reference' | 'projector';
  /** `--projector-cmd` as given; absent for the reference and for a projector the kit did not start. */
  projectorCmd?: string;
  /** Copies of the projector the kit ran. */
  instances: number;
  /**
   * 'given': the deployment came from flags or the environment (stored below, passwords redacted);
   * 'started': the kit started and provisioned its own, and a replay does so again.
   */
  services: { origin: 'given' | 'started'; nats?: string; pg?: string; valkey?: string };
  /** Settle bounds the run used. */
  redeliveryWaitMs: number;
  giveUpMs: number;
}
