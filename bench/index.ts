/**
 * `npm run bench`: prints the figures the performance budgets name. Run on demand, never in
 * the test suite. Each section runs on its own so one failure does not hide the others.
 */
import { benchCapture } from './captureGen';
import { benchIngest } from './ingest';

type Section = [string, () => Promise<Record<string, string | number>>];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const t0 = Date.now();
  process.stdout.write('making (or reusing) a 100 MB capture with real MicroPython…\n');
  const capture = await benchCapture();
  process.stdout.write(`  ${capture} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n\n`);
  const sections: Section[] = [['ingest', () => benchIngest(capture)]];
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

await main();
