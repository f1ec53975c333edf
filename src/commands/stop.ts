import { jsonOutputSetting, kafkaSettings, logSettings, topicSettings } from '../config/common-settings.js';
import { parse, type Setting } from '../config/setting.js';
import { openControlSession } from './common.js';
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
    const { runStop, stopExitCode } = await import('../control/stop-run.js');
    try {
      const timeoutMs = v.timeout;
      const result = await runStop(io, { target, wait: v.wait, timeoutMs });
      const code = stopExitCode(result);
      if (v.json) {
        write(
          JSON.stringify({
            type: 'sent',
            queue_id: target,
            command_id: result.commandId,
            partition: result.delivered.partition,
            offset: result.delivered.offset,
          }),
        );
        for (const s of result.stopped ?? []) {
          write(
            JSON.stringify({
              type: 'stopped',
              queue_id: s.queueId,
              event: s.event.event,
              after_ms: Math.round(s.afterMs),
              message: s.event.message ?? null,
              records_written: s.event.records_written ?? null,
            }),
          );
        }
        if (result.stopped) write(JSON.stringify({ type: 'summary', confirmed: result.stopped.length, ok: code === 0 }));
      } else {
        write(
          `stop sent to ${target} (partition ${result.delivered.partition}, offset ${result.delivered.offset}, command_id ${result.commandId})`,
        );
        for (const s of result.stopped ?? []) {
          const extra =
            s.event.event === 'error' && s.event.error_message
              ? `: ${s.event.error_message}`
              : s.event.message
                ? `: ${s.event.message}`
                : '';
          write(`${s.queueId}: ${s.event.event} after ${Math.round(s.afterMs)} ms${extra}`);
        }
        if (result.stopped?.length === 0) write(`no terminal event from ${target} within ${(timeoutMs / 1000).toFixed(1)} s`);
      }
      return code;
    } finally {
      await io.close();
    }
  },
});
