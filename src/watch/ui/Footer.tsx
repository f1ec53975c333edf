import { Box, Text } from 'ink';

export function Footer(props: { mode: 'keys' | 'filter' | 'confirm'; filter: string; prompt: string; status: string }) {
  if (props.mode === 'filter')
    return (
      <Text>
        filter: {props.filter}
        <Text inverse> </Text> <Text dimColor>(Enter applies, Esc clears)</Text>
      </Text>
    );
  if (props.mode === 'confirm') return <Text color="yellow">{props.prompt} (y/n)</Text>;
  return (
    <Box flexDirection="column">
      {props.status ? <Text color="cyan">{props.status}</Text> : null}
      <Text dimColor>
        ↑↓/jk select Tab pane / filter{props.filter ? ` [${props.filter}]` : ''} Esc clear space pause Enter detail p ping s stop c clear
        log ? help q quit
      </Text>
    </Box>
  );
}

export function Help() {
  return (
    <Box flexDirection="column" borderStyle="double" paddingX={1}>
      <Text bold>keys</Text>
      <Text>up/down or j/k select a queue or an event</Text>
      <Text>Tab switch between the queue table and the event log</Text>
      <Text>/ filter: an event type, a queue id substring, or any text; Esc clears</Text>
      <Text>space pause or resume (events keep arriving while paused; nothing is dropped)</Text>
      <Text>Enter show the selected event's JSON</Text>
      <Text>p ping the selected queue and show the round trip</Text>
      <Text>s stop the selected queue (asks first)</Text>
      <Text>c clear the event log</Text>
      <Text>? this help</Text>
      <Text>q, Ctrl-C quit</Text>
    </Box>
  );
}
