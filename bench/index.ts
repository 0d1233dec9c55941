/**
 * `npm run bench`: prints the figures the performance budgets name. Run on demand, never in
 * the test suite. Each section runs on its own so one failure does not hide the others.
 */
import os from 'node:os';
import { measureHelperFootprint } from '../src/main/board/virtual/helperFootprint';
import { benchCapture, benchPimstCapture } from './captureGen';
import { benchImportCommand } from './importCmd';
import { benchIngest } from './ingest';
import { benchLifetimes } from './lifetimes';
import { benchRecord } from './record';
import { benchRecordAttach } from './recordAttach';
import { benchRenderer } from './renderer';
import { benchSession } from './session';
import { benchSoak } from './soak';
import { benchStartup } from './startup';

type Section = [string, () => Promise<Record<string, string | number>>];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  // Each capture is made only for the sections that read it.
  let made: string | null = null;
  const capture = async (): Promise<string> => {
    if (made) return made;
    const t0 = Date.now();
    process.stdout.write('making (or reusing) a 100 MB capture with real MicroPython…\n');
    made = await benchCapture();
    process.stdout.write(`  ${made} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    return made;
  };
  let madePimst: string | null = null;
  const pimst = async (): Promise<string> => {
    if (madePimst) return madePimst;
    const t1 = Date.now();
    process.stdout.write('making (or reusing) a 40 MB pi-mst-framed capture with real MicroPython…\n');
    madePimst = await benchPimstCapture();
    process.stdout.write(`  ${madePimst} (${((Date.now() - t1) / 1000).toFixed(1)} s)\n`);
    return madePimst;
  };
  process.stdout.write(`load average: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores shared: ratios hold, times do not)\n\n`);
  const sections: Section[] = [
    ['ingest', async () => benchIngest(await capture())],
    ['import', async () => benchImportCommand(await pimst())],
    ['session', async () => benchSession(await capture(), await pimst())],
    ['soak', benchSoak],
    ['helper', helperFigures],
    ['record', benchRecord],
    ['attach', async () => benchRecordAttach(await pimst())],
    ['renderer', benchRenderer],
    ['startup', benchStartup],
    ['lifetimes', benchLifetimes],
  ];
  for (const [name, run] of sections) {
    if (only.length && !only.includes(name)) continue;
    process.stdout.write(`## ${name}\n`);
    try {
      const figures = await run();
      for (const [k, v] of Object.entries(figures)) process.stdout.write(`  ${k}: ${v}\n`);
    } catch (err) {
      process.stdout.write(`  FAILED: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 1;
    }
    process.stdout.write('\n');
  }
}

/** The on-device helper's cost on real MicroPython (the virtual board's 192 KB heap). */
async function helperFigures(): Promise<Record<string, string | number>> {
  const f = await measureHelperFootprint({ heapBytes: 192 * 1024, dumps: 100 });
  return {
    'heap (GC total) bytes': f.gcTotal,
    'heap in use while dumping': f.heapUsedBytes,
    'import footprint bytes': f.importBytes,
    'bytes allocated per dump (target 0)': f.bytesPerDump,
    'bytes allocated per dump with collect': f.bytesPerCollectDump,
    'ms per dump (192 KB heap)': f.msPerDump.toFixed(2),
    'console bytes per dump': f.outputBytesPerDump,
  };
}

await main();
