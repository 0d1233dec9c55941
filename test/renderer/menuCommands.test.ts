/** The native menu's commands → what the window does (the same as the matching key or button). */
import { describe, expect, it } from 'vitest';
import type { MenuCommand } from '../../src/shared/api';
import { MENU_ACTIONS, menuAction, runMenuAction, type MenuStore } from '../../src/renderer/menuCommands';

const ALL: MenuCommand[] = ['export', 'record', 'stop', 'find', 'keys', 'pinA', 'pinB', 'zoomIn', 'zoomOut'];

function fakeStore(state: { starting?: boolean; phase?: string } = {}) {
  const calls: unknown[][] = [];
  const st = {
    state: { starting: !!state.starting, rec: state.phase ? ({ phase: state.phase } as never) : null },
    set: (p: unknown) => void calls.push(['set', p]),
    record: async () => void calls.push(['record']),
    stop: async () => void calls.push(['stop']),
    pin: (w: 'A' | 'B') => void calls.push(['pin', w]),
    isRecording: () => !!state.phase && state.phase !== 'stopped' && state.phase !== 'failed',
  } as unknown as MenuStore;
  return { st, calls };
}

function refs() {
  const calls: unknown[][] = [];
  return {
    calls,
    map: { current: { zoom: (s: 1 | -1) => void calls.push(['zoom', s]) } },
    log: { current: { focusSearch: () => void calls.push(['focusSearch']) } },
  };
}

describe('menu commands', () => {
  it('has an action for every MenuCommand, and none for anything else', () => {
    expect(Object.keys(MENU_ACTIONS).sort()).toEqual([...ALL].sort());
    for (const c of ALL) expect(menuAction(c)).toBe(MENU_ACTIONS[c]);
    for (const c of ['toString', '__proto__', 'open', '', 42, null]) expect(menuAction(c)).toBeNull();
  });

  it('does what the keys and buttons do', async () => {
    const run = (c: MenuCommand, s = fakeStore()) => {
      const r = refs();
      runMenuAction(menuAction(c)!, s.st, r.map, r.log);
      return [...s.calls, ...r.calls];
    };
    expect(run('export')).toEqual([['set', { dialog: 'export' }]]);
    expect(run('keys')).toEqual([['set', { dialog: 'keys' }]]);
    expect(run('pinA')).toEqual([['pin', 'A']]);
    expect(run('pinB')).toEqual([['pin', 'B']]);
    expect(run('zoomIn')).toEqual([['zoom', 1]]);
    expect(run('zoomOut')).toEqual([['zoom', -1]]);
    expect(run('record')).toEqual([['record']]);
    // Like the buttons: no second Record while starting or recording; Stop only then, once.
    expect(run('record', fakeStore({ starting: true }))).toEqual([]);
    expect(run('record', fakeStore({ phase: 'recording' }))).toEqual([]);
    expect(run('stop')).toEqual([]);
    expect(run('stop', fakeStore({ phase: 'recording' }))).toEqual([['stop']]);
    expect(run('stop', fakeStore({ starting: true }))).toEqual([['stop']]);
    expect(run('stop', fakeStore({ phase: 'stopping' }))).toEqual([]);
    // Find: the log tab now, its search box focused once it is there.
    const s = fakeStore();
    const r = refs();
    runMenuAction(menuAction('find')!, s.st, r.map, r.log);
    expect(s.calls).toEqual([['set', { sideTab: 'log' }]]);
    await new Promise((res) => setTimeout(res, 5));
    expect(r.calls).toEqual([['focusSearch']]);
  });

  it('does nothing to a map or log that is not there', () => {
    const s = fakeStore();
    runMenuAction(menuAction('zoomIn')!, s.st, { current: null }, { current: null });
    expect(s.calls).toEqual([]);
  });
});
