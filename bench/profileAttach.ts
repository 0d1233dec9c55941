import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordToSession } from '../src/main/record/toSession';
const dir = mkdtempSync(path.join(os.tmpdir(), 'perfui-prof-'));
const a = path.join(dir, 'a'), b = path.join(dir, 'b');
const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
for (let i = 0; i < 100 && !(existsSync(a) && existsSync(b)); i++) await new Promise((r) => setTimeout(r, 50));
const PACER = `
const { openSync, writeSync, readFileSync, constants } = require('node:fs');
const [port, file, rate, seconds] = process.argv.slice(1);
const data = readFileSync(file);
const fd = openSync(port, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
let at = 0, sent = 0; const t0 = Date.now();
const tick = () => { const due = Math.floor(((Date.now() - t0) / 1000) * +rate);
  while (sent < due) { const n = Math.min(due - sent, data.length - at, 65536);
    try { sent += writeSync(fd, data, at, n); at = (at + n) % data.length; } catch (e) { if (e.code !== 'EAGAIN') throw e; break; } }
  if (Date.now() - t0 < +seconds * 1000) setTimeout(tick, 10); else process.exit(0); };
tick();`;
const w = spawn(process.execPath, ['-e', PACER, b, new URL('./data/pimst-40mb.txt', import.meta.url).pathname, '1000000', '14'], { stdio: 'ignore' });
const c0 = process.cpuUsage();
const h = recordToSession({ port: a, run: { kind: 'attach' }, periodMs: 350, collect: false, durationMs: 12000, sessionPath: path.join(dir, 's.hss') });
const res = await h.done;
const c = process.cpuUsage(c0);
console.log('bytes', res.counts.bytes, 'snapshots', res.counts.snapshots, 'cpu ms', (c.user + c.system) / 1000, 'ms/MB', ((c.user + c.system) / 1000) / (res.counts.bytes / 1e6));
w.kill(); socat.kill();
