import { describe, expect, it } from 'vitest';
import { blocksFor, firstFit } from '../../src/shared/view/firstFit';

const k = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('would it fit', () => {
  it('rounds bytes up to whole blocks', () => {
    expect(blocksFor(1, 16)).toBe(1);
    expect(blocksFor(16, 16)).toBe(1);
    expect(blocksFor(17, 16)).toBe(2);
    expect(blocksFor(9600, 16)).toBe(600);
    expect(blocksFor(0, 16)).toBe(1);
  });

  it('finds the first run long enough, from the start, across areas', () => {
    const areas = [{ kinds: k('h..S==...T....') }, { kinds: k('.......') }];
    expect(firstFit(areas, 2).at).toEqual({ area: 0, block: 1, runBlocks: 2 });
    expect(firstFit(areas, 3).at).toEqual({ area: 0, block: 6, runBlocks: 3 });
    expect(firstFit(areas, 4).at).toEqual({ area: 0, block: 10, runBlocks: 4 });
    expect(firstFit(areas, 5).at).toEqual({ area: 1, block: 0, runBlocks: 7 });
    const no = firstFit(areas, 8);
    expect(no.at).toBeNull();
    expect(no.longest).toBe(7);
  });
});
