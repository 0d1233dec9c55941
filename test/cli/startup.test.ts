/**
 * Start-up stays lazy: `heapscope --help` and `heapscope <command> --help` load the command
 * table only, never a command's implementation (serial port bindings, the virtual board's
 * WebAssembly, the bridge, the session format…). Each command loads its own file when it runs.
 *
 * The CLI runs as a user runs it: the compiled CLI in out/cli (built by the test suite's global
 * setup from these sources), with an ESM load hook writing each loaded URL to a file. Each
 * loaded chunk is mapped back to the sources it holds through the build's meta.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NAMES } from '../../src/main/board/virtual/virtualBoard';
import { VIRTUAL_DEMO_NAMES } from '../../src/main/cli/commands/index';
import { BIN } from '../support/cli';
import { CORPUS } from '../support/corpus';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILT = path.join(ROOT, 'out', 'cli');
const COMMANDS = ['inspect', 'import', 'export', 'virtual-board', 'ports', 'record', 'serve'];

let dir: string;
let register: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'heapscope-startup-'));
  writeFileSync(
    path.join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  if (process.env.HEAPSCOPE_LOADS_FILE) appendFileSync(process.env.HEAPSCOPE_LOADS_FILE, url + '\\n');
  return result;
}
`,
  );
  register = path.join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI; returns its exit code, stdout, every source file under src/ it loaded (relative, with /), and every module URL. */
function run(args: string[]) {
  const loadsFile = path.join(dir, `loads-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(loadsFile, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, HEAPSCOPE_LOADS_FILE: loadsFile, HEAPSCOPE_FROM_SOURCE: '' },
  });
  const urls = readFileSync(loadsFile, 'utf8').split('\n').filter((url) => url.startsWith('file:'));
  const meta = JSON.parse(readFileSync(path.join(BUILT, 'meta.json'), 'utf8')) as { chunks: Record<string, string[]> };
  const sources = new Set<string>();
  for (const url of urls) {
    const rel = path.relative(BUILT, fileURLToPath(url.replace(/\?.*$/, ''))).split(path.sep).join('/');
    for (const f of meta.chunks[rel] ?? []) if (f.startsWith('src/')) sources.add(f);
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, sources: [...sources], urls };
}

/** Only compiled JavaScript ran: no TypeScript, no tsx or esbuild. */
function onlyCompiled(urls: string[]) {
  expect(urls.filter((u) => /\.tsx?$|\/node_modules\/(tsx|esbuild|@esbuild)\//.test(u))).toEqual([]);
  expect(urls).toContain(pathToFileURL(path.join(BUILT, 'index.js')).href);
}

/** What help may load: the entry point, its errors and the command table. */
const HELP_MAY_LOAD = ['src/main/cli/index.ts', 'src/main/cli/errors.ts', 'src/main/cli/commands/index.ts'];

describe('heapscope start-up', () => {
  it('--help loads no command implementation', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    onlyCompiled(r.urls);
    expect(r.stdout).toMatch(/^Usage: heapscope /);
    // The hook does see the CLI's own TypeScript (else this test would prove nothing).
    expect(r.sources).toContain('src/main/cli/commands/index.ts');
    expect(r.sources.filter((f) => !HELP_MAY_LOAD.includes(f))).toEqual([]);
  });

  it.each(COMMANDS)('%s --help loads no command implementation', (command) => {
    const r = run([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: heapscope ${command} `));
    expect(r.sources).toContain('src/main/cli/commands/index.ts');
    expect(r.sources.filter((f) => !HELP_MAY_LOAD.includes(f))).toEqual([]);
  });

  it('a command loads its own file, and not the board, bridge, service or recorder it does not use', () => {
    const r = run(['inspect', path.join(CORPUS, '022-rp2-v1.23plus-picow-after-soft-reset.txt'), '--json']);
    expect(r.code).toBe(0);
    onlyCompiled(r.urls);
    expect(JSON.parse(r.stdout).snapshots).toHaveLength(1);
    expect(r.sources).toContain('src/main/cli/commands/inspect.ts');
    const heavy = r.sources.filter((f) => /^src\/main\/(board|bridge|service|record)\//.test(f) || /^src\/main\/cli\/commands\/(?!index|inspect)/.test(f));
    expect(heavy).toEqual([]);
  });

  it('the help lists the virtual board demos the board has', () => {
    expect([...VIRTUAL_DEMO_NAMES]).toEqual([...DEMO_NAMES]);
  });
});
