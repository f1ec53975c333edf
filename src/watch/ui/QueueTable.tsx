import { Box, Text } from 'ink';
import { queueHealth, type QueueRow } from '../reducer.js';
import { age, fit } from './format.js';

const healthColor = { ok: undefined, stale: 'yellow', conflict: 'red', ended: 'gray' } as const;

export function QueueTable(props: { rows: readonly QueueRow[]; selected: number; focused: boolean; now: number; staleMs: number }) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={props.focused ? 'cyan' : 'gray'}>
      <Text bold>
        {fit('queue', 34)} {fit('status', 12)} {fit('symbol', 9)} {fit('type', 10)} {fit('producer', 10)} {fit('records', 9)}{' '}
        {fit('last', 7)} {fit('ping/pong', 9)} rtt
      </Text>
      {props.rows.length === 0 ? <Text dimColor>no queue has sent an event yet</Text> : null}
      {props.rows.map((r, i) => {
        const health = queueHealth(r, props.now, props.staleMs);
        const label = health === 'ok' || health === 'ended' ? r.status : `${r.status} ${health}`;
        return (
          <Text key={r.queueId} inverse={props.focused && i === props.selected} color={healthColor[health]}>
            {fit(r.queueId, 34)} {fit(label, 12)} {fit(r.symbol ?? '-', 9)} {fit(r.type ?? '-', 10)} {fit(r.producer ?? '-', 10)}{' '}
            {fit(r.recordsWritten === null ? '-' : String(r.recordsWritten), 9)}{' '}
            {fit(r.lastEventAt > 0 ? age(props.now - r.lastEventAt) : '-', 7)} {fit(`${r.pings}/${r.pongs}`, 9)}{' '}
            {r.lastRttMs === null ? '-' : `${r.lastRttMs.toFixed(1)}ms`}
          </Text>
        );
      })}
    </Box>
  );
}
