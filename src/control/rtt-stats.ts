/** Round-trip statistics as unix ping prints them, plus percentiles. Pure. */

export interface RttStats {
  readonly count: number;
  readonly min: number;
  readonly avg: number;
  readonly max: number;
  /** ping's mdev: the standard deviation of the samples */
  readonly mdev: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Nearest-rank percentile of sorted samples: always one of the samples, never interpolated. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function rttStats(samples: readonly number[]): RttStats | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const sum = sorted.reduce((s, x) => s + x, 0);
  const avg = sum / n;
  const sumSq = sorted.reduce((s, x) => s + x * x, 0);
  // max(0, ...) absorbs rounding when every sample is equal.
  const mdev = Math.sqrt(Math.max(0, sumSq / n - avg * avg));
  return {
    count: n,
    min: sorted[0] as number,
    avg,
    max: sorted[n - 1] as number,
    mdev,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}
