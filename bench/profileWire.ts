/**
 * What the WebSocket bridge's binary messages (src/shared/wireFrame.ts) save on the soak's frame
 * series against the base64-in-JSON they replaced: bytes on the wire, the server's encode and
 * the client's decode (Node's own base64; a browser without Uint8Array.fromBase64 decodes slower).
 * Usage: node --import tsx bench/profileWire.ts [session] (default the 250,000-dump soak).
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { HeapScopeService, SessionFileStore } from '../src/main/service';
import { packMessage, unpackMessage } from '../src/shared/wireFrame';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? path.join(root, 'bench/data/soak-250000.hss');
const home = mkdtempSync(path.join(os.tmpdir(), 'hs-wire-'));
const svc = new HeapScopeService({ dataDir: home, store: new SessionFileStore() });
try {
  await svc.openSession(file);
  const s = await svc.getFrameSeries();
  const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
  const keys = ['usedBytes', 'freeBytes', 'largestFreeBytes', 'fragmentation', 'timeMs', 'logLine'] as const;
  const asText = () => {
    const r: Record<string, unknown> = { frames: s.frames, events: s.events, logLineCount: s.logLineCount };
    for (const k of keys) r[`${k}64`] = b64(s[k]);
    return JSON.stringify({ id: 1, ok: true, result: r });
  };
  const best = (f: () => unknown) => {
    let m = Infinity;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      f();
      m = Math.min(m, performance.now() - t);
    }
    return `${m.toFixed(1)} ms`;
  };
  const text = asText();
  const bin = packMessage({ id: 1, ok: true, result: s }) as Uint8Array;
  const ab = bin.slice().buffer;
  console.log(`frame series of ${s.frames} frames: base64 in JSON ${Buffer.byteLength(text)} bytes, binary message ${bin.length} bytes`);
  console.log(`server encode (best of 5): base64 in JSON ${best(asText)}, binary ${best(() => packMessage({ id: 1, ok: true, result: s }))}`);
  const decodeText = () => {
    const o = JSON.parse(text) as { result: Record<string, string> };
    for (const k of keys) Buffer.from(o.result[`${k}64`], 'base64');
  };
  console.log(`client decode (best of 5, Node): base64 in JSON ${best(decodeText)}, binary ${best(() => unpackMessage(ab))}`);
} finally {
  await svc.closeSession();
  rmSync(home, { recursive: true, force: true });
}
