import type { NatsConnectOptions } from './connect-nats.js';
import type { Services } from './services.js';

/** Where each service answers, as plain data. */
export interface ServiceUrls {
  natsUrl: string;
  natsConnect: NatsConnectOptions;
  pgUrl: string;
  valkeyUrl: string;
}

/**
 * The connection fields of started services as a plain object. `Services` keeps them on
 * accessors, so `{ ...services }` would silently drop them.
 */
export function serviceUrls(s: Services): ServiceUrls {
  return { natsUrl: s.natsUrl, natsConnect: s.natsConnect, pgUrl: s.pgUrl, valkeyUrl: s.valkeyUrl };
}
