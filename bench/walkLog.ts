/**
 * Child of the hostile bench: the service's walk of a session file's index (fileIndex.ts) and a
 * read of every log line's text through it (what a search does), timed. HEAPSCOPE_ROOT picks the
 * checkout whose code runs (to measure before/after).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.env.HEAPSCOPE_ROOT ?? path.join(import.meta.dirname, '..');
const { SessionReader } = (await import(pathToFileURL(path.join(root, 'src/main/session/index.ts')).href)) as typeof import('../src/main/session');
const { indexFile, FileLog } = (await import(pathToFileURL(path.join(root, 'src/main/service/fileIndex.ts')).href)) as typeof import('../src/main/service/fileIndex');

const r = SessionReader.open(process.argv[2]);
let t = performance.now();
const w = indexFile(r, () => true, true);
const walkS = (performance.now() - t) / 1000;
t = performance.now();
const log = new FileLog(r, w);
let chars = 0;
for (let from = 0; from < log.count; from += 100_000) for (const s of log.texts(from, 100_000)) chars += s.length;
const readS = (performance.now() - t) / 1000;
console.error(`walk ${walkS.toFixed(2)} s (${w.logCount} lines, ${w.series.frames} frames), every line's text ${readS.toFixed(2)} s (${chars} chars)`);
r.close();
