/** Every key of the terminal view as a pure function: state in, state and effect out. */
import { describe, expect, it } from '@jest/globals';
import {
  initialViewState,
  onKey,
  onPaneKey,
  type KeyFlags,
  type PaneScreen,
  type Screen,
  type ViewState,
} from '../../../src/watch/keys.js';

const screen: Screen = { queueIds: ['alpha', 'beta', 'gamma'] };
const queues: PaneScreen = { count: 3, selected: 0 };
const logPane: PaneScreen = { count: 10, selected: 9 };
/** a key as the running view sees it: the focused pane's first, then the view's */
const press = (s: ViewState, input: string, key: KeyFlags = {}, on: Screen = screen, pane?: PaneScreen) =>
  onPaneKey(s, s.pane, input, key, pane ?? (s.pane === 'queues' ? { ...queues, selected: s.queueIndex } : logPane)) ??
  onKey(s, input, key, on);
/** types each character in turn, as a fast typist or a paste does */
const type = (s: ViewState, text: string): ViewState => [...text].reduce((st, ch) => press(st, ch).state, s);

describe('keys', () => {
  it('q and Ctrl-C quit from the key mode, and only from there', () => {
    expect(press(initialViewState, 'q').effect).toEqual({ kind: 'exit' });
    expect(press(initialViewState, 'c', { ctrl: true }).effect).toEqual({ kind: 'exit' });
    const filtering = press(initialViewState, '/').state;
    expect(press(filtering, 'q').effect).toBeUndefined();
    expect(press(filtering, 'q').state.draft).toBe('q');
  });

  it('/ types a filter, Enter applies it, Esc drops it; Backspace edits', () => {
    let s = press({ ...initialViewState, filter: 'old' }, '/').state;
    expect(s).toMatchObject({ mode: 'filter', draft: 'old' });
    s = type(press(s, '', { backspace: true }).state, 'x');
    expect(s.draft).toBe('olx');
    expect(press(s, '', { return: true }).state).toMatchObject({ mode: 'keys', filter: 'olx' });
    expect(press(s, '', { escape: true }).state).toMatchObject({ mode: 'keys', filter: '', draft: '' });
    expect(press(s, 'a', { ctrl: true }).state.draft).toBe('olx');
  });

  it('j/k and the arrows move the selection of the focused pane, within bounds', () => {
    expect(type(initialViewState, 'jjjjj').queueIndex).toBe(2);
    expect(press(initialViewState, '', { upArrow: true }).state.queueIndex).toBe(0);
    const log = press(initialViewState, '', { tab: true }).state;
    expect(log.pane).toBe('log');
    // the log follows the newest row until the operator moves up; back at the newest, it follows again
    const up = press(log, 'k').state;
    expect(up.logIndex).toBe(8);
    expect(press(up, 'j', {}, screen, { ...logPane, selected: 8 }).state.logIndex).toBeUndefined();
    expect(press(log, 'j').state.logIndex).toBeUndefined();
  });

  it('Tab switches panes; space pauses and resumes; Enter toggles the detail; ? shows help, any key hides it', () => {
    expect(press(press(initialViewState, '', { tab: true }).state, '', { tab: true }).state.pane).toBe('queues');
    expect(type(initialViewState, ' ').paused).toBe(true);
    expect(type(initialViewState, '  ').paused).toBe(false);
    expect(press(initialViewState, '', { return: true }).state.detail).toBe(true);
    const help = press(initialViewState, '?').state;
    expect(help.help).toBe(true);
    const after = press(help, 'j');
    expect(after.state.help).toBe(false);
    expect(after.state.queueIndex).toBe(0);
  });

  it('Esc clears the filter and the detail and follows the log again', () => {
    const s: ViewState = { ...initialViewState, filter: 'x', detail: true, logIndex: 3 };
    expect(press(s, '', { escape: true }).state).toMatchObject({ filter: '', detail: false, logIndex: undefined });
  });

  it('c clears the log (an effect) and follows it', () => {
    const r = press({ ...initialViewState, logIndex: 2 }, 'c');
    expect(r.effect).toEqual({ kind: 'clear' });
    expect(r.state.logIndex).toBeUndefined();
  });

  it("the panes and the view never both take a key: navigation is the pane's, everything else the view's", () => {
    for (const [input, key] of [
      ['j', {}],
      ['k', {}],
      ['', { upArrow: true }],
      ['', { downArrow: true }],
    ] as const) {
      expect(onKey({ ...initialViewState, queueIndex: 1 }, input, key, screen)).toEqual({ state: { ...initialViewState, queueIndex: 1 } });
      expect(onPaneKey(initialViewState, 'queues', input, key, queues)).toBeDefined();
    }
    for (const input of ['q', '?', '/', ' ', 'c', 'p', 's', 'z'])
      expect(onPaneKey(initialViewState, 'queues', input, {}, queues)).toBeUndefined();
    for (const key of [{ tab: true }, { escape: true }, { return: true }]) {
      expect(onPaneKey(initialViewState, 'log', '', key, logPane)).toBeUndefined();
    }
    // while a filter is typed or a stop confirmed, j and k are letters for the view
    expect(onPaneKey({ ...initialViewState, mode: 'filter' }, 'queues', 'j', {}, queues)).toBeUndefined();
    expect(onPaneKey({ ...initialViewState, mode: 'confirm' }, 'queues', 'k', {}, queues)).toBeUndefined();
  });

  it('p pings the selected queue, as the latest state has it; nothing happens without one', () => {
    expect(press(type(initialViewState, 'jjj'), 'p').effect).toEqual({ kind: 'ping', queueId: 'gamma' });
    const r = press({ ...initialViewState, queueIndex: 1 }, 'p');
    expect(r.effect).toEqual({ kind: 'ping', queueId: 'beta' });
    expect(r.state.status).toBe('pinging beta...');
    expect(press(initialViewState, 'p', {}, { queueIds: [] })).toEqual({ state: initialViewState });
  });

  it('s asks first: y stops the queue, any other key cancels', () => {
    const asking = press({ ...initialViewState, queueIndex: 1 }, 's').state;
    expect(asking).toMatchObject({ mode: 'confirm', confirmStop: 'beta' });
    const yes = press(asking, 'y');
    expect(yes.effect).toEqual({ kind: 'stop', queueId: 'beta' });
    expect(yes.state).toMatchObject({ mode: 'keys', confirmStop: undefined, status: 'stopping beta...' });
    const no = press(asking, 'n');
    expect(no.effect).toBeUndefined();
    expect(no.state).toMatchObject({ mode: 'keys', confirmStop: undefined, status: 'stop cancelled' });
  });

  it('an unbound key changes nothing', () => {
    expect(press(initialViewState, 'z')).toEqual({ state: initialViewState });
  });
});
