/** The detail pane (Enter): the selected log entry as the JSON it came as. */
import { Box, Text } from 'ink';
import type { LogEntry } from '../../plane/reducer.js';

const shown = (entry: LogEntry): unknown =>
  entry.item.kind === 'event' ? entry.item.event : entry.item.kind === 'command' ? entry.item.command : entry.item;

export function DetailPane({ entry }: { entry: LogEntry | undefined }) {
  return (
    <Box borderStyle="round" borderColor="gray" flexDirection="column">
      <Text>{entry ? JSON.stringify(shown(entry), null, 2) : 'no event selected'}</Text>
    </Box>
  );
}
