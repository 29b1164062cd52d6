import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { BackoffOptions } from './listener';

export const USAGE = `Usage: hookline listen --space <shared space> --key <API key> [--forward <local URL>] [options]

Opens a WebSocket tunnel to a Hookline tunnel gateway and POSTs every delivery of the shared
space's websocket webhooks to a receiver on this side of the firewall: each to its webhook's own
TargetUrl when that is on this machine (localhost, 127.x, [::1]) or on a host given with
--allow-host, otherwise to the --forward URL.

Options:
  --space <name>       shared space to listen on (required)
  --key <key>          API key with the integration role, assigned to the space (or HOOKLINE_API_KEY)
  --forward <url>      receiver for deliveries whose TargetUrl this listener does not reach,
                       e.g. http://localhost:3000/hooks (without it such deliveries fail with 421)
  --allow-host <host>  a further host (name or name:port) webhooks' TargetUrls may name; repeatable
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
  /** Absent with --print, and when deliveries go only to their own targets. */
  forward?: string;
  /** Hosts besides loopback that deliveries' targets may name (--allow-host). */
  allowHosts: string[];
  /** --print: show payloads, forward nothing. */
  print: boolean;
  forwardTimeoutMs: number;
  backoff: BackoffOptions;
  /** PEM text of --ca. */
  ca?: string;
}

export type ParsedArgs =
  { kind: 'help' } | { kind: 'listen'; command: ListenCommand } | { kind: 'error'; message: string };

const DEFAULT_GATEWAY = 'ws://127.0.0.1:8086';
/** A host name, IPv4 or bracketed IPv6 address, with an optional port. */
const HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;
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
        'allow-host': { type: 'string', multiple: true },
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
  const allowHosts = values['allow-host'] ?? [];
  if (values.print && (values.forward !== undefined || allowHosts.length > 0))
    return { kind: 'error', message: '--print forwards nothing: give it without --forward and --allow-host' };
  if (values.forward !== undefined && !isUrl(values.forward, ['http:', 'https:']))
    return { kind: 'error', message: '--forward must be an http(s) URL' };
  const badHost = allowHosts.find((h) => !HOST.test(h));
  if (badHost !== undefined)
    return { kind: 'error', message: `--allow-host takes a host name or name:port, not "${badHost}"` };
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
      allowHosts,
      print: values.print,
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
