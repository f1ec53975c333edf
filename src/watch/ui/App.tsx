/**
 * The terminal view: header, queue table, event log, detail pane and footer, driven by keys.
 * State lives in the pure reducer (via useWatchState); this component owns only what the
 * operator is doing: the focused pane, the selection, the filter, a pending question.
 */
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { useMemo, useState } from 'react';
import { matchesFilter, queueRows } from '../reducer.js';
import type { WatchSource } from '../source.js';
import { EventLog } from './EventLog.js';
import { Footer, Help } from './Footer.js';
import { Header } from './Header.js';
import { QueueTable } from './QueueTable.js';
import { useWatchState } from './use-watch-state.js';

export interface AppProps {
  readonly source: WatchSource;
  readonly maxEvents: number;
  readonly staleMs: number;
}

type Pane = 'queues' | 'log';
type Mode = 'keys' | 'filter' | 'confirm';

export function App({ source, maxEvents, staleMs }: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [paused, setPaused] = useState(false);
  const live = useWatchState(source, maxEvents, paused);
  const [pane, setPane] = useState<Pane>('queues');
  const [queueIndex, setQueueIndex] = useState(0);
  const [logIndex, setLogIndex] = useState<number | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const [draft, setDraft] = useState('');
  const [mode, setMode] = useState<Mode>('keys');
  const [detail, setDetail] = useState(false);
  const [help, setHelp] = useState(false);
  const [status, setStatus] = useState('');
  const [confirmStop, setConfirmStop] = useState<string | undefined>(undefined);

  const rows = useMemo(() => queueRows(live.state), [live.state]);
  const entries = useMemo(() => live.state.log.filter((e) => matchesFilter(e, filter)), [live.state.log, filter]);
  const selectedQueue = rows[Math.min(queueIndex, rows.length - 1)]?.queueId;
  // the log follows the newest event until the operator selects one
  const logSelected = logIndex === undefined ? entries.length - 1 : Math.min(logIndex, entries.length - 1);
  const selectedEntry = entries[logSelected];
  const logHeight = Math.max(5, (stdout.rows || 30) - rows.length - 12 - (detail ? 12 : 0));

  useInput((input, key) => {
    if (mode === 'filter') {
      if (key.escape) {
        setFilter('');
        setDraft('');
        setMode('keys');
      } else if (key.return) {
        setFilter(draft);
        setMode('keys');
      } else if (key.backspace || key.delete) setDraft((d) => d.slice(0, -1));
      else if (input && !key.ctrl && !key.meta) setDraft((d) => d + input);
      return;
    }
    if (mode === 'confirm') {
      if (input === 'y' && confirmStop) {
        const q = confirmStop;
        setStatus(`stopping ${q}...`);
        source.stop(q).then(
          () => setStatus(`stop sent to ${q}`),
          (err: Error) => setStatus(`stop failed: ${err.message}`),
        );
      } else setStatus('stop cancelled');
      setConfirmStop(undefined);
      setMode('keys');
      return;
    }
    if (input === 'q' || (key.ctrl && input === 'c')) return exit();
    if (help) return setHelp(false);
    if (input === '?') return setHelp(true);
    if (key.tab) return setPane((p) => (p === 'queues' ? 'log' : 'queues'));
    if (input === '/') {
      setDraft(filter);
      return setMode('filter');
    }
    if (key.escape) {
      setFilter('');
      setDetail(false);
      return setLogIndex(undefined);
    }
    if (input === ' ') return setPaused((p) => !p);
    if (key.return) return setDetail((d) => !d);
    if (input === 'c') {
      live.clear();
      return setLogIndex(undefined);
    }
    const down = key.downArrow || input === 'j';
    const up = key.upArrow || input === 'k';
    if (down || up) {
      if (pane === 'queues') setQueueIndex((i) => Math.max(0, Math.min(rows.length - 1, i + (down ? 1 : -1))));
      else {
        const next = Math.max(0, Math.min(entries.length - 1, logSelected + (down ? 1 : -1)));
        setLogIndex(next >= entries.length - 1 ? undefined : next);
      }
      return;
    }
    if (input === 'p' && selectedQueue) {
      const q = selectedQueue;
      setStatus(`pinging ${q}...`);
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
    if (input === 's' && selectedQueue) {
      setConfirmStop(selectedQueue);
      return setMode('confirm');
    }
  });

  return (
    <Box flexDirection="column">
      <Header
        brokers={source.brokers}
        topic={source.eventsTopic}
        connection={source.connection()}
        eventsPerSecond={live.eventsPerSecond}
        paused={paused}
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
