/**
 * How the map is coloured ("kind" or "age") and the object the Compare view points at: a small
 * store of its own, beside the app's, read with useMapView().
 */
import { useSyncExternalStore } from 'react';

export type MapColouring = 'kind' | 'age';

/** An object to point at on the map (objects never move: its place holds in every frame). */
export interface MapHighlight {
  area: number;
  start: number;
  blocks: number;
  /** Changes on every click, so clicking the same row again scrolls to it again. */
  seq: number;
}

export interface MapView {
  colouring: MapColouring;
  highlight: MapHighlight | null;
}

let state: MapView = { colouring: 'kind', highlight: null };
const listeners = new Set<() => void>();
let seq = 0;

function set(patch: Partial<MapView>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

export const mapView = {
  get: (): MapView => state,
  setColouring: (colouring: MapColouring) => set({ colouring }),
  highlight: (h: Omit<MapHighlight, 'seq'> | null) => set({ highlight: h ? { ...h, seq: ++seq } : null }),
  subscribe: (l: () => void): (() => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

export function useMapView(): MapView {
  return useSyncExternalStore(mapView.subscribe, mapView.get, mapView.get);
}
