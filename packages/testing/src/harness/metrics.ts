/** One sample of a metric in Prometheus' text format: its labels and its value. */
export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of `name` (e.g. `hookline_message_wait_seconds_bucket`) in a `/metrics` answer. */
export function metricSamples(exposition: string, name: string): MetricSample[] {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => ({
      labels: Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])),
      value: Number(line.slice(line.lastIndexOf(' ') + 1)),
    }));
}
