import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { composeCaddyConfig, ROUTES, serviceOf } from '@hookline/front-door';
import { APPS, settingsOf } from './app-settings';
import { writeKubeconformSchemas } from './kube-schemas';

/**
 * The Helm chart (infra/helm/hookline) rendered by a real helm and checked by kubeconform against
 * the Kubernetes API's schemas, then read like a cluster would: which Service each Ingress path
 * reaches, and whether each service gets the settings its config class requires. `./hookline setup`
 * puts the tools in .tools/bin; without them (no Go on the machine) these tests are skipped.
 */

const ROOT = join(__dirname, '..', '..');
const CHART = join(ROOT, 'infra', 'helm', 'hookline');
const BIN = join(ROOT, '.tools', 'bin');
const HELM = join(BIN, 'helm');
const KUBECONFORM = join(BIN, 'kubeconform');
const KUBERNETES_OPENAPI = join(BIN, 'kubernetes-openapi.json');
const TOOLS_PRESENT = [HELM, KUBECONFORM, KUBERNETES_OPENAPI].every((file) => existsSync(file));

const VALUES = [
  'secrets.encryptionKey=NhAtaWxwFoBs9G+5ctTLfFb6T+2Peb+iLR1o6sAPe0o=',
  'secrets.adminKey=hookline-chart-test-admin-key',
  'ingress.host=hookline.example.com',
];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], input?: string): Run {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, input });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function template(values: string[] = VALUES): Run {
  return run(HELM, ['template', 'hookline', CHART, ...values.flatMap((value) => ['--set', value])]);
}

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
};
interface Container {
  image: string;
  ports: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
}
interface IngressPath {
  path: string;
  pathType: string;
  backend: { service: { name: string; port: { name: string } } };
}

