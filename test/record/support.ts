/** Checks on recorded sessions, shared by the recording tests. */
import { expect } from 'vitest';
import { CaptureReader } from '../../src/shared/capture/captureReader';
import { SessionReader } from '../../src/main/session/reader';

export interface Contents {
  seqs: number[];
  logs: string[];
}

/** Complete helper dumps (their seq) and log lines in a stretch of board output. */
export function contentsOf(bytes: Uint8Array): Contents {
  const reader = new CaptureReader();
  const seqs: number[] = [];
  const logs: string[] = [];
  for (const ev of reader.feed(bytes)) {
    if (ev.type === 'snapshot' && ev.snapshot.complete && ev.snapshot.seq !== null) seqs.push(ev.snapshot.seq);
    else if (ev.type === 'log') logs.push(ev.text);
  }
  return { seqs, logs };
}

export function openSession(path: string): SessionReader {
  return SessionReader.open(path);
}

/** Every complete dump and every log line of `before` is in the session. */
export function expectSessionHas(session: SessionReader, before: Uint8Array): Contents {
  const want = contentsOf(before);
  const haveSeqs = new Set(session.snapshots.filter((s) => s.complete).map((s) => s.seq));
  const missing = want.seqs.filter((s) => !haveSeqs.has(s));
  expect(missing, 'dumps missing from the session').toEqual([]);
  const haveLogs = new Set(session.events.filter((e) => e.type === 'log').map((e) => (e as { text: string }).text));
  const missingLogs = want.logs.filter((l) => !haveLogs.has(l));
  expect(missingLogs, 'log lines missing from the session').toEqual([]);
  return want;
}

/**
 * What the running program printed, from the helper's hello up to `end` (or the end of its
 * error output), without the raw REPL's \x04 separators: what a session must hold.
 */
export function programOutput(bytes: Uint8Array, end = bytes.length): Buffer {
  const b = Buffer.from(bytes.subarray(0, end));
  const start = b.indexOf('@@HS:H');
  if (start < 0) return Buffer.alloc(0);
  let stop = b.length;
  const first = b.indexOf(4, start);
  if (first >= 0) {
    const second = b.indexOf(4, first + 1);
    stop = second >= 0 ? second : b.length;
  }
  return Buffer.from([...b.subarray(start, stop)].filter((x) => x !== 4));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
