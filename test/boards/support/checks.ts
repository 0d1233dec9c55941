import { expect } from 'vitest';
import type { SessionReader } from '../../../src/main/session/reader';

/** Every dump in the session is whole: complete and consistent, nothing cut. */
export function expectWhole(s: SessionReader): void {
  const bad = s.snapshots.filter((x) => !x.complete || !x.consistent).map((x) => `#${x.index} (seq ${x.seq}): ${x.problems.join('; ')}`);
  expect(bad, 'dumps that are not complete and consistent').toEqual([]);
}
