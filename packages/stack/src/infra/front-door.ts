import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caddyConfig, consoleDir, SITE_DIR, type ServiceName } from '@hookline/front-door';
import { startedServer } from './nats';
import { findExecutable, isPortFree, spawnServer, type RunningServer } from './process';

export interface StartFrontDoorOptions {
  port: number;
  /** The port each service listens on, on 127.0.0.1. */
  servicePort: (service: ServiceName) => number;
  /** Where the generated Caddy configuration is written. */
  configDir: string;
}

/**
 * Go runtime settings of the front door wherever the stack runs it on one machine (here and
 * under supervisord). Caddy's scheduler otherwise keeps a thread per core spinning for work and
 * collects garbage at every doubling of a small heap; with one scheduler thread and a collection
 * at every fivefold it spent a third less CPU per proxied request on the 2-core bench machine
 * (docs/benchmarks/README.md), and one core is several times what it needs at the stack's peak.
 */
export const FRONT_DOOR_GO_ENV: Readonly<Record<string, string>> = { GOMAXPROCS: '1', GOGC: '400' };

/** Caddy on 127.0.0.1:`port` with the configuration made from the route table (packages/front-door). */
export async function startFrontDoor(options: StartFrontDoorOptions): Promise<RunningServer> {
  const binary = findExecutable('caddy');
  if (!binary) throw new Error('caddy is not installed: run `./hookline setup` or `apt-get install -y caddy`.');
  // Checked first: waiting for the port would otherwise take whatever holds it for the front door.
  if (!(await isPortFree(options.port)))
    throw new Error(`the front door's port ${options.port} is in use (HOOKLINE_PORT)`);
  const config = caddyConfig({
    listen: `127.0.0.1:${options.port}`,
    upstream: (service) => `127.0.0.1:${options.servicePort(service)}`,
    siteDir: SITE_DIR,
    consoleDir: consoleDir(),
  });
  const file = join(options.configDir, 'caddy.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  // Caddy keeps autosaved state under XDG dirs; the scratch directory keeps it out of $HOME.
  const server = spawnServer(binary, ['run', '--config', file], {
    XDG_CONFIG_HOME: join(options.configDir, 'config'),
    XDG_DATA_HOME: join(options.configDir, 'data'),
    ...FRONT_DOOR_GO_ENV,
  });
  return startedServer(`http://127.0.0.1:${options.port}`, options.port, server, 'caddy (front door)', async () => {});
}
