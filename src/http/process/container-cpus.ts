/**
 * How many CPUs this process may use: the container's CPU limit (cgroup v2 `cpu.max`, or v1's
 * CFS quota) where one is set, else the cores the scheduler gives it. Node 20's
 * os.availableParallelism() (libuv 1.46) counts cores only: in a pod limited to 1 CPU on a
 * 16-core node it answers 16, and 16 workers would share one CPU's time.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Reads a file's text, or undefined when it cannot (no cgroup file there). */
export type ReadText = (path: string) => string | undefined;

const readText: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** The CPU limit in CPUs (quota / period), or undefined when none is set. */
export function cgroupCpuLimit(read: ReadText = readText): number | undefined {
  // v2: "max 100000" (no limit) or "<quota> <period>"
  const v2 = read('/sys/fs/cgroup/cpu.max')?.trim().split(/\s+/);
  if (v2 && v2.length === 2) {
    const [quota, period] = v2.map(Number) as [number, number];
    return Number.isFinite(quota) && period > 0 && quota > 0 ? quota / period : undefined;
  }
  // v1: a quota of -1 is no limit
  const quota = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')?.trim());
  const period = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')?.trim());
  return quota > 0 && period > 0 ? quota / period : undefined;
}

/**
 * Whole CPUs to run workers on, 1 to `max`: the limit rounded down (a worker on a fraction of a
 * CPU is throttled; the spare fraction serves librdkafka's threads and the garbage collector),
 * never more than the cores.
 */
export function containerCpus(max: number, read: ReadText = readText, cores: number = availableParallelism()): number {
  const limit = cgroupCpuLimit(read);
  const cpus = limit === undefined ? cores : Math.min(cores, Math.floor(limit));
  return Math.max(1, Math.min(max, cpus));
}

/**
 * One worker's share of a budget the whole server has (--max-pending-records, --max-pending-bytes):
 * an even split, but never less than `floor` (what one request may need: --batch-limit records,
 * --body-limit bytes), or that request could never be admitted by any worker.
 */
export function workerShare(total: number, workers: number, floor: number): number {
  return Math.max(Math.min(total, floor), Math.ceil(total / workers));
}
