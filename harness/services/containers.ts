import type { Logger } from '../logger.js';
import type * as TestcontainersModule from 'testcontainers';
import { SERVICE_ERROR_CODES, ServiceError, type ServiceName } from './service-error.js';

/** A service running in a testcontainers container. */
export interface ContainerService {
  url: string;
  stop(): Promise<void>;
}

const IMAGES: Readonly<Record<ServiceName, string>> = {
  nats: 'nats:2.10',
  pg: 'postgres:16',
  valkey: 'valkey/valkey:8',
};

type Testcontainers = typeof TestcontainersModule;

/**
 * testcontainers is an optional peer dependency: it brings about a hundred packages that only the
 * Docker path needs, so a team that uses it installs it beside the kit.
 */
async function loadTestcontainers(service: ServiceName): Promise<Testcontainers> {
  try {
    return await import('testcontainers');
  } catch (error) {
    throw new ServiceError(
      SERVICE_ERROR_CODES.startFailed,
      `a Docker engine answers but testcontainers is not installed: run \`npm install testcontainers\` ` +
        'beside continuum-kit, or put the server binaries on PATH, or pass the service URLs',
      { service, cause: error },
    );
  }
}

/**
 * Starts `service` with testcontainers (loaded lazily: it is heavy and only needed without
 * binaries). testcontainers finds the engine itself from the process environment.
 */
export async function startContainer(
  service: ServiceName,
  options: { readyTimeoutMs: number; logger: Logger },
): Promise<ContainerService> {
  const { GenericContainer, Wait } = await loadTestcontainers(service);
  const image = IMAGES[service];
  options.logger.info({ image }, `starting ${service} container`);
  let container;
  switch (service) {
    case 'nats':
      container = await new GenericContainer(image)
        .withCommand(['-js'])
        .withExposedPorts(4222)
        .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
        .withStartupTimeout(options.readyTimeoutMs)
        .start();
      return {
        url: `nats://${container.getHost()}:${container.getMappedPort(4222)}`,
        stop: stopper(container),
      };
    case 'valkey':
      container = await new GenericContainer(image)
        .withExposedPorts(6379)
        .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
        .withStartupTimeout(options.readyTimeoutMs)
        .start();
      return {
        url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
        stop: stopper(container),
      };
    case 'pg':
      container = await new GenericContainer(image)
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
        .withExposedPorts(5432)
        // The entrypoint starts postgres twice (init, then for real).
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .withStartupTimeout(options.readyTimeoutMs)
        .start();
      return {
        url: `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres`,
        stop: stopper(container),
      };
  }
}

function stopper(container: { stop(): Promise<unknown> }): () => Promise<void> {
  return async () => {
    await container.stop();
  };
}
