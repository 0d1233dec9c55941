import { describe, expect, it } from 'vitest';
import type { SnapshotIndexEntry } from '../../src/shared/api';
import { drawText, GLYPH_H, hasGlyph } from '../../src/main/export/caption';
import { legendItems, picturePalette, pictureText } from '../../src/main/export/picture';

function entry(index: number, hostMs: number | null, used: number, free: number, longest: number): SnapshotIndexEntry {
  return { index, hostMs, deviceMs: null, metrics: { usedBytes: used, freeBytes: free, largestFreeRunBytes: longest } } as unknown as SnapshotIndexEntry;
}

describe('the pictures’ font', () => {
  it('has a glyph for every character a picture writes', () => {
    const texts: string[] = legendItems(picturePalette('light')).map((i) => i.label);
    for (const big of [5 * 1024 ** 2, 3 * 1024 ** 3, 512, 0]) {
      const t = pictureText(entry(9, 2000, big, big, big), 10, entry(0, 1000, 0, 0, 0), [{ kind: 'memoryError', snapshot: 12, bytes: big }]);
      texts.push(...t.caption, ...t.why);
    }
    texts.push('0x0123456789abcdef');
    for (const l of texts) for (const ch of l) expect(hasGlyph(ch), `glyph for ${JSON.stringify(ch)} in ${l}`).toBe(true);
  });

  it('draws glyphs pixel for pixel', () => {
    const w = 12;
    const out = new Uint8Array(w * GLYPH_H);
    drawText(out, w, 0, 0, '1.', 5);
    const row = (r: number) => [...out.subarray(r * w, r * w + 11)].map((v) => (v ? '#' : ' ')).join('');
    expect(row(0)).toBe('  #        ');
    expect(row(6)).toBe(' ###   ##  ');
  });
});
