import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { BackoffOptions } from './listener';

export const USAGE = `Usage: hookline listen --space <shared space> --key <API key> --forward <local URL> [options]

Opens a WebSocket tunnel to a Hookline tunnel gateway and POSTs every delivery of the shared
space's websocket webhooks to a receiver on this side of the firewall.

Options:
  --space <name>       shared space to listen on (required)
  --key <key>          API key with the integration role, assigned to the space (or HOOKLINE_API_KEY)
  --forward <url>      local receiver, e.g. http://localhost:3000/hooks (required unless --print)
  --print              pretty-print each payload instead of forwarding it, and answer 200
  --url <ws url>       tunnel gateway (default ws://127.0.0.1:8086, or HOOKLINE_GATEWAY_URL)
  --ca <file>          PEM certificate(s) to trust for a wss gateway, beside the system's
                       (or HOOKLINE_GATEWAY_CA): a private CA or a self-signed gateway
  --timeout <ms>       how long the local receiver may take (default 10000)
  --max-backoff <ms>   longest wait between reconnect attempts (default 30000)
  -h, --help           show this help
`;

export interface ListenCommand {
  gatewayUrl: string;
  sharedSpace: string;
  apiKey: string;
  /** Absent with --print. */
  forward?: string;
  forwardTimeoutMs: number;
  backoff: BackoffOptions;
  /** PEM text of --ca. */
  ca?: string;
}

export type ParsedArgs =
  { kind: 'help' } | { kind: 'listen'; command: ListenCommand } | { kind: 'error'; message: string };

const DEFAULT_GATEWAY = 'ws://127.0.0.1:8086';
const INITIAL_BACKOFF_MS = 500;

/** The CLI's arguments and its two environment fallbacks, checked up front so mistakes show before connecting. */
export function parseListenArgs(argv: string[], env: Record<string, string | undefined>): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        space: { type: 'string' },
        key: { type: 'string' },
        forward: { type: 'string' },
        print: { type: 'boolean', default: false },
        url: { type: 'string' },
        ca: { type: 'string' },
        timeout: { type: 'string' },
        'max-backoff': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length !== 1 || positionals[0] !== 'listen')
    return { kind: 'error', message: 'the only command is `listen`' };
  const apiKey = values.key ?? env.HOOKLINE_API_KEY;
  if (!values.space) return { kind: 'error', message: '--space is required' };
  if (!apiKey) return { kind: 'error', message: '--key (or HOOKLINE_API_KEY) is required' };
  if (values.print === (values.forward !== undefined))
    return { kind: 'error', message: 'give exactly one of --forward <url> and --print' };
  if (values.forward !== undefined && !isUrl(values.forward, ['http:', 'https:']))
    return { kind: 'error', message: '--forward must be an http(s) URL' };
  const gatewayUrl = values.url ?? env.HOOKLINE_GATEWAY_URL ?? DEFAULT_GATEWAY;
  if (!isUrl(gatewayUrl, ['ws:', 'wss:', 'http:', 'https:']))
    return { kind: 'error', message: '--url must be a ws(s) URL' };
  const forwardTimeoutMs = positiveInt(values.timeout, 10_000);
  const maxBackoffMs = positiveInt(values['max-backoff'], 30_000);
  if (forwardTimeoutMs === undefined) return { kind: 'error', message: '--timeout must be a positive number of ms' };
  if (maxBackoffMs === undefined) return { kind: 'error', message: '--max-backoff must be a positive number of ms' };
  const caFile = values.ca ?? env.HOOKLINE_GATEWAY_CA;
  const ca = caFile === undefined ? undefined : readCertificates(caFile);
  if (typeof ca === 'object') return ca;
  return {
    kind: 'listen',
    command: {
      gatewayUrl,
      sharedSpace: values.space,
      apiKey,
      ...(values.forward !== undefined && { forward: values.forward }),
      forwardTimeoutMs,
      ...(ca !== undefined && { ca }),
      backoff: { initialMs: Math.min(INITIAL_BACKOFF_MS, maxBackoffMs), maxMs: maxBackoffMs },
    },
  };
}

function isUrl(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function positiveInt(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The PEM text of a --ca file, or why it cannot be used: checked here so a typo fails before connecting. */
function readCertificates(file: string): string | { kind: 'error'; message: string } {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    return { kind: 'error', message: `--ca: cannot read ${file}: ${(err as { code?: string }).code ?? String(err)}` };
  }
  try {
    new X509Certificate(pem);
  } catch {
    return { kind: 'error', message: `--ca: ${file} holds no PEM certificate` };
  }
  return pem;
}
