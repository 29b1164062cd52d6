import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '@hookline/service-kit';
import { SERVICE_NODE_FLAGS } from '@hookline/testing';
import { APPS, settingsOf } from './app-settings';

/**
 * docker-compose.yml cannot be run here (no Docker engine), so it is checked against the apps'
 * config classes instead: every setting a service refuses to start without must be in its
 * environment, and the ports and dependencies must match what the service actually does.
 */

const ROOT = join(__dirname, '..', '..');

// Services that are not apps: the official nats and mongo images and the front door (Caddy).
const INFRA = ['nats', 'mongo', 'proxy'];
// Apps that are not services: the console is static files inside the front door's image.
const STATIC_APPS = ['console'];

type EnvValue = string | number | boolean | null;
interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, EnvValue> | string[] };
  ports?: (string | number | { target?: number | string; published?: number | string })[];
  environment?: Record<string, EnvValue> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
}
interface ComposeFile {
  services?: Record<string, ComposeService>;
}

/**
 * Compose's variable substitution as on a fresh checkout with nothing exported in the shell:
 * `${X:-default}` and `${X-default}` give the default, `${X}`, `$X` and `${X:+alt}` give '',
 * `${X:?message}` makes `docker compose up` fail, and `$$` is a literal `$`.
 */
function interpolate(value: string): { value: string } | { unset: string } {
  let unset: string | undefined;
  const result = value.replace(
    /\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_]\w*)/g,
    (match: string, name?: string, operator?: string, argument?: string) => {
      if (match === '$$') return '$';
      if (operator === '-' || operator === ':-') return argument ?? '';
      if ((operator === '?' || operator === ':?') && name) unset ??= name;
      return '';
    },
  );
  return unset === undefined ? { value: result } : { unset };
}

function environmentOf(service: ComposeService): Record<string, EnvValue> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(
    env.map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
}

/** `[published, target]` for each port mapping, in short ("8081:8081", "127.0.0.1:8081:8081") or long syntax. */
function portsOf(service: ComposeService): [string | undefined, string][] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return [port.published?.toString(), String(port.target)];
    const parts = String(port).split('/')[0].split(':');
    const target = parts[parts.length - 1];
    return [parts.length > 1 ? parts[parts.length - 2] : undefined, target];
  });
}

function dependenciesOf(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  // The list form waits only for the container to start, i.e. condition service_started.
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition]));
}

function healthcheckCommand(service: ComposeService): string | undefined {
  const hc = service.healthcheck;
  if (!hc || hc.disable || hc.test === undefined) return undefined;
  return Array.isArray(hc.test) ? hc.test.join(' ') : hc.test;
}

/** Every way the compose file disagrees with the apps; empty when it describes them correctly. */
function composeProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};

  const expected = [...Object.keys(APPS), ...INFRA].sort();
  const actual = Object.keys(services).sort();
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    problems.push(`services are [${actual.join(', ')}], expected [${expected.join(', ')}]`);
  }
  for (const name of INFRA) {
    if (services[name] && !healthcheckCommand(services[name])) problems.push(`${name}: has no healthcheck`);
  }

  for (const [app, cls] of Object.entries(APPS)) {
    const service = services[app];
    if (!service) continue;
    const problem = (text: string): void => void problems.push(`${app}: ${text}`);

    const build = typeof service.build === 'string' ? { context: service.build } : service.build;
    const args = Array.isArray(build?.args)
      ? Object.fromEntries(build.args.map((arg) => arg.split('=', 2)))
      : (build?.args ?? {});
    if (String(args.APP) !== app) problem(`build arg APP is ${String(args.APP)}, expected ${app}`);
    if (!existsSync(join(ROOT, 'apps', String(args.APP), 'package.json'))) {
      problem(`build arg APP names no app directory: apps/${String(args.APP)}`);
    }
    const dockerfile = join(ROOT, build?.context ?? '.', build?.dockerfile ?? 'Dockerfile');
    if (dockerfile !== join(ROOT, 'infra', 'Dockerfile')) problem(`builds from ${dockerfile}, not infra/Dockerfile`);

    const settings = settingsOf(cls);
    const raw = environmentOf(service);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (!settings.declared.has(key)) problem(`environment sets ${key}, which ${cls.name} does not declare`);
      // A bare `KEY:` passes the shell's value through; on a fresh checkout there is none.
      if (value === null) continue;
      const resolved = interpolate(String(value));
      if ('unset' in resolved) problem(`${key} needs ${resolved.unset} exported in the shell; give it a default`);
      else env[key] = resolved.value;
    }
    for (const key of settings.required) {
      if (!env[key]) problem(`environment lacks ${key}, which ${cls.name} requires`);
    }
    if (settings.declared.has('MONGO_URL') !== 'MONGO_URL' in raw) {
      problem(`MONGO_URL must be set exactly when ${cls.name} declares it`);
    }
    if (!env.PORT) problem('environment lacks PORT, which the healthcheck reads');

    // The real loader decides what the container listens on and whether it starts at all.
    let listening: number | undefined;
    try {
      listening = loadConfig(app, cls, env).PORT;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problem(`would not start with this environment: ${err.problems.join('; ')}`);
    }
    const defaultPort = String(new cls().PORT);
    const listeningPort = String(listening ?? defaultPort);
    const ports = portsOf(service);
    if (ports.length !== 1 || ports[0][0] !== defaultPort || ports[0][1] !== listeningPort) {
      const shown = ports.map(([published, target]) => `${published ?? '(random)'}:${target}`).join(', ');
      problem(`ports are [${shown}], expected [${defaultPort}:${listeningPort}]`);
    }

    const deps = dependenciesOf(service);
    for (const [dep, condition] of Object.entries(deps)) {
      if (condition !== 'service_healthy') problem(`depends_on ${dep} with ${condition}, expected service_healthy`);
      if (!services[dep]) problem(`depends_on ${dep}, which is not a service`);
      else if (!healthcheckCommand(services[dep])) problem(`depends_on ${dep}, which has no healthcheck`);
    }
    if (!('nats' in deps)) problem('does not depend on nats');
    if ('MONGO_URL' in raw !== 'mongo' in deps) problem('must depend on mongo exactly when it uses MONGO_URL');

    if (!healthcheckCommand(service)?.includes('/health/ready')) problem('healthcheck does not ask /health/ready');
  }
  return problems;
}

