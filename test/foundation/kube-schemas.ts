import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * kubeconform's JSON schemas, made here from the Kubernetes API's OpenAPI document (the one that
 * `./hookline setup` takes from kubectl's Go module) the way its openapi2jsonschema script makes the
 * published ones: every schema stands alone, objects refuse unknown fields (strict), and the two
 * types that are an int or a string in YAML say so. kubeconform's schema download is not reachable here.
 */

type Schema = { [key: string]: unknown };
interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Values that YAML may write as numbers though the document says string. */
const INT_OR_STRING: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { oneOf: [{ type: 'string' }, { type: 'integer' }] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
};

function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, strict(value)])) as Schema;
  if (copy.type === 'object' && copy.properties && copy.additionalProperties === undefined) {
    copy.additionalProperties = false;
  }
  return copy;
}

function refsOf(schema: unknown, into: Set<string>): void {
  if (Array.isArray(schema)) schema.forEach((item) => refsOf(item, into));
  else if (schema !== null && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') into.add(value.replace('#/definitions/', ''));
      else refsOf(value, into);
    }
  }
}

/** kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}`: `deployment-apps-v1`, `service-v1`. */
function fileNameOf({ group, version, kind }: GroupVersionKind): string {
  const suffix = group ? `-${group.split('.')[0]}-${version}` : `-${version}`;
  return `${kind}${suffix}.json`.toLowerCase();
}

/** Writes a schema for each kind into `dir`; returns kubeconform's `-schema-location` for it. */
export function writeKubeconformSchemas(openApiFile: string, dir: string, kinds: GroupVersionKind[]): string {
  const definitions = (JSON.parse(readFileSync(openApiFile, 'utf8')) as { definitions: Record<string, Schema> })
    .definitions;
  mkdirSync(dir, { recursive: true });
  for (const gvk of kinds) {
    const name = Object.keys(definitions).find((key) =>
      ((definitions[key]['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined) ?? []).some(
        (each) => each.group === gvk.group && each.version === gvk.version && each.kind === gvk.kind,
      ),
    );
    if (!name) throw new Error(`the OpenAPI document has no ${gvk.group}/${gvk.version} ${gvk.kind}`);
    const needed = new Set<string>();
    const queue = [name];
    while (queue.length > 0) {
      const next = queue.pop() as string;
      if (needed.has(next)) continue;
      needed.add(next);
      const refs = new Set<string>();
      refsOf(definitions[next], refs);
      queue.push(...refs);
    }
    const root = strict(definitions[name]) as Schema;
    const properties = root.properties as Record<string, Schema>;
    properties.apiVersion = { type: 'string', enum: [gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version] };
    properties.kind = { type: 'string', enum: [gvk.kind] };
    const schema = {
      ...root,
      definitions: Object.fromEntries([...needed].map((key) => [key, INT_OR_STRING[key] ?? strict(definitions[key])])),
    };
    writeFileSync(join(dir, fileNameOf(gvk)), JSON.stringify(schema));
  }
  return join(dir, '{{ .ResourceKind }}{{ .KindSuffix }}.json');
}
