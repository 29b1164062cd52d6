// Docker HEALTHCHECK for a Hookline service image: slim images have no curl, so node's fetch asks
// the readiness endpoint, which answers 200 only when every dependency of the service answers.
import { readFileSync } from 'node:fs';

// Without PORT the service listens on its config class's default, which the image build recorded.
const port = process.env.PORT || readFileSync(new URL('.default-port', import.meta.url), 'utf8').trim();

try {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
