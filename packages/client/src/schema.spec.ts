import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGE = join(__dirname, '..');

describe('the generated client types (packages/client/src/schema.ts)', () => {
  it('are what openapi-typescript makes of the committed OpenAPI document', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'hookline-client-'));
    try {
      const fresh = join(scratch, 'schema.ts');
      // The package's exports map hides its bin; pnpm links the package into this one's node_modules.
      const cli = join(PACKAGE, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
      execFileSync(process.execPath, [cli, join(PACKAGE, '../front-door/src/openapi.json'), '--output', fresh], {
        stdio: 'pipe',
      });
      const prettier = require.resolve('prettier/bin/prettier.cjs', { paths: [PACKAGE] });
      execFileSync(process.execPath, [prettier, '--write', fresh, '--config', join(PACKAGE, '../../.prettierrc')], {
        stdio: 'pipe',
      });
      // On failure: pnpm --filter @hookline/client generate
      expect(readFileSync(fresh, 'utf8')).toBe(readFileSync(join(PACKAGE, 'src', 'schema.ts'), 'utf8'));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});
