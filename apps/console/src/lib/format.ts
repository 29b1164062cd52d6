/** Formatting shared by every page; pure, so unit-tested. */

export function formatTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const at = new Date(iso);
  const seconds = Math.round((now.getTime() - at.getTime()) / 1000);
  if (seconds >= 0 && seconds < 60) return `${seconds} s ago`;
  if (seconds >= 60 && seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return at.toISOString().replace('T', ' ').slice(0, 19);
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Share of failed deliveries, e.g. `12.5 %`; a dash before the first delivery. */
export function failureRate(fired: number | null, failed: number | null): string {
  if (!fired) return '—';
  return `${(((failed ?? 0) / fired) * 100).toFixed(1)} %`;
}

/** Rally's order parameter for a column and direction. */
export function orderParam(column: string, descending: boolean): string {
  return descending ? `${column} desc` : column;
}

/** Rally's 1-based `start` of a page. */
export function startOf(page: number, pageSize: number): number {
  return (page - 1) * pageSize + 1;
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** A JSON body indented for reading; anything else (an excerpt cut mid-document, text) as it is. */
export function prettyBody(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A share such as a success ratio, e.g. `66.7 %`; a dash when there is nothing to divide. */
export function formatRatio(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '—' : `${(ratio * 100).toFixed(1)} %`;
}

/** Events per second, with enough digits to tell a quiet tenant from an idle one. */
export function formatRate(perSecond: number): string {
  if (perSecond === 0) return '0 /s';
  return perSecond >= 10 ? `${Math.round(perSecond)} /s` : `${perSecond.toPrecision(2)} /s`;
}
