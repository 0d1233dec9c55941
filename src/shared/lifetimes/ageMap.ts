/**
 * The map's "age" colouring as block codes the rasterizer already draws: each object's head
 * becomes the code of its age bucket, tails stay tails (so they take their head's colour, as
 * kinds do), free and lost blocks stay what they are. Drawing ages then costs exactly what
 * drawing kinds does; the buckets are computed once per frame, not per draw.
 */
import { FREE, TAIL, UNKNOWN } from '../heap/blockKinds';

/** Buckets by tracked frames seen (a lower bound of age): 1, 2, 3–4, 5–8, 9–16, 17–32, 33–64, 65+. */
export const AGE_BUCKETS = 8;
/** Code of bucket 0 (youngest); bucket b is AGE_CODE + b. Clear of FREE, TAIL and UNKNOWN. */
export const AGE_CODE = 1;
/** A head no tracked object accounts for (the frame has no map the tracker read). */
export const AGE_UNTRACKED = AGE_CODE + AGE_BUCKETS;

export function ageBucket(frames: number): number {
  if (frames <= 1) return 0;
  return Math.min(AGE_BUCKETS - 1, Math.ceil(Math.log2(frames)));
}

/** "1 frame", "3–4 frames", "65+ frames": what a bucket means, for the legend. */
export function bucketLabel(b: number): string {
  if (b === 0) return '1 frame';
  if (b === 1) return '2 frames';
  if (b >= AGE_BUCKETS - 1) return `${2 ** (AGE_BUCKETS - 2) + 1}+ frames`;
  return `${2 ** (b - 1) + 1}–${2 ** b} frames`;
}

/** Per area, the frame's kinds with every head replaced by its age bucket's code. */
export function ageCodes(
  areas: ReadonlyArray<{ kinds: Uint8Array }>,
  objects: { area: readonly number[]; start: readonly number[]; ageFrames: readonly number[] },
): Uint8Array[] {
  const out = areas.map((a) => {
    const k = a.kinds;
    const o = new Uint8Array(k.length);
    for (let i = 0; i < k.length; i++) {
      const c = k[i];
      o[i] = c === FREE || c === TAIL || c === UNKNOWN ? c : AGE_UNTRACKED;
    }
    return o;
  });
  for (let j = 0; j < objects.area.length; j++) {
    const o = out[objects.area[j]];
    const s = objects.start[j];
    // Only where the frame has a head there: the tracker read the frame with a map at or before it.
    if (o && s < o.length && o[s] === AGE_UNTRACKED) o[s] = AGE_CODE + ageBucket(objects.ageFrames[j]);
  }
  return out;
}
