/**
 * Issue 9, point 10 (and 9's inflation cap): damage is said in words, never with an offset
 * that the damaged file itself made up ("damaged at byte -1000000000").
 */
import { describe, expect, it } from 'vitest';
import { SessionFormatError } from '../../src/main/session';

describe('damage messages', () => {
  it('names a real offset, and no offset at all for a made-up one', () => {
    expect(SessionFormatError.damaged('/s.hss', 4096, 'x', 2).message).toBe('/s.hss is damaged at byte 4096: x; 2 snapshots before it are readable');
    for (const at of [-1_000_000_000, -1, NaN, Infinity, 2 ** 60]) {
      const m = SessionFormatError.damaged('/s.hss', at, 'a record points outside the file', 0).message;
      expect(m).toBe('/s.hss is damaged: a record points outside the file; 0 snapshots before it are readable');
    }
  });
});
