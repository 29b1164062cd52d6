#!/usr/bin/env node
/**
 * `pnpm --filter @hookline/front-door generate`: rewrites the committed openapi.json from the built
 * services, and from the route table infra/front-door/caddy.json and the Helm chart's routes.json.
 */
import { writeFileSync } from 'node:fs';
import { composeCaddyConfig } from '../caddy';
import { COMPOSE_CADDY_FILE, formatDocument, generateDocument, OPENAPI_FILE } from '../generate';
import { HELM_ROUTES_FILE, ingressRoutes } from '../ingress';

writeFileSync(COMPOSE_CADDY_FILE, formatDocument(composeCaddyConfig()));
writeFileSync(HELM_ROUTES_FILE, `${JSON.stringify(ingressRoutes(), null, 2)}\n`);

generateDocument().then(
  (document) => {
    writeFileSync(OPENAPI_FILE, formatDocument(document));
    process.stdout.write(`${OPENAPI_FILE}: ${Object.keys(document.paths).length} paths\n`);
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
