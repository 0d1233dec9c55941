/**
 * Self and total time by function of a .cpuprofile (node --cpu-prof, Chromium's profiler).
 * node bench/profileSummary.mjs FILE [TOP] [FROM_FN] [SPAN_MS]: with FROM_FN, only the SPAN_MS
 * (default 1500) from the first sample with that function on its stack (e.g. openSession).
 */
import fs from 'node:fs';

const [file, topArg, fromFn, spanArg] = process.argv.slice(2);
const p = JSON.parse(fs.readFileSync(file, 'utf8'));
const top = Number(topArg ?? 30);
const span = Number(spanArg ?? 1500) * 1000;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-1)[0]}:${n.callFrame.lineNumber}`;
const stackHas = (id, fn) => {
  for (let x = id; x !== undefined; x = parent.get(x)) if (byId.get(x).callFrame.functionName === fn) return true;
  return false;
};
let t = p.startTime;
let from = -Infinity;
const selfBy = new Map();
const totBy = new Map();
let sum = 0;
for (let i = 0; i < p.samples.length; i++) {
  const dt = p.timeDeltas[i] ?? 0;
  t += dt;
  const id = p.samples[i];
  if (fromFn && from === -Infinity && stackHas(id, fromFn)) from = t;
  if (fromFn && !(t >= from && t < from + span)) continue;
  const w = p.timeDeltas[i + 1] ?? 0;
  sum += w;
  const k = name(byId.get(id));
  selfBy.set(k, (selfBy.get(k) ?? 0) + w);
  const seen = new Set();
  for (let x = id; x !== undefined; x = parent.get(x)) {
    const kk = name(byId.get(x));
    if (seen.has(kk)) continue;
    seen.add(kk);
    totBy.set(kk, (totBy.get(kk) ?? 0) + w);
  }
}
const list = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(v / 1000).toFixed(1).padStart(9)} ${k}`).join('\n');
console.log(`${(sum / 1000).toFixed(0)} ms sampled${fromFn ? ` from ${fromFn} on` : ''}`);
console.log(`SELF\n${list(selfBy, top)}\nTOTAL\n${list(totBy, top + 15)}`);
