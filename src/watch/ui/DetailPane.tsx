/** The detail pane (Enter): the selected log entry as the JSON it came as, and its trace id when the record carried one. */
import { Box, Text } from 'ink';
import type { LogEntry } from '../../plane/reducer.js';

const shown = (entry: LogEntry): unknown =>
  entry.item.kind === 'event' ? entry.item.event : entry.item.kind === 'command' ? entry.item.command : entry.item;

export function DetailPane({ entry }: { entry: LogEntry | undefined }) {
  return (
    <Box borderStyle="round" borderColor="gray" flexDirection="column">
      {entry?.item.traceId ? <Text color="cyan">trace {entry.item.traceId}</Text> : null}
      <Text>{entry ? JSON.stringify(shown(entry), null, 2) : 'no event selected'}</Text>
    </Box>
  );
}
