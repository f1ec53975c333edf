/**
 * The terminal view: header, queue table, event log, detail pane and footer, driven by keys.
 * State lives in the pure reducer (via useWatchState); this component owns only what the
 * operator is doing: the focused pane, the selection, the filter, a pending question.
 */
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { useMemo, useRef, useState } from 'react';
import { matchesFilter, queueRows } from '../reducer.js';
import type { WatchSource } from '../source.js';
import { EventLog } from './EventLog.js';
import { Footer, Help } from './Footer.js';
import { Header } from './Header.js';
import { QueueTable } from './QueueTable.js';
import { initialViewState, onKey, type ViewState } from '../keys.js';
import { useWatchState } from './use-watch-state.js';

export interface AppProps {
  readonly source: WatchSource;
  readonly maxEvents: number;
  readonly staleMs: number;
}

export function App({ source, maxEvents, staleMs }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [view, setViewState] = useState<ViewState>(initialViewState);
  // Keys typed faster than a render (a pasted filter) must each see the one before: the handler
  // reads the latest state from here, not the render's copy.
  const latest = useRef(view);
  const setView = (next: ViewState): void => {
    latest.current = next;
    setViewState(next);
  };
  const live = useWatchState(source, maxEvents, view.paused);
  const { pane, mode, queueIndex, logIndex, filter, draft, detail, help, confirmStop, status } = view;
  const setStatus = (text: string): void => setView({ ...latest.current, status: text });

  const rows = useMemo(() => queueRows(live.state), [live.state]);
  const entries = useMemo(() => live.state.log.filter((e) => matchesFilter(e, filter)), [live.state.log, filter]);
  const selectedQueue = rows[Math.min(queueIndex, rows.length - 1)]?.queueId;
  // the log follows the newest event until the operator selects one
  const logSelected = logIndex === undefined ? entries.length - 1 : Math.min(logIndex, entries.length - 1);
  const selectedEntry = entries[logSelected];
  const logHeight = Math.max(5, (stdout.rows || 30) - rows.length - 12 - (detail ? 12 : 0));

  useInput((input, key) => {
    const { state, effect } = onKey(latest.current, input, key, {
      queueCount: rows.length,
      entryCount: entries.length,
      logSelected,
      selectedQueue,
    });
    setView(state);
    switch (effect?.kind) {
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
  });

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
      />
      <EventLog entries={entries} selected={logSelected} focused={pane === 'log'} height={logHeight} />
      {detail ? (
        <Box borderStyle="round" borderColor="gray" flexDirection="column">
          <Text>
            {selectedEntry
              ? JSON.stringify(
                  selectedEntry.item.kind === 'event'
                    ? selectedEntry.item.event
                    : selectedEntry.item.kind === 'command'
                      ? selectedEntry.item.command
                      : selectedEntry.item,
                  null,
                  2,
                )
              : 'no event selected'}
          </Text>
        </Box>
      ) : null}
      <Footer mode={mode} filter={mode === 'filter' ? draft : filter} prompt={`stop ${confirmStop ?? ''}?`} status={status} />
    </Box>
  );
}
