/**
 * Object lifetimes on a 10,000-frame session (RP2040-sized heap, 12,800 blocks, a few percent
 * of objects replaced per dump): tracking frame by frame as while recording, the questions the
 * window asks of it, and building it from a session file (every map fetched and tracked).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaptureReader } from '../src/shared/capture/captureReader';
import { agesAt, blameByPhase, compareObjects, feedEvent, leakVerdict, LifetimeTracker, SessionLifetimes } from '../src/shared/lifetimes';
import { importCapture, SessionReader } from '../src/main/session';
import { FollowedSessionMaps } from '../src/main/session/followMaps';
import { synthCapture } from '../test/session/synth';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
/** CPU (user + system) ms since c0: what holds when other work shares the machine. */
const cpuMs = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

export async function benchLifetimes(): Promise<Record<string, string | number>> {
  const FRAMES = 10_000;
  const capture = synthCapture({ dumps: FRAMES, seed: 7, framed: true });
  const reader = new CaptureReader();
  const t = new LifetimeTracker();
  let trackMs = 0;
  let worst = 0;
  let blocks = 0;
  const CHUNK = 1 << 20;
  const track = (events: ReturnType<CaptureReader['feed']>) => {
    for (const e of events) {
      if (e.type === 'snapshot') blocks = e.snapshot.areas.reduce((n, a) => n + a.blocks, 0);
      const t0 = process.hrtime.bigint();
      feedEvent(t, e);
      const d = ms(t0);
      trackMs += d;
      if (e.type === 'snapshot' && d > worst) worst = d;
    }
  };
  for (let at = 0; at < capture.length; at += CHUNK) track(reader.feed(capture.subarray(at, at + CHUNK)));
  track(reader.end());
  const columns = t.area.byteLength + t.start.byteLength + t.length.byteLength + t.code.byteLength + t.bornAt.byteLength + t.diedAt.byteLength + t.phaseOf.byteLength + t.bornBefore.byteLength + t.count * 4;
  const last = t.frames[t.frameCount - 1];
  let t0 = process.hrtime.bigint();
  const cmp = compareObjects(t, t.frames[0], last);
  const compareMs = ms(t0);
  t0 = process.hrtime.bigint();
  blameByPhase(t, last);
  const blameMs = ms(t0);
  t0 = process.hrtime.bigint();
  agesAt(t, last, [blocks]);
  const agesMs = ms(t0);
  t0 = process.hrtime.bigint();
  leakVerdict(t, { blockSize: 16, freeBytes: 80_000, largestFreeRunBytes: 20_000, largestAllocBytes: 5000 });
  const leakMs = ms(t0);

  // From a stored session: what `inspect`, `check` and the service do.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'heapscope-bench-life-'));
  let sessionMs = 0;
  let followedMs = 0;
  let sessionCpu = 0;
  let followedCpu = 0;
  let followed = '';
  try {
    const file = path.join(dir, 'life.hss');
    await importCapture(capture, file);
    t0 = process.hrtime.bigint();
    let c0 = process.cpuUsage();
    const r = SessionReader.open(file);
    const life = new SessionLifetimes();
    life.update(r);
    life.leak();
    sessionMs = ms(t0);
    sessionCpu = cpuMs(c0);
    r.close();
    // The same with each dump's map followed from the one before (what inspect and check do).
    t0 = process.hrtime.bigint();
    c0 = process.cpuUsage();
    const r2 = SessionReader.open(file);
    const maps = new FollowedSessionMaps(r2);
    const life2 = new SessionLifetimes();
    life2.update(r2, { maps: (i, e) => maps.maps(i, e) });
    life2.leak();
    followedMs = ms(t0);
    followedCpu = cpuMs(c0);
    followed = `${maps.followed} followed, ${maps.parsed} parsed`;
    r2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    frames: t.frameCount,
    'blocks per frame': blocks,
    'objects tracked': t.count,
    'track ms total (frame by frame, parsing excluded)': trackMs.toFixed(0),
    'track µs per frame (mean)': ((trackMs * 1000) / t.frameCount).toFixed(0),
    'track ms, slowest frame': worst.toFixed(2),
    'tracker memory MB (columns)': (columns / 1048576).toFixed(1),
    [`compare first ↔ last ms (${cmp.added.length} new, ${cmp.gone.length} gone, ${cmp.survived.length} survived)`]: compareMs.toFixed(1),
    'blame by phase at the last frame ms': blameMs.toFixed(1),
    'ages at the last frame ms': agesMs.toFixed(1),
    'leak verdict ms': leakMs.toFixed(1),
    'from a session file: open + fetch every map + track + verdict, s': `${(sessionMs / 1000).toFixed(2)} wall, ${(sessionCpu / 1000).toFixed(2)} CPU`,
    [`from a session file, maps followed line by line (${followed}): open + track + verdict, s`]: `${(followedMs / 1000).toFixed(2)} wall, ${(followedCpu / 1000).toFixed(2)} CPU`,
  };
}
