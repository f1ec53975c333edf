/** monitor's probe timeout, a derived default: it gives way to a short --probe-interval, a given value does not. */
import { describe, expect, it } from '@jest/globals';
import { monitorCommand } from '../../../src/commands/monitor.js';
import { resolveSettings } from '../../../src/config/resolve.js';

const resolved = (flags: Record<string, string>, env: Record<string, string> = {}) =>
  resolveSettings(monitorCommand.settings, { flags, env, dotenv: {} });

describe("monitor's --probe-timeout", () => {
  it('keeps the 5 s default under a long interval, and takes half of a short one', () => {
    expect(resolved({}).values.probeTimeout).toBe(5000);
    expect(resolved({ probeInterval: '10s' }).values.probeTimeout).toBe(5000);
    expect(resolved({ probeInterval: '2s' }).values.probeTimeout).toBe(1000);
    expect(resolved({}, { MONITOR_PROBE_INTERVAL: '3s' }).values.probeTimeout).toBe(1500);
    expect(resolved({ probeInterval: '2s' }).sources.probeTimeout).toEqual({ kind: 'default' });
  });

  it('keeps a value the user gave, even a too long one (run() refuses that with exit 2)', () => {
    expect(resolved({ probeInterval: '2s', probeTimeout: '5s' }).values.probeTimeout).toBe(5000);
    expect(resolved({ probeTimeout: '800ms' }).values.probeTimeout).toBe(800);
    expect(resolved({ probeInterval: '2s' }, { MONITOR_PROBE_TIMEOUT: '4s' }).values.probeTimeout).toBe(4000);
  });
});
