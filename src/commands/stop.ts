import { jsonOutputSetting, kafkaSettings, logSettings, topicSettings } from '../config/common-settings.js';
import { parse, type Setting } from '../config/setting.js';
import { openControlSession } from './common.js';
import { tracingSettings } from '../tracing/tracing-settings.js';
import { defineCommand } from './command-spec.js';
import { controlTargetSetting } from './ping.js';

const settings = {
  queueId: controlTargetSetting,
  wait: {
    flags: '--wait',
    env: 'STOP_WAIT',
    description: "wait for the queue's terminal event and report it",
    switch: true,
    default: false,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  timeout: {
    flags: '-W, --timeout <duration>',
    env: 'STOP_TIMEOUT',
    description: 'with --wait: how long to wait for the terminal event',
    default: 30_000,
    parse: parse.duration({ minMs: 10 }),
  } satisfies Setting<number>,
  json: jsonOutputSetting('STOP_JSON'),
  ...topicSettings,
  ...kafkaSettings,
  ...tracingSettings,
  ...logSettings,
};

export const stopCommand = defineCommand({
  name: 'stop',
  summary: 'ask a queue to stop, and optionally wait for its terminal event',
  description:
    "Sends a stop command to the control topic. With --wait, the events reader is positioned first and the command ends with the queue's terminal event (interrupted, finished or error). Exit: 0 sent (and confirmed with --wait), 1 not confirmed in time or the queue ended in error, 2 bad usage, 3 Kafka unreachable.",
  examples: [
    'streamforge stop --queue-id loader-btcusdt-dummy-2024-06-01-testid',
    'streamforge stop --queue-id q1 --wait --timeout 10',
    "streamforge stop --queue-id '*' --wait --timeout 5   # lists every queue that stopped",
  ],
  settings,
  async run(v, sources, ctx) {
    const { target, io, write } = await openControlSession('stop', v, sources, ctx);
    const [{ runStop, stopExitCode }, { stopJsonLines, stopTextLines }] = await Promise.all([
      import('../control/stop-run.js'),
      import('../control/stop-report.js'),
    ]);
    try {
      const result = await runStop(io, { target, wait: v.wait, timeoutMs: v.timeout });
      const code = stopExitCode(result);
      const info = { target, timeoutMs: v.timeout, code };
      for (const line of v.json ? stopJsonLines(result, info) : stopTextLines(result, info)) write(line);
      return code;
    } finally {
      await io.close();
    }
  },
});
