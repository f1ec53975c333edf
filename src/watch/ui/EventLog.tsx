import { Box, Text } from 'ink';
import type { LogEntry } from '../reducer.js';
import { eventColor, fit } from './format.js';

function describe(entry: LogEntry): { label: string; color: string; text: string } {
  const item = entry.item;
  if (item.kind === 'invalid') return { label: 'invalid', color: eventColor.invalid, text: `${item.reason}: ${item.raw}` };
  if (item.kind === 'command') return { label: item.command.command, color: eventColor.command, text: `-> ${item.command.queue_id}` };
  const e = item.event;
  const extra = e.event === 'pong' ? `ping_ts=${String(e.ping_ts ?? 'none')}` : (e.error_message ?? e.message ?? '');
  return { label: e.event, color: eventColor[e.event], text: `${e.queue_id} ${extra}` };
}

export function EventLog(props: { entries: readonly LogEntry[]; selected: number; focused: boolean; height: number }) {
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