function readCompose(): ComposeFile {
  return parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;
}

describe('docker-compose.yml', () => {
  it('covers exactly the directories in apps/', () => {
    const dirs = readdirSync(join(ROOT, 'apps'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !STATIC_APPS.includes(entry.name))
      .map((entry) => entry.name);
    expect(dirs.sort()).toEqual(Object.keys(APPS).sort());
  });

  it("serves the console from the front door's image", () => {
    const dockerfile = readFileSync(join(ROOT, 'infra', 'front-door', 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('--filter "@hookline/console"');
    expect(dockerfile).toContain('COPY --from=build /repo/apps/console/dist /srv/site/console');
  });

  it("agrees with every app's config class", () => {
    expect(composeProblems(readCompose())).toEqual([]);
  });

  describe('the cross-check itself', () => {
    /** Problems the change adds, so these cases hold whatever state the real file is in. */
    function problemsAfter(change: (services: Record<string, ComposeService>) => void): string[] {
      const before = new Set(composeProblems(readCompose()));
      const compose = readCompose();
      change(compose.services ?? {});
      return composeProblems(compose).filter((problem) => !before.has(problem));
    }

    it('notices a published port that is not the default PORT', () => {
      expect(
        problemsAfter((s) => {
          s.registry.ports = ['9999:8081'];
        }),
      ).toEqual(['registry: ports are [9999:8081], expected [8081:8081]']);
    });

    it('notices a missing required setting', () => {
      expect(
        problemsAfter((s) => {
          delete (s.matcher.environment as Record<string, EnvValue>).NATS_URL;
        }),
      ).toEqual(expect.arrayContaining(['matcher: environment lacks NATS_URL, which MatcherConfig requires']));
    });

    it('notices a service that uses MongoDB without MONGO_URL', () => {
      expect(
        problemsAfter((s) => {
          delete (s.matcher.environment as Record<string, EnvValue>).MONGO_URL;
        }),
      ).toEqual(expect.arrayContaining(['matcher: MONGO_URL must be set exactly when MatcherConfig declares it']));
    });

    it('notices a dependency that only waits for the container to start', () => {
      expect(
        problemsAfter((s) => {
          s.matcher.depends_on = ['nats'];
        }),
      ).toEqual(expect.arrayContaining(['matcher: depends_on nats with service_started, expected service_healthy']));
    });

    it('notices a secret without a default and a wrong build arg', () => {
      expect(
        problemsAfter((s) => {
          (s['change-ingest'].environment as Record<string, EnvValue>).NATS_URL = '${NATS_URL:?set NATS_URL}';
          s['change-ingest'].build = { context: '.', dockerfile: 'infra/Dockerfile', args: { APP: 'ingest' } };
        }),
      ).toEqual(
        expect.arrayContaining([
          'change-ingest: build arg APP is ingest, expected change-ingest',
          'change-ingest: build arg APP names no app directory: apps/ingest',
          'change-ingest: NATS_URL needs NATS_URL exported in the shell; give it a default',
        ]),
      );
    });
  });
});

describe('how a service is started', () => {
  const command = ['node', ...SERVICE_NODE_FLAGS, 'dist/main.js'];

  it("the image runs node with the local stack's flags", () => {
    const dockerfile = readFileSync(join(ROOT, 'infra', 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(cmd && JSON.parse(cmd)).toEqual(command);
  });

  it.each(Object.keys(APPS))("%s's start script runs node with the local stack's flags", (app) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'apps', app, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts.start).toBe(command.join(' '));
  });
});
