/** --workers' default: the container's CPU limit from cgroup v2 or v1, else the cores; and each worker's share of a budget. */
import { describe, expect, it } from '@jest/globals';
import { cgroupCpuLimit, containerCpus, workerShare } from '../../../../src/http/process/container-cpus.js';

const files =
  (map: Record<string, string>) =>
  (path: string): string | undefined =>
    map[path];

describe('containerCpus', () => {
  it.each([
    ['cgroup v2 with a limit of 2 CPUs', { '/sys/fs/cgroup/cpu.max': '200000 100000\n' }, 2],
    ['cgroup v2 with 1.5 CPUs (rounded down)', { '/sys/fs/cgroup/cpu.max': '150000 100000\n' }, 1],
    ['cgroup v2 with 250m (at least one)', { '/sys/fs/cgroup/cpu.max': '25000 100000\n' }, 1],
    ['cgroup v2 without a limit (the cores)', { '/sys/fs/cgroup/cpu.max': 'max 100000\n' }, 16],
    [
      'cgroup v1 with a limit of 4 CPUs',
      { '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '400000\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' },
      4,
    ],
    [
      'cgroup v1 without a limit',
      { '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' },
      16,
    ],
    ['no cgroup files (the cores)', {}, 16],
    ['a limit above the cores (the cores)', { '/sys/fs/cgroup/cpu.max': '3200000 100000\n' }, 16],
  ])('%s', (_what, map, expected) => {
    expect(containerCpus(64, files(map), 16)).toBe(expected);
  });

  it('never goes past the flag’s maximum, and reads garbage as no limit', () => {
    expect(containerCpus(64, files({}), 96)).toBe(64);
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': 'garbage\n' }))).toBeUndefined();
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '0 100000' }))).toBeUndefined();
  });

  it('answers on this machine with at least one CPU', () => {
    expect(containerCpus(64)).toBeGreaterThanOrEqual(1);
  });
});

describe('workerShare', () => {
  it('splits a budget evenly, rounding up', () => {
    expect(workerShare(20_000, 1, 1000)).toBe(20_000);
    expect(workerShare(20_000, 2, 1000)).toBe(10_000);
    expect(workerShare(20_001, 2, 1000)).toBe(10_001);
  });

  it('keeps a share that one whole request fits in, never above the total', () => {
    expect(workerShare(2000, 4, 1000)).toBe(1000);
    expect(workerShare(1000, 4, 1000)).toBe(1000);
    expect(workerShare(500, 4, 1000)).toBe(500);
  });
});
