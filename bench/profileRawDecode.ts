// Profiling aid: `node --cpu-prof --import tsx bench/profileRawDecode.ts [session] [rounds]`: every raw
// byte of a session decoded (rawChunks: the line-delta decoder and the heap model), best CPU of the rounds.
import { SessionReader } from '../src/main/session';

const file = process.argv[2] ?? 'bench/data/soak-20000.hss';
const rounds = Number(process.argv[3] ?? 3);
let best = Infinity;
let bytes = 0;
for (let k = 0; k < rounds; k++) {
  const r = SessionReader.open(file);
  const c0 = process.cpuUsage();
  bytes = 0;
  for (const chunk of r.rawChunks()) bytes += chunk.length;
  const c = process.cpuUsage(c0);
  best = Math.min(best, (c.user + c.system) / 1e6);
  r.close();
}
console.log(`raw decode ${best.toFixed(3)} s CPU (best of ${rounds}), ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / 1e6 / best).toFixed(0)} MB/s of CPU`);
