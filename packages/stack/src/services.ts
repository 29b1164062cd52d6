/** The six Hookline services, their default ports and the env variable that overrides each port. */
export interface ServiceSpec {
  name: string;
  defaultPort: number;
  portEnv: string;
}

export const SERVICES: readonly ServiceSpec[] = [
  { name: 'registry', defaultPort: 8081, portEnv: 'REGISTRY_PORT' },
  { name: 'change-ingest', defaultPort: 8082, portEnv: 'CHANGE_INGEST_PORT' },
  { name: 'matcher', defaultPort: 8083, portEnv: 'MATCHER_PORT' },
  { name: 'dispatcher', defaultPort: 8084, portEnv: 'DISPATCHER_PORT' },
  { name: 'incoming-hooks', defaultPort: 8085, portEnv: 'INCOMING_HOOKS_PORT' },
  { name: 'tunnel-gateway', defaultPort: 8086, portEnv: 'TUNNEL_GATEWAY_PORT' },
];

export function servicePort(spec: ServiceSpec, env: NodeJS.ProcessEnv = process.env): number {
  const value = env[spec.portEnv];
  return value ? Number(value) : spec.defaultPort;
}

/**
 * Node flags of every service, here, in the image (infra/Dockerfile) and in the apps' start
 * scripts. Each service runs its JavaScript on one thread, but V8 collects the young generation
 * with helper threads by default, and on a machine whose few cores the whole stack shares they
 * compete with the other services (docs/decisions/010-delivery-hot-path.md).
 */
export const SERVICE_NODE_FLAGS = ['--single-threaded-gc'];
