import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@hookline/service-kit';
import { tlsPairOf } from './tls';
import { TunnelGatewayConfig } from './tunnel-gateway.config';

const TLS = join(__dirname, '..', '..', 'test', 'tls');
const CERT = join(TLS, 'cert.pem');
const KEY = join(TLS, 'key.pem');

const load = (env: Record<string, string>) =>
  loadConfig('tunnel-gateway', TunnelGatewayConfig, { NATS_URL: 'nats://x', MONGO_URL: 'mongodb://x', ...env });

describe('TunnelGatewayConfig TLS settings', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookline-tls-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves plain ws without them, and wss with a certificate and its key', () => {
    expect(tlsPairOf(load({}))).toBeUndefined();
    const pair = tlsPairOf(load({ TUNNEL_TLS_CERT: CERT, TUNNEL_TLS_KEY: KEY }));
    expect(pair?.cert.toString()).toContain('BEGIN CERTIFICATE');
    expect(pair?.key.toString()).toContain('PRIVATE KEY');
  });

  it('serves the files as they were when checked, read once however often the config loads', () => {
    const cert = join(dir, 'served-cert.pem');
    const key = join(dir, 'served-key.pem');
    writeFileSync(cert, readFileSync(CERT));
    writeFileSync(key, readFileSync(KEY));
    const env = { TUNNEL_TLS_CERT: cert, TUNNEL_TLS_KEY: key };
    load(env);
    // Replaced between the server's config load and the module's: the checked pair is served.
    writeFileSync(key, 'not a key');
    expect(tlsPairOf(load(env))?.key.toString()).toBe(readFileSync(KEY, 'utf8'));
  });

  it('wants both files', () => {
    expect(() => load({ TUNNEL_TLS_CERT: CERT })).toThrow(/TUNNEL_TLS_KEY is required/);
    expect(() => load({ TUNNEL_TLS_KEY: KEY })).toThrow(/TUNNEL_TLS_CERT is required/);
  });

  it('refuses unreadable files and a key that is not the certificate’s, at start', () => {
    const missing = join(dir, 'missing.pem');
    expect(() => load({ TUNNEL_TLS_CERT: missing, TUNNEL_TLS_KEY: KEY })).toThrow(
      `TUNNEL_TLS_CERT: cannot read ${missing}: ENOENT`,
    );
    const otherKey = join(dir, 'other-key.pem');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(otherKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => load({ TUNNEL_TLS_CERT: CERT, TUNNEL_TLS_KEY: otherKey })).toThrow(
      /TUNNEL_TLS_CERT: certificate and key do not make a TLS pair: .*key values mismatch/,
    );
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(() => load({ TUNNEL_TLS_CERT: notPem, TUNNEL_TLS_KEY: KEY })).toThrow(
      /TUNNEL_TLS_CERT: certificate and key do not make a TLS pair/,
    );
  });
});
