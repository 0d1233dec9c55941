/**
 * Heaps whose answer is known by construction: a heap of `blocks` blocks dumped every
 * `periodMs`, with churn (objects that live one frame) and, optionally, a leak of one
 * `leakBlocks`-block list per frame that never dies, or a one-off burst that stays.
 */
import type { LifetimeFrame } from '../../src/shared/lifetimes';

export interface SynthLeak {
  frames: number;
  blocks?: number;
  periodMs?: number;
  leakBlocks?: number;
  /** Frame at which `burst` blocks are allocated once and kept. */
  burstAt?: number;
  burst?: number;
}

export function synthFrames(o: SynthLeak): LifetimeFrame[] {
  const n = o.blocks ?? 4000;
  const period = o.periodMs ?? 1000;
  const k = new Uint8Array(n).fill(0x2e);
  // Long-lived objects from the start: a module and its dict.
  k[0] = 0x4d;
  k[1] = 0x44;
  k.fill(0x3d, 2, 8);
  let leakAt = 100;
  const out: LifetimeFrame[] = [];
  for (let f = 0; f < o.frames; f++) {
    // Churn: last frame's garbage (blocks 2000…2100) is gone, new garbage of other shapes.
    k.fill(0x2e, 2000, 2100);
    for (let i = 2000 + (f % 3); i < 2100; i += 5) {
      k[i] = 0x53;
      k[i + 1] = 0x3d;
    }
    if (o.leakBlocks) {
      k[leakAt] = 0x4c;
      k.fill(0x3d, leakAt + 1, leakAt + o.leakBlocks);
      leakAt += o.leakBlocks;
    }
    if (o.burstAt === f && o.burst) {
      k[3000] = 0x68;
      k.fill(0x3d, 3001, 3000 + o.burst);
    }
    out.push({ index: f, timeMs: 5000 + f * period, areas: [{ address: '20000000', kinds: k.slice() }] });
  }
  return out;
}
