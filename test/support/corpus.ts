import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { CaptureEvent } from '../../src/shared/capture/events';
import type { HeapSnapshot } from '../../src/shared/heap/snapshot';

/**
 * The real dumps live in the project's own fixtures (copied from ../shared/corpus and the seed
 * captures of ../shared/seeds) so a fresh clone, with no ../shared beside it, runs every test.
 */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
export const CORPUS = path.join(FIXTURES, 'corpus');
export const SEEDS = path.join(FIXTURES, 'seeds');

export interface Expected {
  line: number;
  printed: { total: number; used: number; free: number; maxNewSplit: number | null } | null;
  areas: Array<{ address: string; blocks: number }>;
  blockSize: number;
  counts: { free: number; head: number; tail: number };
  largestFreeRun: number;
  complete: boolean;
  consistent: boolean;
}

export function expectedFigures(): Record<string, Expected[]> {
  return JSON.parse(readFileSync(path.join(CORPUS, 'expected.json'), 'utf8'));
}

export function corpusFile(name: string): Uint8Array {
  return readFileSync(path.join(CORPUS, name));
}

export function corpusNames(): string[] {
  return Object.keys(expectedFigures());
}

export function snapshotsOf(events: CaptureEvent[]): HeapSnapshot[] {
  return events.flatMap((e) => (e.type === 'snapshot' ? [e.snapshot] : []));
}

/** Events as plain JSON (typed arrays as strings) so two runs compare with toEqual. */
export function comparable(events: CaptureEvent[]): unknown[] {
  return events.map((e) =>
    e.type === 'snapshot'
      ? { ...e, snapshot: { ...e.snapshot, areas: e.snapshot.areas.map((a) => ({ ...a, kinds: Buffer.from(a.kinds).toString('latin1') })) } }
      : e,
  );
}

export const enc = (s: string) => new TextEncoder().encode(s);
