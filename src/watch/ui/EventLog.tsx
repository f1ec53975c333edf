/** The log pane: the newest events, following the newest until a row is selected with j/k. */
import { Box, Text, useInput } from 'ink';
import { onPaneKey } from '../keys.js';
import type { LogEntry } from '../../plane/reducer.js';
import { eventColor, fit } from './format.js';
import type { UpdateView } from './use-view-state.js';

function describe(entry: LogEntry): { label: string; color: string; text: string } {
  const item = entry.item;
  if (item.kind === 'invalid') return { label: 'invalid', color: eventColor.invalid, text: `${item.reason}: ${item.raw}` };
  if (item.kind === 'command') return { label: item.command.command, color: eventColor.command, text: `-> ${item.command.queue_id}` };
  const e = item.event;
  const extra = e.event === 'pong' ? `ping_ts=${String(e.ping_ts ?? 'none')}` : (e.error_message ?? e.message ?? '');
  return { label: e.event, color: eventColor[e.event], text: `${e.queue_id} ${extra}` };
}

/** The row shown as selected: the one picked, or the newest while the log follows. */
export const logSelection = (logIndex: number | undefined, count: number): number =>
  logIndex === undefined ? count - 1 : Math.min(logIndex, count - 1);

export function EventLog(props: { entries: readonly LogEntry[]; selected: number; focused: boolean; height: number; update: UpdateView }) {
  const count = props.entries.length;
  useInput((input, key) => props.update((s) => onPaneKey(s, 'log', input, key, { count, selected: logSelection(s.logIndex, count) })), {
    isActive: props.focused,
  });
  // newest at the bottom; the window follows the selection
  const end = Math.min(props.entries.length, Math.max(props.selected + 1, props.height));
  const shown = props.entries.slice(Math.max(0, end - props.height), end);
  const first = Math.max(0, end - props.height);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={props.focused ? 'cyan' : 'gray'}>
      {shown.length === 0 ? <Text dimColor>waiting for events</Text> : null}
      {shown.map((entry, i) => {
        const d = describe(entry);
        const time = new Date(entry.item.timestamp ?? entry.at).toISOString().slice(11, 23);
        return (
          // keyed by slot, not by event: scrolling reuses the same lines (and their layout nodes)
          <Text key={i} inverse={props.focused && first + i === props.selected} wrap="truncate">
            <Text dimColor>{time} </Text>
            <Text color={d.color}>{fit(d.label, 11)}</Text> {d.text}{' '}
            <Text dimColor>
              p{entry.item.partition}@{entry.item.offset}
            </Text>
          </Text>
        );
      })}
    </Box>
  );
}
