import { jsonOutputSetting, kafkaSettings, logSettings, topicSettings } from '../config/common-settings.js';
import { parse, type Setting } from '../config/setting.js';
import { openControlSession } from './common.js';
import { tracingSettings } from '../tracing/tracing-settings.js';
import { defineCommand } from './command-spec.js';

export const controlTargetSetting = {
  flags: '--queue-id <id>',
  env: 'QUEUE_ID',
  description: 'queue to address; "*" addresses every service',
  parse: parse.nonEmpty,
} satisfies Setting<string>;

const settings = {
  queueId: controlTargetSetting,
  expectPong: {
    flags: '--expect-pong',
    env: 'PING_EXPECT_PONG',
    description: 'exit 1 unless every ping is answered in time (for CI)',
    switch: true,
    default: false,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  repeat: {
    flags: '-c, --repeat <n>',
    env: 'PING_REPEAT',
    description: 'how many pings to send',
    default: 1,
    parse: parse.int(1, 1_000_000),
  } satisfies Setting<number>,
  interval: {
    flags: '-i, --interval <duration>',
    env: 'PING_INTERVAL',
    description: 'time between pings (a fixed cadence: replies do not shift it)',
    default: 1000,
    parse: parse.duration({ minMs: 1 }),
  } satisfies Setting<number>,
  timeout: {
    flags: '-W, --timeout <duration>',
    env: 'PING_TIMEOUT',
    description: 'how long to wait for each pong',
    default: 5000,
    parse: parse.duration({ minMs: 10 }),
  } satisfies Setting<number>,
  json: jsonOutputSetting('PING_JSON'),
  ...topicSettings,
  ...kafkaSettings,
  ...tracingSettings,
  ...logSettings,
};

export const pingCommand = defineCommand({
  name: 'ping',
  summary: 'ping a queue over Kafka and measure the round trip, like unix ping',
  description:
    'Sends ping commands to the control topic and matches the pongs on the events topic. The events reader is positioned before the first ping, so no fast reply is missed. Prints one line per reply and a summary. Exit: 0 all answered (or --expect-pong not given), 1 a ping lost with --expect-pong, 2 bad usage, 3 Kafka unreachable.',
  examples: [
    'streamforge ping --queue-id loader-btcusdt-dummy-2024-06-01-testid --expect-pong',
    'streamforge ping --queue-id q1 --expect-pong --repeat 5 --interval 2',
    "streamforge ping --queue-id '*' --timeout 3        # every queue that answers, with its own figures",
    'streamforge ping --queue-id q1 --repeat 100 --interval 0.1 --json | jq .',
  ],
  settings,
  async run(v, sources, ctx) {
    const { target, io, write } = await openControlSession('ping', v, sources, ctx);
    const [{ runPing }, { pingFailed }, report] = await Promise.all([
      import('../control/ping-run.js'),
      import('../control/ping-tracker.js'),
      import('../control/ping-report.js'),
    ]);
    const interrupt = new AbortController();
    ctx.onSignal(() => interrupt.abort());
    try {
      const summary = await runPing(
        io,
        {
          target,
          repeat: v.repeat,
          intervalMs: v.interval,
          timeoutMs: v.timeout,
          signal: interrupt.signal,
        },
        v.json ? report.jsonReporter(write) : report.textReporter(write),
      );
      return v.expectPong && pingFailed(summary) ? 1 : 0;
    } finally {
      await io.close();
    }
  },
});
