import { importCapture } from '../src/main/session/importCapture';
const worker = new URL('file:///work/h-codec5/out/cli/rawCoderWorker.js');
for (let k = 0; k < 4; k++) {
  for (const mode of ['worker', 'sync']) {
    const c0 = process.cpuUsage(); const t0 = Date.now();
    const s = await importCapture(process.argv[2], '/tmp/codec5/q.hss', {}, { worker: mode === 'sync' ? undefined : worker });
    const c = process.cpuUsage(c0);
    console.log(mode, s.fileBytes, Date.now() - t0, 'ms wall', ((c.user + c.system) / 1e3).toFixed(0), 'ms CPU');
  }
}
