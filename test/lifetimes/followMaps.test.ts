/**
 * The maps-only path (a dump followed line by line from the one before, only changed map lines
 * read) against the slow path (every dump parsed again by the capture parser): the same maps
 * at every dump, the same lifetimes, the same leak verdict and the same `inspect --json`, on
 * real dumps (recorded MicroPython, the corpus, the boards' streams) and on a generated session.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/main/cli/commands/inspect';
import { importCapture, SessionReader } from '../../src/main/session';
import { FollowedSessionMaps } from '../../src/main/session/followMaps';
import { foldLines, followKey, MapFollower } from '../../src/shared/heap/mapFollower';
import { SessionLifetimes } from '../../src/shared/lifetimes';
import { formatReport, inspectIndexEntry, InspectReportBuilder } from '../../src/shared/report/inspectReport';
import { heapscope } from '../support/cli';
import { CORPUS } from '../support/corpus';
import { synthCapture } from '../session/synth';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hs-follow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (rel: string) => new Uint8Array(readFileSync(new URL(`../${rel}`, import.meta.url)));

async function sessionOf(name: string, bytes: Uint8Array): Promise<string> {
  const file = path.join(dir, `${name.replace(/[^\w.-]/g, '_')}.hss`);
  await importCapture(bytes, file);
  return file;
}

/** Every column of two trackers, and what the window and inspect read of them. */
function expectSameLifetimes(fast: SessionLifetimes, slow: SessionLifetimes): void {
  const a = fast.tracker;
  const b = slow.tracker;
  expect(a.count).toBe(b.count);
  expect(a.frames).toEqual(b.frames);
  expect(a.times).toEqual(b.times);
  expect(a.phases).toEqual(b.phases);
  expect(a.runStart).toBe(b.runStart);
  for (const col of ['area', 'start', 'length', 'code', 'bornAt', 'diedAt', 'phaseOf', 'bornBefore'] as const) {
    expect(Array.from(a[col].subarray(0, a.count)), col).toEqual(Array.from(b[col].subarray(0, b.count)));
  }
  expect(fast.leak()).toEqual(slow.leak());
  expect(fast.heapFigures()).toEqual(slow.heapFigures());
}

/** Both paths over one session file; returns how many dumps were followed and parsed. */
function compareSession(file: string): { followed: number; parsed: number; frames: number } {
  const r = SessionReader.open(file);
  const check = SessionReader.open(file);
  try {
    const maps = new FollowedSessionMaps(r);
    const fast = new SessionLifetimes();
    // Each followed map is the parser's map of that dump, block for block.
    fast.update(r, {
      maps: (i, e) => {
        const m = maps.maps(i, e);
        const want = check.getSnapshot(i).areas;
        expect(m.areas.map((x) => x.address)).toEqual(want.map((x) => x.address));
        for (let a = 0; a < want.length; a++) expect(Buffer.from(m.areas[a].kinds).equals(Buffer.from(want[a].kinds)), `snapshot ${i} area ${a}`).toBe(true);
        return m;
      },
    });
    const slow = new SessionLifetimes();
    slow.update(check);
    expectSameLifetimes(fast, slow);
    return { followed: maps.followed, parsed: maps.parsed, frames: fast.tracker.frameCount };
  } finally {
    r.close();
    check.close();
  }
}

/** The report as inspect made it before the maps were followed: the whole index, every map parsed. */
function slowReport(file: string) {
  const reader = SessionReader.open(file);
  try {
    const builder = new InspectReportBuilder();
    builder.add(reader.events, false);
    builder.lifetimes.update(reader);
    const report = builder.build();
    report.snapshots = reader.snapshots.map(inspectIndexEntry);
    return report;
  } finally {
    reader.close();
  }
}

