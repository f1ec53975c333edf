/** The queue pane: one row per queue; when focused, j/k and the arrows move its selection. */
import { Box, Text, useInput } from 'ink';
import { onPaneKey } from '../keys.js';
import { queueHealth, type QueueRow } from '../../plane/reducer.js';
import { age, fit } from './format.js';
import type { UpdateView } from './use-view-state.js';

const healthColor = { ok: undefined, stale: 'yellow', conflict: 'red', ended: 'gray' } as const;

/** Fixed columns; the queue id takes what the terminal has left. */
const columns = [
  ['status', 15],
  ['symbol', 8],
  ['type', 7],
  ['producer', 8],
  ['records', 8],
  ['last', 6],
  ['pi/po', 7],
  ['rtt', 8],
] as const;
const FIXED = columns.reduce((w, [, n]) => w + n + 1, 0) + 2;

function line(queueWidth: number, queue: string, cells: readonly string[]): string {
  return [fit(queue, queueWidth), ...cells.map((c, i) => fit(c, columns[i]?.[1] ?? 8))].join(' ');
}

export function QueueTable(props: {
  rows: readonly QueueRow[];
  selected: number;
  focused: boolean;
  now: number;
  staleMs: number;
  width: number;
  update: UpdateView;
}) {
  const count = props.rows.length;
  useInput((input, key) => props.update((s) => onPaneKey(s, 'queues', input, key, { count, selected: s.queueIndex })), {
    isActive: props.focused,
  });
  const q = Math.max(10, props.width - FIXED);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={props.focused ? 'cyan' : 'gray'}>
      <Text bold>
        {line(
          q,
          'queue',
          columns.map(([name]) => name),
        )}
      </Text>
      {props.rows.length === 0 ? <Text dimColor>no queue has sent an event yet</Text> : null}
      {props.rows.map((r, i) => {
        const health = queueHealth(r, props.now, props.staleMs);
        const status = health === 'ok' || health === 'ended' ? r.status : `${r.status} ${health}`;
        const cells = [
          status,
          r.symbol ?? '-',
          r.type ?? '-',
          r.producer ?? '-',
          r.recordsWritten === null ? '-' : String(r.recordsWritten),
          r.lastEventAt > 0 ? age(props.now - r.lastEventAt) : '-',
          `${r.pings}/${r.pongs}`,
          r.lastRttMs === null ? '-' : `${r.lastRttMs.toFixed(1)}ms`,
        ];
        return (
          <Text key={r.queueId} inverse={props.focused && i === props.selected} color={healthColor[health]} wrap="truncate">
            {line(q, r.queueId, cells)}
          </Text>
        );
      })}
    </Box>
  );
}
