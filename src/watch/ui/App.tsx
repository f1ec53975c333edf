/**
 * The terminal view: header, queue pane, log pane, detail pane and footer. Live data lives in
 * the pure reducer (via useWatchState); what the operator is doing lives in the view state
 * (keys.ts, via useViewState). The App handles the view's keys and runs their effects; each
 * pane handles its own navigation keys while focused (useInput with isActive).
 *
 * Focus is the view state's `pane`, switched by Tab, rather than ink's useFocus: ink's focus
 * manager drops the focus on Esc, which here clears the filter and must leave the panes alone.
 */
import { Box, useApp, useInput, useStdout } from 'ink';
import { useMemo } from 'react';
import { onKey, type Effect } from '../keys.js';
import { matchesFilter, queueRows } from '../../plane/reducer.js';
import type { WatchSource } from '../source.js';
import { DetailPane } from './DetailPane.js';
import { EventLog, logSelection } from './EventLog.js';
import { Footer, Help } from './Footer.js';
import { Header } from './Header.js';
import { QueueTable } from './QueueTable.js';
import { useViewState } from './use-view-state.js';
import { useWatchState } from './use-watch-state.js';

export interface AppProps {
  readonly source: WatchSource;
  readonly maxEvents: number;
  readonly staleMs: number;
}

export function App({ source, maxEvents, staleMs }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const setStatus = (text: string): void => update((s) => ({ state: { ...s, status: text } }));
  const run = (effect: Effect): void => {
    switch (effect.kind) {
      case 'exit':
        return exit();
      case 'clear':
        return live.clear();
      case 'ping': {
        const q = effect.queueId;
        source.ping(q).then(
          (ms) => {
            if (ms === undefined) return setStatus(`no pong from ${q}`);
            live.dispatchRtt(q, ms);
            setStatus(`pong from ${q} in ${ms.toFixed(1)} ms`);
          },
          (err: Error) => setStatus(`ping failed: ${err.message}`),
        );
        return;
      }
      case 'stop': {
        const q = effect.queueId;
        source.stop(q).then(
          () => setStatus(`stop sent to ${q}`),
          (err: Error) => setStatus(`stop failed: ${err.message}`),
        );
        return;
      }
    }
  };
  const { view, update } = useViewState(run);
  const live = useWatchState(source, maxEvents, view.paused);
  const { pane, mode, queueIndex, filter, draft, detail, help, confirmStop, status } = view;

  const rows = useMemo(() => queueRows(live.state), [live.state]);
  const queueIds = useMemo(() => rows.map((r) => r.queueId), [rows]);
  const entries = useMemo(() => live.state.log.filter((e) => matchesFilter(e, filter)), [live.state.log, filter]);
  const logSelected = logSelection(view.logIndex, entries.length);
  const logHeight = Math.max(5, (stdout.rows || 30) - rows.length - 12 - (detail ? 12 : 0));

  useInput((input, key) => update((s) => onKey(s, input, key, { queueIds })));

  return (
    <Box flexDirection="column">
      <Header
        brokers={source.brokers}
        topic={source.eventsTopic}
        connection={source.connection()}
        eventsPerSecond={live.eventsPerSecond}
        paused={view.paused}
        buffered={live.buffered}
        total={live.state.total}
        invalid={live.state.invalid}
      />
      {help ? <Help /> : null}
      <QueueTable
        rows={rows}
        selected={queueIndex}
        focused={pane === 'queues'}
        now={live.now}
        staleMs={staleMs}
        width={stdout.columns || 100}
        update={update}
      />
      <EventLog entries={entries} selected={logSelected} focused={pane === 'log'} height={logHeight} update={update} />
      {detail ? <DetailPane entry={entries[logSelected]} /> : null}
      <Footer mode={mode} filter={mode === 'filter' ? draft : filter} prompt={`stop ${confirmStop ?? ''}?`} status={status} />
    </Box>
  );
}
