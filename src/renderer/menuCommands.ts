/**
 * The native menu (Electron) → the window. The main process pushes `{ type: 'menu', command }`
 * for the items only the renderer can carry out (it knows the playhead, the map and the log);
 * each does what its key or button does in App.tsx / ConnectBar.tsx. In a browser no such
 * event ever arrives and this does nothing.
 */
import { useEffect } from 'react';
import type { MenuCommand } from '../shared/api';
import type { LogPaneHandle } from './log/LogPane';
import type { HeapMapHandle } from './map/HeapMap';
import type { AppStore } from './state/store';

/** What a menu command does, as data (so the mapping is testable without a window). */
export type MenuAction =
  | { kind: 'dialog'; dialog: 'export' | 'keys' } // Ctrl+E / the Export… button; ? / the ? button
  | { kind: 'record' } // the Record button
  | { kind: 'stop' } // the Stop button
  | { kind: 'find' } // Ctrl+F: the log tab, its search box focused
  | { kind: 'pin'; which: 'A' | 'B' } // [ and ]
  | { kind: 'zoom'; step: 1 | -1 }; // W and S

export const MENU_ACTIONS: Readonly<Record<MenuCommand, MenuAction>> = {
  export: { kind: 'dialog', dialog: 'export' },
  record: { kind: 'record' },
  stop: { kind: 'stop' },
  find: { kind: 'find' },
  keys: { kind: 'dialog', dialog: 'keys' },
  pinA: { kind: 'pin', which: 'A' },
  pinB: { kind: 'pin', which: 'B' },
  zoomIn: { kind: 'zoom', step: 1 },
  zoomOut: { kind: 'zoom', step: -1 },
};

/** The action for a command, or null for one this renderer does not know (a newer main process). */
export function menuAction(command: unknown): MenuAction | null {
  return typeof command === 'string' && Object.prototype.hasOwnProperty.call(MENU_ACTIONS, command) ? MENU_ACTIONS[command as MenuCommand] : null;
}

/** The part of the store the menu drives. */
export type MenuStore = Pick<AppStore, 'set' | 'record' | 'stop' | 'pin' | 'isRecording'> & {
  readonly state: Pick<AppStore['state'], 'starting' | 'rec'>;
};

type Ref<T> = { readonly current: T | null };

/** Carries out one action, as the matching key or button would. */
export function runMenuAction(a: MenuAction, st: MenuStore, mapRef: Ref<Pick<HeapMapHandle, 'zoom'>>, logRef: Ref<Pick<LogPaneHandle, 'focusSearch'>>): void {
  // ConnectBar shows Record while idle, Stop (disabled while stopping) while starting or recording.
  const recording = st.isRecording() || st.state.starting;
  switch (a.kind) {
    case 'dialog':
      st.set({ dialog: a.dialog });
      break;
    case 'record':
      if (!recording) void st.record();
      break;
    case 'stop':
      if (recording && st.state.rec?.phase !== 'stopping') void st.stop();
      break;
    case 'find':
      st.set({ sideTab: 'log' });
      setTimeout(() => logRef.current?.focusSearch(), 0);
      break;
    case 'pin':
      st.pin(a.which);
      break;
    case 'zoom':
      mapRef.current?.zoom(a.step);
      break;
  }
}

/** Subscribes the window to the native menu's commands while it is mounted. */
export function useMenuCommands(st: AppStore, mapRef: Ref<HeapMapHandle>, logRef: Ref<LogPaneHandle>): void {
  useEffect(
    () =>
      st.api.onEvent((e) => {
        if (e.type !== 'menu') return;
        const a = menuAction(e.command);
        if (a) runMenuAction(a, st, mapRef, logRef);
      }),
    [st, mapRef, logRef],
  );
}
