/**
 * Child of the hostile bench: a service (as `heapscope serve` builds it) opens a capture, reads
 * a window of its log, searches the whole log, and says what it did. Run under /usr/bin/time by
 * bench/hostile.ts. HEAPSCOPE_ROOT picks the checkout whose code runs (to measure before/after).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.env.HEAPSCOPE_ROOT ?? path.join(import.meta.dirname, '..');
const { HeapScopeService, RawCaptureStore, SessionFileStore, looksLikeSession } = (await import(
  pathToFileURL(path.join(root, 'src/main/service/index.ts')).href
)) as typeof import('../src/main/service');

const file = process.argv[2];
const home = mkdtempSync(path.join(os.tmpdir(), 'heapscope-bench-svclog-'));
try {
  const svc = new HeapScopeService({
    dataDir: home,
    store: new SessionFileStore(),
    captureStore: new RawCaptureStore(),
    isSessionFile: async (p: string) => looksLikeSession(p),
  });
  await svc.openSession(file);
  const info = await svc.getSessionInfo();
  const total = (info as { logLineCount: number }).logLineCount;
  const win = await svc.getLogLines(Math.max(0, total - 100), 100);
  const found = await svc.searchLog({ query: 'l4999999', limit: 10 });
  console.error(`${total} lines, last "${win.lines[win.lines.length - 1]?.text}", search found ${found.matches.length}`);
  await svc.closeSession();
} finally {
  rmSync(home, { recursive: true, force: true });
}
