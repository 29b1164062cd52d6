import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// `vite dev` forwards the API to a running stack (./hookline up), as the front door does in production.
const api = process.env.HOOKLINE_URL ?? 'http://127.0.0.1:8080';
const proxied = ['/api', '/apps', '/users', '/pipelines', '/hooks', '/openapi.json'];

export default defineConfig({
  plugins: [react()],
  // The generated client's sources (ES modules), not its CommonJS build for Node.
  resolve: {
    alias: { '@hookline/client': fileURLToPath(new URL('../../packages/client/src/index.ts', import.meta.url)) },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1000 },
  server: { proxy: Object.fromEntries(proxied.map((path) => [path, api])) },
});
