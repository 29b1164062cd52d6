import { metricSamples } from '@hookline/testing';

/** Cumulative bucket counts of one Prometheus histogram, per series (its labels but `le`), by upper bound. */
export type Buckets = Map<string, Map<number, number>>;

/**
 * The buckets of `metric` (without `_bucket`) summed over what the services at `serviceUrls`
 * report, each series named by `seriesOf(labels)`: e.g. `stream/durable` for
 * `hookline_message_wait_seconds`; the series it names undefined are left out.
 */
export async function histogramBuckets(
  serviceUrls: string[],
  metric: string,
  seriesOf: (labels: Record<string, string>) => string | undefined,
): Promise<Buckets> {
  const buckets: Buckets = new Map();
  for (const url of serviceUrls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const { labels, value } of metricSamples(text, `${metric}_bucket`)) {
      const key = seriesOf(labels);
      if (key === undefined) continue;
      const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
      if (!buckets.has(key)) buckets.set(key, new Map());
      const series = buckets.get(key)!;
      series.set(le, (series.get(le) ?? 0) + value);
    }
  }
  return buckets;
}

/** `hookline_message_wait_seconds` of every consumer, from a message being stored to its handler starting. */
export const waitBuckets = (serviceUrls: string[]): Promise<Buckets> =>
  histogramBuckets(serviceUrls, 'hookline_message_wait_seconds', (labels) => `${labels.stream}/${labels.durable}`);

/** Each series between two snapshots, as bucket bounds: `name 6000: p50 ≤ 1 ms, p99 ≤ 20 ms, p99.9 ≤ 50 ms`. */
export function describeBuckets(before: Buckets, after: Buckets): string {
  return [...after]
    .map(([key, counts]) => {
      const delta = [...counts]
        .sort(([a], [b]) => a - b)
        .map(([le, n]) => [le, n - (before.get(key)?.get(le) ?? 0)] as const);
      const total = delta.find(([le]) => le === Number.POSITIVE_INFINITY)?.[1] ?? 0;
      if (total === 0) return undefined;
      const bound = (q: number) => {
        const le = delta.find(([, n]) => n >= q * total)?.[0] ?? Number.POSITIVE_INFINITY;
        return Number.isFinite(le) ? `${le * 1000} ms` : 'more';
      };
      return `${key} ${total}: p50 ≤ ${bound(0.5)}, p99 ≤ ${bound(0.99)}, p99.9 ≤ ${bound(0.999)}`;
    })
    .filter((line) => line !== undefined)
    .join('; ');
}
