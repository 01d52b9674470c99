/**
 * Readings of a worker's Prometheus endpoint (the SDK's `temporal_*` metrics; durations in milliseconds), and
 * latency quantiles over an interval: the difference of two scrapes of a histogram's cumulative buckets.
 */
import { metricValue, scrapeMetrics, type MetricSample } from '../../test/support/worker-process-kit';

export { metricValue, scrapeMetrics, type MetricSample };

/** Cumulative bucket counts of one histogram (summed over label sets), by upper bound. */
export type Buckets = Map<number, number>;

/** The buckets of histogram `name` in `samples`, summed over every label set matching `labels`. */
export function histogramBuckets(
  samples: readonly MetricSample[],
  name: string,
  labels: Record<string, string> = {},
): Buckets {
  const buckets: Buckets = new Map();
  for (const sample of samples) {
    if (sample.name !== `${name}_bucket`) continue;
    if (!Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) continue;
    const le = sample.labels['le'] === '+Inf' ? Infinity : Number(sample.labels['le']);
    buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
  }
  return buckets;
}

/** What happened in a histogram between two readings: counts per bucket, `after` minus `before`. */
export function bucketsBetween(before: Buckets, after: Buckets): Buckets {
  const delta: Buckets = new Map();
  for (const [le, count] of after) delta.set(le, count - (before.get(le) ?? 0));
  return delta;
}

/** Number of observations in cumulative `buckets`. */
export function observations(buckets: Buckets): number {
  return buckets.get(Infinity) ?? Math.max(0, ...buckets.values());
}

/**
 * The `q` quantile (0..1) of cumulative `buckets`, interpolated linearly inside its bucket as Prometheus'
 * `histogram_quantile` does; the open top bucket answers its lower bound. Undefined without observations.
 */
export function histogramQuantile(buckets: Buckets, q: number): number | undefined {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = observations(buckets);
  if (total <= 0) return undefined;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound) ?? 0;
    if (count >= rank) {
      if (!Number.isFinite(bound)) return previousBound;
      const inBucket = count - previousCount;
      return inBucket <= 0
        ? bound
        : previousBound + ((bound - previousBound) * (rank - previousCount)) / inBucket;
    }
    previousBound = bound;
    previousCount = count;
  }
  return previousBound;
}

/**
 * The bucket the `q` quantile falls in, as [lower, upper] bounds (upper is Infinity for the open top bucket):
 * the real resolution of a quantile read from a histogram. Undefined without observations.
 */
export function histogramQuantileBucket(buckets: Buckets, q: number): [number, number] | undefined {
  const total = observations(buckets);
  if (total <= 0) return undefined;
  let lower = 0;
  for (const bound of [...buckets.keys()].sort((a, b) => a - b)) {
    if ((buckets.get(bound) ?? 0) >= q * total) return [lower, bound];
    lower = bound;
  }
  return [lower, Infinity];
}
