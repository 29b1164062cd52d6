import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './generate';

/** The front door's own files, built by this package's `build`. */
export const SITE_DIR = join(REPO_ROOT, 'packages', 'front-door', 'dist', 'site');

/** The console's build when there is one, else the placeholder page. */
export function consoleDir(): string {
  const built = join(REPO_ROOT, 'apps', 'console', 'dist');
  return existsSync(join(built, 'index.html')) ? built : join(SITE_DIR, 'console');
}
