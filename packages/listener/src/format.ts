import { ApiError, NotSignedInError, UnreachableError } from './api';
import { ConfigError } from './config';

/** Exit codes, from sysexits(3) where one fits, so scripts can tell a typo from an outage. */
export const EXIT = { ok: 0, api: 1, usage: 64, data: 65, unavailable: 69, config: 78, auth: 77 } as const;

export interface Column<Row> {
  header: string;
  value: (row: Row) => unknown;
}

/** Left-aligned columns two spaces apart, a header line first; an empty list says so instead. */
export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[], empty = '(none)'): string {
  if (rows.length === 0) return `${empty}\n`;
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(columns.map((c) => c.header)), ...cells.map(line)].join('\n')}\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** One `field: value` line per top-level field, for `get` and `create` answers. */
export function fields(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  const width = Math.max(...keys.map((k) => k.length));
  return `${keys.map((k) => `${`${k}:`.padEnd(width + 2)}${cell(record[k])}`).join('\n')}\n`;
}

/** What went wrong, in words that say what to do next; with the exit code it deserves. */
export function describeError(err: unknown): { text: string; code: number } {
  if (err instanceof UnreachableError) {
    return {
      text: `${err.message}\nIs the stack running? Start it with \`./hookline up\`, or point the CLI elsewhere with --url or HOOKLINE_URL.`,
      code: EXIT.unavailable,
    };
  }
  if (err instanceof NotSignedInError) return { text: err.message, code: EXIT.auth };
  if (err instanceof ConfigError) return { text: err.message, code: EXIT.config };
  if (err instanceof ApiError) return { text: describeApiError(err), code: err.status === 401 ? EXIT.auth : EXIT.api };
  return { text: (err as Error).message, code: EXIT.api };
}

function describeApiError(err: ApiError): string {
  const head = err.body
    ? `${err.body.error}: ${err.body.message} (${err.status})`
    : `HTTP ${err.status} from ${err.url}`;
  const lines = [head, ...(err.body?.details ?? []).map((d) => `  ${d.field}: ${d.reason}`)];
  if (err.body?.correlationId) lines.push(`  correlation id: ${err.body.correlationId}`);
  if (err.status === 401)
    lines.push('Sign in with `hookline login` (or give an API key: `hookline login --api-key <key>`).');
  if (err.status === 403) lines.push('The signed-in user or key lacks the role this needs (admin for most changes).');
  return lines.join('\n');
}
