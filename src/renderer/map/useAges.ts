/**
 * The objects alive at the frame on the map, with their births, fetched from the service
 * (getObjects) only while the map is coloured by age; and the frame's blocks coded by age
 * bucket, computed once per frame so every draw costs what a kinds draw costs.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { HeapScopeApi, ObjectsResult, SnapshotData } from '../../shared/api';
import { ageCodes } from '../../shared/lifetimes/ageMap';

export interface FrameAges {
  frame: number;
  answer: ObjectsResult;
  /** Per area, the block codes to draw (heads by age bucket). */
  codes: Uint8Array[];
  /** The same, shaped as the rasterizer's areas. */
  areas: { kinds: Uint8Array }[];
  /** Object at a head block: index into answer.alive's columns. */
  at(area: number, head: number): number;
}

/** Answers kept per session, by frame: going back and forth costs no new call. */
const KEEP = 16;

export function useAges(api: HeapScopeApi, data: SnapshotData | null, enabled: boolean, session: number): FrameAges | null {
  const [answers, setAnswers] = useState<{ session: number; byFrame: Map<number, ObjectsResult> }>({ session, byFrame: new Map() });
  const frame = data?.index ?? -1;
  const have = answers.session === session ? answers.byFrame.get(frame) : undefined;
  useEffect(() => {
    if (!enabled || frame < 0 || have) return;
    let gone = false;
    api.getObjects({ frame }).then(
      (r) => {
        if (gone) return;
        setAnswers((a) => {
          const byFrame = a.session === session ? new Map(a.byFrame) : new Map<number, ObjectsResult>();
          byFrame.set(frame, r);
          while (byFrame.size > KEEP) byFrame.delete(byFrame.keys().next().value!);
          return { session, byFrame };
        });
      },
      () => undefined, // no tracked frame (stats-only session): the map stays on kinds
    );
    return () => {
      gone = true;
    };
  }, [api, frame, enabled, have, session]);
  // While the frame's answer is on its way (playback), the last one stands in: objects still in
  // place keep their colour, new heads show as untracked, so the map never flips to kinds.
  const last = useRef<{ session: number; answer: ObjectsResult } | null>(null);
  if (have && have.alive) last.current = { session, answer: have };
  const shown = have ?? (last.current?.session === session ? last.current.answer : undefined);
  return useMemo(() => {
    if (!enabled || !data || !shown || !shown.alive) return null;
    const alive = shown.alive;
    const codes = ageCodes(data.areas, alive);
    const index = new Map<number, number>();
    for (let j = 0; j < alive.area.length; j++) index.set(alive.area[j] * 2 ** 32 + alive.start[j], j);
    // A stand-in answers no hover: its births are another frame's.
    const own = shown === have;
    return { frame, answer: shown, codes, areas: codes.map((kinds) => ({ kinds })), at: (area, head) => (own ? (index.get(area * 2 ** 32 + head) ?? -1) : -1) };
  }, [enabled, data, shown, have, frame]);
}
