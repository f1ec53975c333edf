import { jsonOutputSetting, kafkaSettings, logSettings, sinceSetting, staleSetting, topicSettings } from '../config/common-settings.js';
import { parse, type Setting } from '../config/setting.js';
import { ConfigError } from '../errors.js';
import { eventNames } from '../protocol/types.js';
import { connectionOf, loggerFrom } from './common.js';
import { defineCommand } from './command-spec.js';

const settings = {
  queueId: {
    flags: '--queue-id <id>',
    env: 'WATCH_QUEUE_ID',
    description: 'show only this queue',
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  event: {
    flags: '--event <name>',
    env: 'WATCH_EVENTS',
    description: `show only these events, repeatable: ${eventNames.join(', ')}`,
    repeatable: true,
    parse: parse.oneOf(eventNames, (s) => s.toLowerCase()),
  } satisfies Setting<(typeof eventNames)[number]>,
  fromBeginning: {
    flags: '--from-beginning',
    env: 'WATCH_FROM_BEGINNING',
    description: 'read the topics from their first retained record',
    switch: true,
    default: false,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  since: sinceSetting('WATCH_SINCE'),
  maxEvents: {
    flags: '--max-events <n>',
    env: 'WATCH_MAX_EVENTS',
    description: 'events kept in the log (a ring buffer)',
    default: 10_000,
    parse: parse.int(10, 10_000_000),
  } satisfies Setting<number>,
  stale: staleSetting('WATCH_STALE'),
  json: jsonOutputSetting('WATCH_JSON'),
  exitAtEnd: {
    flags: '--exit-at-end',
    env: 'WATCH_EXIT_AT_END',
    description: 'with --json: stop at the end of the topic as it was at start',
    switch: true,
    default: false,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  ...topicSettings,
  ...kafkaSettings,
  ...logSettings,
};

export const watchCommand = defineCommand({
  name: 'watch',
  summary: 'a live terminal view of queue-events: queues, their state, and what just happened',
  description:
    'Shows every queue on the control plane with its status, records, pings and pongs, and a live event log. Keys: up/down or j/k select, Tab switches pane, / filters, Esc clears, space pauses, Enter shows the JSON, p pings the selected queue, s stops it (after y/n), c clears, ? help, q quits. With --json, or when stdout is not a terminal: one event per line, like kcat -J.',
  examples: [
    'streamforge watch',
    'streamforge watch --since 10m --queue-id loader-btcusdt-dummy-2024-06-01-testid',
    'streamforge watch --json --from-beginning --exit-at-end | jq -c .payload',
    'streamforge watch --json --event error --event interrupted',
  ],
  settings,
  async run(v, sources, ctx) {
    // the TUI owns the screen: logs go to stderr, and only warnings unless asked
    const logger = await loggerFrom({ ...v, logLevel: sources.logLevel.kind === 'default' ? 'warn' : v.logLevel }, ctx.stderr);
    if (v.fromBeginning && v.since !== undefined)
      throw new ConfigError('--from-beginning and --since both say where to start', 'give one of them');
    const json = v.json || !ctx.interactive;
    if (v.exitAtEnd && !json) throw new ConfigError('--exit-at-end needs --json (the terminal view runs until q)', 'add --json');
    const conn = connectionOf(v, sources);
    const start = v.fromBeginning
      ? ({ kind: 'beginning' } as const)
      : v.since !== undefined
        ? ({ kind: 'time', ms: Date.now() - v.since } as const)
        : ({ kind: 'end' } as const);
    const filter = { queueId: v.queueId, events: v.event };
    const topics = { control: v.controlTopic, events: v.eventsTopic };
    if (json) {
      const { runWatchJson } = await import('../watch/run-json.js');
      return runWatchJson({
        conn,
        eventsTopic: topics.events,
        start,
        exitAtEnd: v.exitAtEnd,
        filter,
        out: ctx.stdout,
        logger,
        onStop: (stop) => ctx.onSignal(stop),
      });
    }
    const { runWatchTui } = await import('../watch/run-tui.js');
    return runWatchTui({
      conn,
      topics,
      start,
      filter,
      maxEvents: v.maxEvents,
      staleMs: v.stale,
      logger,
      stdin: ctx.stdin,
      stdout: ctx.stdout,
    });
  },
});