describe('maps followed line by line give what parsing every dump gives', () => {
  const real: Array<[string, () => Uint8Array]> = [
    ['leak demo (recorded MicroPython)', () => fixture('lifetimes/fixtures/leak-demo.txt')],
    ['steady demo (recorded MicroPython)', () => fixture('lifetimes/fixtures/steady-demo.txt')],
    ['Pico stream (real firmware)', () => fixture('fixtures/boards/pico-stream.bin')],
    ['QEMU stream (real firmware)', () => fixture('fixtures/boards/qemu-stream.bin')],
  ];
  for (const [name, bytes] of real) {
    it(`${name}: the same maps, lifetimes, verdict and inspect report`, async () => {
      const file = await sessionOf(name, bytes());
      const { followed, parsed, frames } = compareSession(file);
      expect(followed + parsed).toBe(frames);
      expect(JSON.stringify(await inspectFile(file))).toBe(JSON.stringify(slowReport(file)));
    });
  }

  it('the summary without --json is the one the whole report gives', async () => {
    const file = await sessionOf('leak-summary', fixture('lifetimes/fixtures/leak-demo.txt'));
    const r = heapscope(['inspect', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(formatReport(path.basename(file), slowReport(file)));
    expect(r.stdout).toMatch(/leak: leaking/);
  });

  it('recorded MicroPython dumps are followed, not parsed again (all but the first)', async () => {
    const file = await sessionOf('leak-follow', fixture('lifetimes/fixtures/leak-demo.txt'));
    const { followed, parsed, frames } = compareSession(file);
    expect(frames).toBeGreaterThan(50);
    expect(followed).toBeGreaterThan(frames * 0.9);
    expect(parsed).toBeLessThan(frames * 0.1);
  });

  it('the corpus, every dump one after the other (other heaps, split heaps, damaged dumps, old eras)', async () => {
    const parts = readdirSync(CORPUS)
      .filter((f) => f.endsWith('.txt'))
      .sort()
      .map((f) => readFileSync(path.join(CORPUS, f), 'latin1'));
    // Twice over, and each dump again right after itself: a dump followed from its twin.
    const text = [...parts, ...parts].flatMap((p) => [p, '\r\nprint between\r\n', p, '\r\n']).join('');
    const file = await sessionOf('corpus', new Uint8Array(Buffer.from(text, 'latin1')));
    const { followed, frames } = compareSession(file);
    expect(frames).toBeGreaterThan(40);
    expect(followed).toBeGreaterThan(0);
    expect(JSON.stringify(await inspectFile(file))).toBe(JSON.stringify(slowReport(file)));
  });

  for (const [name, o] of [
    ['CRLF, framed, 4 % churn', { dumps: 400, seed: 3, framed: true }],
    ['LF, unframed, 30 % churn', { dumps: 300, seed: 11, eol: '\n', churn: 0.3 }],
    ['a small heap (3,000 blocks), 10 % churn', { dumps: 200, seed: 5, blocks: 3000, churn: 0.1 }],
  ] as const) {
    it(`a generated session (${name}): the same, and nearly every dump followed`, async () => {
      const file = await sessionOf(name, synthCapture(o));
      const { followed, frames } = compareSession(file);
      expect(frames).toBe(o.dumps);
      expect(followed).toBeGreaterThanOrEqual(frames - 1);
      expect(JSON.stringify(await inspectFile(file))).toBe(JSON.stringify(slowReport(file)));
    });
  }
});

describe('MapFollower refuses what it cannot read for certain', () => {
  const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
  const line = (addr: number, chars: string) => `${addr.toString(16).padStart(8, '0')}: ${chars}\n`;
  const head = (used: number) => `GC: total: 3072, used: ${used}, free: ${3072 - used}\n No. of 1-blocks: 1, 2-blocks: 0, max blk sz: 1, max free sz: 100\nGC memory layout; from 20000000:\n`;
  const kinds = (...rows: string[]) => [{ address: '20000000', kinds: enc(rows.join('')) }];
  const full = (c: string) => c.repeat(64);
  const key = followKey({ problems: [], blockSize: 16, addressStyle: 'off8', areas: [{ address: '20000000', blocks: 192 }] });
  const first = head(16) + line(0, 'h' + full('.').slice(1)) + line(0x400, full('.')) + line(0x800, full('.'));

  function learnt(): MapFollower {
    const f = new MapFollower();
    expect(f.learn(enc(first), kinds('h' + full('.').slice(1), full('.'), full('.')), key)).toBe(true);
    return f;
  }

  it('follows a changed map line and a header whose figures moved, and says which blocks changed', () => {
    const f = learnt();
    const next = head(48) + line(0, 'h' + full('.').slice(1)) + line(0x400, 'L==' + full('.').slice(3)) + line(0x800, full('.'));
    const m = f.follow(enc(next), key);
    expect(m).not.toBeNull();
    expect(Buffer.from(m!.areas[0].kinds).toString('latin1')).toBe('h' + full('.').slice(1) + 'L==' + full('.').slice(3) + full('.'));
    expect(m!.changed).toEqual([[64, 67]]);
  });

  it('follows a fold that grew, marking only what it newly covers', () => {
    const f = learnt();
    const next = head(16) + line(0, 'h' + full('.').slice(1)) + '       (2 lines all free)\n';
    const m = f.follow(enc(next), key);
    expect(m!.changed).toEqual([[64, 192]]);
    const m2 = f.follow(enc(head(16) + line(0, 'h' + full('.').slice(1)) + line(0x400, full('.')) + '       (1 lines all free)\n'), key);
    // The line that took the fold's place is all free, as the fold said: no block differs.
    expect(m2!.changed).toEqual([[]]);
    expect(Buffer.from(m2!.areas[0].kinds).toString('latin1')).toBe('h' + full('.').slice(1) + full('.') + full('.'));
  });

  it('refuses: a noisy map line, an old `t` tail, a lost line, a shorter line, another heap, a line that looks like an address', () => {
    const bad = [
      head(16) + line(0, 'h' + full('.').slice(1)) + line(0x400, '~' + full('.').slice(1)) + line(0x800, full('.')),
      head(16) + line(0, 'ht' + full('.').slice(2)) + line(0x400, full('.')) + line(0x800, full('.')),
      head(16) + line(0, 'h' + full('.').slice(1)) + line(0x800, full('.')),
      head(16) + line(0, 'h' + full('.').slice(1)) + line(0x400, full('.').slice(1)) + line(0x800, full('.')),
      head(16).replace('from 20000000', 'from 20000400') + line(0, 'h' + full('.').slice(1)) + line(0x400, full('.')) + line(0x800, full('.')),
      head(16).replace('GC: total', 'cafe: ok total') + line(0, 'h' + full('.').slice(1)) + line(0x400, full('.')) + line(0x800, full('.')),
    ];
    for (const b of bad) expect(learnt().follow(enc(b), key), b.slice(0, 200)).toBeNull();
    // A dump with problems, or of another shape, is never followed.
    expect(learnt().follow(enc(first), null)).toBeNull();
    expect(learnt().follow(enc(first), `${key}x`)).toBeNull();
  });

  it('does not learn a dump its model reads differently from the parser', () => {
    const f = new MapFollower();
    expect(f.learn(enc(first), kinds(full('.'), full('.'), full('.')), key)).toBe(false);
    expect(f.follow(enc(first), key)).toBeNull();
  });
});

describe('a fold read from its bytes', () => {
  const FOLD = /^\s*\(\s*(\d+) lines all free\)\s*$/;
  const byRegex = (line: string) => {
    const m = FOLD.exec(line);
    return m === null ? -1 : Number(m[1]);
  };
  const byBytes = (line: string) => {
    // Inside a larger buffer, as the follower reads a line of a dump.
    const b = Buffer.from(`xx${line}yy`, 'latin1');
    return foldLines(new Uint8Array(b), 2, 2 + line.length);
  };

  it('reads what the parser’s pattern reads, and refuses what it refuses (every latin1 byte in every place)', () => {
    const base = '       (12 lines all free)';
    const lines = [base, '(1 lines all free)', '( 3 lines all free)  ', '\t(007 lines all free)\t', '\u00a0(5 lines all free)\u000b', '(0 lines all free)', ''];
    for (let at = 0; at <= base.length; at++) {
      for (let c = 0; c < 256; c++) {
        if (c === 0x0a || c === 0x0d) continue; // never inside a line
        const ch = String.fromCharCode(c);
        lines.push(base.slice(0, at) + ch + base.slice(at));
        if (at < base.length) lines.push(base.slice(0, at) + ch + base.slice(at + 1));
      }
    }
    let folds = 0;
    for (const l of lines) {
      const want = byRegex(l);
      expect(byBytes(l), JSON.stringify(l)).toBe(want);
      if (want >= 0) folds++;
    }
    // Both kinds met: lines that are folds and lines that are not.
    expect(folds).toBeGreaterThan(100);
    expect(lines.length - folds).toBeGreaterThan(1000);
  });
});
