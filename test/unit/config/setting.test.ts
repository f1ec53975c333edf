/** setting.ts: the parsers, and the one duration grammar of every time flag. */
import { describe, expect, it } from '@jest/globals';
import { kafkaSettings } from '../../../src/config/common-settings.js';
import { resolveSettings, type Inputs } from '../../../src/config/resolve.js';
import { flagNamesOf, formatDuration, parse, showValue } from '../../../src/config/setting.js';
import { commands } from '../../../src/commands/index.js';
import { serveProducerSettings } from '../../../src/commands/serve-producer.js';

const inputs = (over: Partial<Inputs>): Inputs => ({ flags: {}, env: {}, dotenv: {}, ...over });

describe('parsers', () => {
  it('parses booleans the usual ways and rejects the rest', () => {
    for (const t of ['1', 'true', 'YES', 'on']) expect(parse.bool(t)).toBe(true);
    for (const f of ['0', 'false', 'no', 'off']) expect(parse.bool(f)).toBe(false);
    expect(() => parse.bool('maybe')).toThrow('must be true or false');
  });

  it('parses ports, 0 included', () => {
    expect(parse.port('0')).toBe(0);
    expect(parse.port('8000')).toBe(8000);
    expect(() => parse.port('70000')).toThrow('TCP port');
    expect(() => parse.port('-1')).toThrow('TCP port');
  });

  it('parses bounded integers', () => {
    expect(parse.int(1, 10)('3')).toBe(3);
    expect(() => parse.int(1, 10)('0')).toThrow('from 1 to 10');
    expect(() => parse.int(1, 10)('2.5')).toThrow('whole number');
  });
});

describe('one duration grammar for every time flag, in milliseconds', () => {
  const timeSettings = commands.flatMap((c) =>
    Object.entries(c.settings)
      .filter(([, s]) => s.flags?.includes('<duration>'))
      .map(([key, s]) => [`${c.name} ${flagNamesOf(s).long ?? key}`, key, s] as const),
  );

  it('covers the time flags of every subcommand', () => {
    const names = timeSettings.map(([name]) => name);
    expect(names).toEqual(
      expect.arrayContaining([
        'ping --timeout',
        'ping --interval',
        'stop --timeout',
        'serve-producer --produce-timeout',
        'serve-producer --shutdown-timeout',
        'dummy --exit-after',
        'dummy --loading-interval',
        'watch --stale',
        'watch --since',
        'ping --connect-timeout',
      ]),
    );
    // no time flag is left on another grammar
    for (const c of commands) for (const s of Object.values(c.settings)) expect(s.flags ?? '').not.toContain('<seconds>');
  });

  it.each(timeSettings)('%s takes plain seconds and units alike', (_name, key, setting) => {
    const resolve = (raw: string): unknown => resolveSettings({ [key]: setting }, inputs({ flags: { [key]: raw } })).values[key];
    expect(resolve('5')).toBe(5000);
    expect(resolve('5s')).toBe(5000);
    expect(resolve('2.5')).toBe(2500);
    expect(resolve('1500ms')).toBe(1500);
    expect(resolve('1m')).toBe(60_000);
    expect(resolve('0.5m')).toBe(30_000);
    expect(() => resolve('5 parsecs')).toThrow(/must be a duration such as 5 \(seconds\), 500ms, 15s or 1m/);
  });

  it("keeps each flag's bounds, in the unit the user wrote", () => {
    const d = parse.duration({ minMs: 100, maxMs: 900_000 });
    expect(d('0.1')).toBe(100);
    expect(() => d('99ms')).toThrow("must be a duration such as 5 (seconds), 500ms, 15s or 1m (from 100ms to 15m), got '99ms'");
    expect(() => d('16m')).toThrow(/to 15m/);
    expect(() => d('-1')).toThrow(/got '-1'/);
    expect(() => d('')).toThrow(/got ''/);
  });

  it('stops a timer at 24 days (Node fires a longer one at once); --since reads back a year', () => {
    expect(() => parse.duration({ minMs: 1 })('25d')).toThrow(/from 1ms to 24d\), got '25d'/);
    expect(parse.duration({ minMs: 1 })('24d')).toBe(24 * 86_400_000);
    const since = commands.find((c) => c.name === 'watch')?.settings.since;
    expect(since?.parse('300d')).toBe(300 * 86_400_000);
  });

  it('shows defaults in --help as a person writes them', () => {
    expect([0, 5, 500, 1000, 1500, 30_000, 90_000, 120_000, 3_600_000, 2 * 86_400_000].map(formatDuration)).toEqual([
      '0s',
      '5ms',
      '500ms',
      '1s',
      '1.5s',
      '30s',
      '90s',
      '2m',
      '1h',
      '2d',
    ]);
    expect(showValue(kafkaSettings.connectTimeout, kafkaSettings.connectTimeout.default)).toBe('30s');
    expect(showValue(kafkaSettings.bootstrapServers, kafkaSettings.bootstrapServers.default)).toBe('localhost:9092');
  });

  it('merges defaults once: a setting with a default is present in the resolved values', () => {
    const r = resolveSettings(serveProducerSettings, inputs({}));
    expect(r.values.produceTimeout).toBe(10_000);
    // below Kubernetes' default grace of 30 s, so the kubelet's SIGKILL does not race the flush
    expect(r.values.shutdownTimeout).toBe(20_000);
    expect(r.values.kafkaProperty).toEqual([]);
    expect(r.values.debug).toBe(false);
    // a derived default: computed from the other values when no source sets it
    expect(r.values.securityProtocol).toBe('PLAINTEXT');
  });
});
