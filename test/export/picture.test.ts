import { describe, expect, it } from 'vitest';
import type { SnapshotIndexEntry } from '../../src/shared/api';
import { textWidth } from '../../src/main/export/caption';
import { frameLayout } from '../../src/main/export/frame';
import { LINE_H, MIN_WIDTH, PAD, TEXT_SCALE, pictureLayout, picturePalette, pictureText, renderPicture, wrapParts } from '../../src/main/export/picture';
import { readLine, readTopText } from './readText';

const k = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function entry(index: number, hostMs: number | null, used: number, free: number, longest: number): SnapshotIndexEntry {
  return { index, hostMs, deviceMs: null, metrics: { usedBytes: used, freeBytes: free, largestFreeRunBytes: longest } } as unknown as SnapshotIndexEntry;
}

// 256 blocks: objects, a 40-block free run starting at block 70, scattered holes.
const kinds = ('hT=L==D=S=' + '.h'.repeat(30) + 'A'.repeat(0)).padEnd(70, 'h') + '.'.repeat(40) + 'S===.B..M=.'.repeat(13);
const areas = [{ address: '20001000', blocks: kinds.length, kinds: k(kinds) }];

describe('exported pictures explain themselves', () => {
  it('carry the whole caption, the why line before a MemoryError, addresses and a legend, readable at any heap size', () => {
    const events = [{ kind: 'memoryError' as const, snapshot: 5, bytes: 9600 }];
    const text = pictureText(entry(4, 6300, 164147, 27853, 2816), 5, entry(0, 1000, 0, 0, 0), events);
    expect(text.caption.join('  ')).toBe('frame 5/5  5.3 s  used 160.3 KiB  free 27.2 KiB  longest free run 2.75 KiB');
    expect(text.why.join(' ')).toBe('next: MemoryError, 9.38 KiB asked; the longest free run is 2.75 KiB');
    expect(pictureText(entry(2, 6300, 1, 1, 1), 5, null, events).why.join(' ')).toMatch(/^MemoryError after frame 5: 9.38 KiB asked; the longest free run here is 1 B$/);
    expect(pictureText(entry(4, 6300, 1, 1, 1), 5, null, []).why).toEqual([]);

    const pal = picturePalette('light');
    const pic = renderPicture(areas, 16, text, 2, 'light');
    expect(pic.width).toBeGreaterThanOrEqual(MIN_WIDTH); // a small heap still gets a legible caption
    const img = { width: pic.width, height: pic.height, data: pic.rgba };
    const lines = readTopText(img, [pal.colours[pal.text], pal.colours[pal.why]]);
    expect(lines.join('  ').replace(/\s+/g, ' ')).toBe(`${text.caption.join(' ')} ${text.why.join(' ')}`.replace(/\s+/g, ' '));
    // The why line is in the why ink.
    const whyRow = lines.findIndex((l) => l.startsWith('next: MemoryError'));
    expect(whyRow).toBeGreaterThan(0);
    expect(readLine(img, PAD, PAD + whyRow * LINE_H, pal.colours[pal.why])).toMatch(/^next: MemoryError/);

    // The first row's address, right-aligned beside the map, as absolute addresses.
    const layout = pictureLayout(frameLayout(areas, 2), areas, [text], pal);
    const label = '0x20001000';
    const lx = layout.mapLeft - 2 * PAD - textWidth(label, TEXT_SCALE);
    expect(readLine(img, lx, layout.mapTop, pal.colours[pal.muted]).slice(0, label.length)).toBe(label);
    // The legend, first item.
    expect(readLine(img, PAD + 7 * TEXT_SCALE + PAD, layout.legendTop, pal.colours[pal.text])).toMatch(/^free/);
  });

  it('outlines the longest free run', () => {
    const pal = picturePalette('light');
    const text = pictureText(entry(0, null, 1, 1, 1), 1, null);
    const pic = renderPicture(areas, 16, text, 4, 'light');
    const layout = pictureLayout(frameLayout(areas, 4), areas, [text], pal);
    const cols = layout.map.columns;
    const at = (block: number, dx: number, dy: number) => {
      const x = layout.mapLeft + (block % cols) * 4 + dx;
      const y = layout.mapTop + Math.floor(block / cols) * 4 + dy;
      const i = (y * pic.width + x) * 4;
      return [pic.rgba[i], pic.rgba[i + 1], pic.rgba[i + 2]];
    };
    const outline = [...pal.colours[pal.outline]];
    expect(at(70, 0, 1)).toEqual(outline); // its first block's left edge
    expect(at(109, 3, 1)).toEqual(outline); // its last block's right edge
    expect(at(90, 1, 0)).toEqual(outline); // its top edge
    expect(at(90, 1, 2)).not.toEqual(outline); // not inside
    expect(at(40, 1, 0)).not.toEqual(outline); // not a shorter hole
  });

  it('wraps parts whole, never cutting one', () => {
    const lines = wrapParts(['frame 22/25', '5.3 s', 'used 160.3 KiB', 'free 27.2 KiB'], 200);
    expect(lines.join('  ')).toBe('frame 22/25  5.3 s  used 160.3 KiB  free 27.2 KiB');
    for (const l of lines) expect(textWidth(l, TEXT_SCALE) + 2 * PAD).toBeLessThanOrEqual(200);
  });
});
