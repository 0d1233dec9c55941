import { describe, expect, it } from 'vitest';
import type { SnapshotIndexEntry } from '../../src/shared/api';
import { captionHeight, captionLines, drawCaption, drawText, GLYPH_H, hasGlyph, textWidth } from '../../src/main/export/caption';

function entry(index: number, hostMs: number | null, used: number, free: number, longest: number): SnapshotIndexEntry {
  return { index, hostMs, deviceMs: null, metrics: { usedBytes: used, freeBytes: free, largestFreeRunBytes: longest } } as unknown as SnapshotIndexEntry;
}

describe('GIF captions', () => {
  it('says the frame, its time and figures, and every character has a glyph', () => {
    const lines = captionLines(entry(21, 6300, 164147, 27853, 2816), 25, entry(0, 1000, 0, 0, 0));
    expect(lines[0]).toBe('frame 22/25  5.3 s  used 160.3 KiB  free 27.2 KiB  longest free 2.75 KiB');
    for (const big of [5 * 1024 ** 2, 3 * 1024 ** 3, 512])
      for (const l of captionLines(entry(9, null, big, big, big), 10, null)) for (const ch of l) expect(hasGlyph(ch), `glyph for ${JSON.stringify(ch)} in ${l}`).toBe(true);
  });

  it('falls back to shorter captions on narrow pictures, and never draws past the edge', () => {
    const lines = captionLines(entry(21, null, 164147, 27853, 2816), 25, null);
    expect(lines[0]).not.toMatch(/ s /); // no clock, no time
    // 240 px holds 39 characters: the third caption.
    const width = 240;
    expect(lines[2]).toBe('22  free 27.2 KiB  longest 2.75 KiB');
    expect(textWidth(lines[1], 1) + 4).toBeGreaterThan(width);
    expect(textWidth(lines[2], 1) + 4).toBeLessThanOrEqual(width);
    const out = new Uint8Array(width * captionHeight(1)).fill(9);
    drawCaption(out, width, 0, lines, 7, 1);
    // Ink only where the third caption is.
    let right = 0;
    for (let i = 0; i < out.length; i++) if (out[i] === 7) right = Math.max(right, i % width);
    expect(right).toBeLessThan(2 + textWidth(lines[2], 1));
    expect(right).toBeGreaterThan(2 + textWidth(lines[2], 1) - 8);
    // Only paper and ink in the band.
    expect(new Set(out)).toEqual(new Set([1, 7]));
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
