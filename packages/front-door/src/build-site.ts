/**
 * Assembles dist/site, the front door's own files: the merged document at /openapi.json, Swagger UI
 * at /docs (copied from swagger-ui-dist, so the reference works offline) and a placeholder console.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OPENAPI_FILE } from './generate';
import { SITE_DIR } from './site';
import { DOCS_PATH, OPENAPI_PATH } from './routes';

const SITE = SITE_DIR;
const swaggerUi = dirname(require.resolve('swagger-ui-dist/package.json'));

rmSync(SITE, { recursive: true, force: true });
mkdirSync(join(SITE, DOCS_PATH), { recursive: true });
copyFileSync(OPENAPI_FILE, join(SITE, OPENAPI_PATH));
for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js'])
  copyFileSync(join(swaggerUi, file), join(SITE, DOCS_PATH, file));
writeFileSync(
  join(SITE, DOCS_PATH, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Hookline API reference</title>
  <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script>SwaggerUIBundle({ url: '${OPENAPI_PATH}', dom_id: '#reference', deepLinking: true });</script>
</body>
</html>
`,
);
mkdirSync(join(SITE, 'console'), { recursive: true });
writeFileSync(
  join(SITE, 'console', 'index.html'),
  `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hookline</title></head>
<body>
  <h1>Hookline</h1>
  <p>The console is not built yet. The API reference is at <a href="${DOCS_PATH}/">${DOCS_PATH}</a>,
  its document at <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</p>
</body>
</html>
`,
);