function manifestsOf(yaml: string): Manifest[] {
  return parseAllDocuments(yaml)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

function rendered(values?: string[]): Manifest[] {
  const result = template(values);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return manifestsOf(result.stdout);
}

function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the chart`);
  return found;
}

function containerOf(deployment: Manifest): Container {
  return (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0];
}

function ingressPaths(manifests: Manifest[]): IngressPath[] {
  const ingress = manifests.find((manifest) => manifest.kind === 'Ingress');
  return (ingress?.spec as { rules: { http: { paths: IngressPath[] } }[] }).rules.flatMap((rule) => rule.http.paths);
}

/** The Service an Ingress path reaches, with the container port behind it, as a cluster resolves them. */
function backendOf(manifests: Manifest[], path: string): { service: string; containerPort: number } | undefined {
  const entry = ingressPaths(manifests).find((each) => each.path === path);
  if (!entry) return undefined;
  const service = find(manifests, 'Service', entry.backend.service.name).spec as {
    selector: Record<string, string>;
    ports: { name: string; targetPort: string }[];
  };
  const port = service.ports.find((each) => each.name === entry.backend.service.port.name);
  const deployment = manifests.find(
    (manifest) =>
      manifest.kind === 'Deployment' &&
      Object.entries(service.selector).every(
        ([key, value]) =>
          (manifest.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels[
            key
          ] === value,
      ),
  );
  const containerPort = deployment && containerOf(deployment).ports.find((each) => each.name === port?.targetPort);
  return containerPort
    ? { service: entry.backend.service.name, containerPort: containerPort.containerPort }
    : undefined;
}

const describeWithTools = TOOLS_PRESENT ? describe : describe.skip;

describeWithTools('the Helm chart', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'hookline-chart-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function kubeconform(yaml: string): Run {
    const location = writeKubeconformSchemas(KUBERNETES_OPENAPI, join(work, 'schemas'), [
      { group: '', version: 'v1', kind: 'Secret' },
      { group: '', version: 'v1', kind: 'Service' },
      { group: 'apps', version: 'v1', kind: 'Deployment' },
      { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
    ]);
    const file = join(work, 'manifests.yaml');
    writeFileSync(file, yaml);
    return run(KUBECONFORM, ['-strict', '-summary', '-schema-location', location, file]);
  }

  it('passes helm lint --strict', () => {
    const result = run(HELM, ['lint', '--strict', CHART, ...VALUES.flatMap((value) => ['--set', value])]);
    expect(result.stderr + result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders manifests that kubeconform -strict accepts', () => {
    const result = template();
    expect(result.stderr).toBe('');
    const check = kubeconform(result.stdout);
    expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({
      status: 0,
      output: expect.stringMatching(/Summary: 16 resources found .* Valid: 16, Invalid: 0, Errors: 0, Skipped: 0/),
    });
  });

  it('makes kubeconform refuse a field Kubernetes does not know', () => {
    const broken = template().stdout.replace('terminationGracePeriodSeconds:', 'terminationGracePeriod:');
    const check = kubeconform(broken);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain("additional properties 'terminationGracePeriod' not allowed");
  });

  it('refuses to render without an encryption key', () => {
    const result = template(VALUES.filter((value) => !value.startsWith('secrets.encryptionKey')));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('secrets.encryptionKey is required');
  });

  it('refuses values the services would refuse at start, naming the value', () => {
    const refused = (value: string): string => {
      const result = template([...VALUES, value]);
      expect(result.status).not.toBe(0);
      return result.stderr;
    };
    expect(refused('secrets.encryptionKey=too-short')).toContain("at '/secrets/encryptionKey'");
    expect(refused('secrets.adminKey=short')).toContain("at '/secrets/adminKey'");
    expect(refused('services.dispatcher.replicas=two')).toContain(
      "at '/services/dispatcher/replicas': got string, want integer",
    );
    // A misspelt service would otherwise become a Deployment of an image that does not exist.
    expect(refused('services.dispatchr.replicas=2')).toContain("additional properties 'dispatchr' not allowed");
  });

  it('routes every path of the front door to the Service and port of the service that serves it', () => {
    const manifests = rendered();
    for (const route of ROUTES) {
      for (const path of route.paths) {
        expect({ path, backend: backendOf(manifests, path) }).toEqual({
          path,
          backend: { service: route.service, containerPort: new APPS[route.service]().PORT },
        });
      }
    }
    expect(ingressPaths(manifests).every((entry) => entry.pathType === 'Prefix')).toBe(true);
  });

  it('sends the tunnel WebSocket to tunnel-gateway and everything else to the console', () => {
    const manifests = rendered();
    const tunnel = '/messaging/shared_spaces';
    expect(serviceOf(`${tunnel}/1001/webhooks`)).toBe('tunnel-gateway');
    expect(backendOf(manifests, tunnel)?.service).toBe('tunnel-gateway');
    expect(backendOf(manifests, '/')).toEqual({ service: 'console', containerPort: 8080 });
    expect(containerOf(find(manifests, 'Deployment', 'console')).image).toBe('hookline/front-door:0.1.0');
  });

  it("has a Service for every upstream of the console's image, which is the compose stack's front door", () => {
    const manifests = rendered();
    const dials = [...JSON.stringify(composeCaddyConfig()).matchAll(/"dial":"([^"]+)"/g)].map((match) => match[1]);
    expect(dials).toHaveLength(ROUTES.length);
    for (const dial of dials) {
      const [name, port] = dial.split(':');
      const service = find(manifests, 'Service', name).spec as { ports: { port: number }[] };
      expect({ dial, ports: service.ports.map((each) => each.port) }).toEqual({ dial, ports: [Number(port)] });
    }
  });

  it.each(Object.keys(APPS))('gives %s the settings its config class requires, and probes', (app) => {
    const manifests = rendered();
    const container = containerOf(find(manifests, 'Deployment', app));
    const settings = settingsOf(APPS[app]);
    const names = (container.env ?? []).map((env) => env.name);
    expect(names.filter((name) => !settings.declared.has(name))).toEqual([]);
    expect(settings.required.filter((name) => !names.includes(name))).toEqual([]);
    expect(container.image).toBe(`hookline/${app}:0.1.0`);
    const port = new APPS[app]().PORT;
    expect(container.env?.find((env) => env.name === 'PORT')?.value).toBe(String(port));
    expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    for (const env of container.env ?? []) {
      if (env.name.endsWith('_KEY')) expect(env.valueFrom?.secretKeyRef.name).toBe('hookline');
    }
  });

  it('takes replicas per service and an existing Secret from the values', () => {
    const manifests = rendered([
      'secrets.existingSecret=my-hookline-secrets',
      'services.dispatcher.replicas=3',
      'services.dispatcher.env.ORIGIN_CONCURRENCY=8',
    ]);
    expect(manifests.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
    const dispatcher = find(manifests, 'Deployment', 'dispatcher');
    expect(dispatcher.spec.replicas).toBe(3);
    expect(find(manifests, 'Deployment', 'matcher').spec.replicas).toBe(1);
    const env = containerOf(dispatcher).env ?? [];
    expect(env.find((each) => each.name === 'HOOKLINE_ENCRYPTION_KEY')?.valueFrom?.secretKeyRef.name).toBe(
      'my-hookline-secrets',
    );
    expect(env.find((each) => each.name === 'ORIGIN_CONCURRENCY')?.value).toBe('8');
  });
});
