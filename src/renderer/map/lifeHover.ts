/**
 * What the map's hover says of an object's life: the frame it was first seen in, when, the
 * line or mark in force then, and its age. An object is only known by its place and shape, and
 * was born somewhere between the dump before its first sighting and that sighting: its age is a
 * lower bound, and the hover says so.
 */
import type { FrameIndex } from '../../shared/view/frameIndex';
import { duration, int } from '../../shared/view/format';
import type { LifeHover } from './HeapMap';
import type { FrameAges } from './useAges';

/** A line or mark, shortened for a hover. */
function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function lifeHover(ages: FrameAges, f: FrameIndex, area: number, head: number): LifeHover | null {
  const j = ages.at(area, head);
  const o = ages.answer.alive;
  if (j < 0 || !o) return null;
  const born = o.bornFrame[j];
  const here = ages.answer.tracked ?? ages.frame;
  const timed = f.timeBase !== 'index' && born < f.length && here < f.length;
  const before = o.bornBefore[j] === 1;
  const phase = ages.answer.phases[o.phase[j]];
  const frames = o.ageFrames[j];
  const age = `≥ ${int(frames)} frame${frames === 1 ? '' : 's'}${timed ? ` · ≥ ${duration(f.t[here] - f.t[born])}` : ''}`;
  return {
    rows: [
      ['Born', `${before ? 'by ' : ''}frame ${born + 1}${timed ? ` · ${duration(f.t[born])}` : ''}`],
      [phase.kind === 'mark' ? 'During mark' : 'During', phase.kind === 'start' ? 'before the first line' : clip(phase.text)],
      ['Age', age],
    ],
    note: before
      ? 'There when its heap was first seen: born then or earlier, so older than this.'
      : `First seen in frame ${born + 1}; born at some point since the dump before it, so at least this old.`,
  };
}
