import { Box, Text } from 'ink';
import type { ConnectionState } from '../source.js';

export function Header(props: {
  brokers: string;
  topic: string;
  connection: ConnectionState;
  eventsPerSecond: number;
  paused: boolean;
  buffered: number;
  total: number;
  invalid: number;
}) {
  const color = props.connection === 'connected' ? 'green' : props.connection === 'connecting' ? 'yellow' : 'red';
  return (
    <Box justifyContent="space-between">
      <Text>
        <Text bold>streamforge watch</Text> {props.brokers} <Text dimColor>topic</Text> {props.topic}{' '}
        <Text color={color}>{props.connection}</Text>
      </Text>
      <Text>
        {props.eventsPerSecond} ev/s {props.total} total{props.invalid > 0 ? <Text color="yellow"> {props.invalid} invalid</Text> : null}{' '}
        {props.paused ? (
          <Text color="yellow" bold>
            PAUSED ({props.buffered} waiting)
          </Text>
        ) : (
          <Text color="green" bold>
            LIVE
          </Text>
        )}
      </Text>
    </Box>
  );
}
