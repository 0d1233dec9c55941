import { describe, expect, it } from 'vitest';
import { drawRGBA, frameLayout, indexedPalette } from '../../src/main/export/frame';
import { kindColour, tailTint } from '../../src/shared/heap/palette';

const k = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const px = (rgba: Uint8Array, width: number, x: number, y: number) => [...rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 3)];

describe('exported frames', () => {
  it('draws each tail in its head’s tint, across row ends, as the window does', () => {
    // 8 blocks a row: the list's tails run onto the second row; a tail with no head before it stays neutral.
    const areas = [{ blocks: 16, kinds: k('=L======..S==T.h') }];
    const layout = frameLayout(areas, 1, 8);
    const rgba = drawRGBA(areas, layout, 'light');
    const L = kindColour('L'.charCodeAt(0));
    expect(px(rgba, layout.width, 0, 0)).toEqual([...kindColour('='.charCodeAt(0))]); // orphan tail
    expect(px(rgba, layout.width, 1, 0)).toEqual([...L]);
    expect(px(rgba, layout.width, 2, 0)).toEqual([...tailTint(L)]);
    expect(px(rgba, layout.width, 7, 0)).toEqual([...tailTint(L)]);
    // Second row: blocks 8.. = '..S==T.h'
    expect(px(rgba, layout.width, 0, 1)).toEqual([...kindColour('.'.charCodeAt(0))]);
    expect(px(rgba, layout.width, 3, 1)).toEqual([...tailTint(kindColour('S'.charCodeAt(0)))]);
    expect(px(rgba, layout.width, 5, 1)).toEqual([...kindColour('T'.charCodeAt(0))]);
  });

  it('keeps the GIF palette within 256 colours and every tint distinct from its head', () => {
    for (const theme of ['light', 'dark'] as const) {
      const p = indexedPalette(theme);
      expect(p.colours.length).toBeLessThanOrEqual(256);
      for (const head of 'hTLDSABM') {
        const code = head.charCodeAt(0);
        expect(p.tailOf[code]).not.toBe(p.indexOf[code]);
        expect(p.colours[p.tailOf[code]]).toEqual(tailTint(p.colours[p.indexOf[code]], theme));
      }
    }
  });
});
