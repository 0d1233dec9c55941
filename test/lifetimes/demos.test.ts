/**
 * The leak verdict on the virtual board, live: real MicroPython running the demos as
 * HeapScope launches them (helper timer, a dump every 300 ms), read back as a capture.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/shared/capture/captureReader';
import { SessionLifetimes } from '../../src/shared/lifetimes';
import { demoSource, HELPER, launcher, startBoard, type WorkerBoard } from '../device/boardHarness';

let board: WorkerBoard | null = null;
afterEach(async () => {
  await board?.close();
  board = null;
});

async function verdictOf(demo: string, seconds: number) {
  board = await startBoard({ files: { '/mem_dump.py': HELPER, '/main.py': demoSource(demo) } });
  await board.execFor(launcher(300, false), seconds * 1000);
  const life = new SessionLifetimes();
  for (const e of readCapture(new Uint8Array(Buffer.from(board.text(), 'latin1')))) life.addCaptureEvent(e);
  return { v: life.leak(), frames: life.tracker.frameCount };
}

describe('leak verdict on the live virtual board', () => {
  it('leak demo: leaking', async () => {
    const { v, frames } = await verdictOf('leak', 12);
    expect(frames).toBeGreaterThanOrEqual(20);
    expect(v.verdict, v.reason).toBe('leaking');
    expect(v.bytesPerMinute!).toBeGreaterThan(1000);
    expect(v.groups.some((g) => g.kind === 'D')).toBe(true);
  });

  it('steady demo: steady', async () => {
    const { v, frames } = await verdictOf('steady', 12);
    expect(frames).toBeGreaterThanOrEqual(20);
    expect(v.verdict, v.reason).toBe('steady');
  });
});
