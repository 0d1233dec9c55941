/**
 * Every subcommand as the user sees it: its name, arguments, options and help text. The
 * work itself lives in `./<command>.ts` and is imported only when that command runs, so
 * `heapscope --help` (and every command's start) does not pay for the serial port bindings,
 * the virtual board, the bridge or the session format. test/cli/startup.test.ts holds that.
 *
 * Keep this file light: it imports only commander, and the command files with `import type`.
 * A new command is a block here plus its own file exporting `run`.
 */
import { Option, type Command } from 'commander';
import type { CheckCliOptions } from './check';
import type { ExportCliOptions } from './export';
import type { InspectCliOptions } from './inspect';
import type { ImportCliOptions } from './import';
import type { PortsCliOptions } from './ports';
import type { RecordCliOptions } from './record';
import type { ServeCliOptions } from './serve';
import type { VirtualBoardCliOptions } from './virtualBoard';

/** The formats `export` writes; `./export` checks `--format` against the same list. */
export const EXPORT_FORMATS = ['csv', 'json', 'raw', 'png', 'gif', 'perfetto'] as const;

/**
 * The virtual board's demo programs, for the help text only (`./virtualBoard` checks against
 * the board's own DEMO_NAMES). Kept equal to board/virtual/virtualBoard.ts by a test, so the
 * help need not load the board.
 */
export const VIRTUAL_DEMO_NAMES = ['steady', 'leak', 'fragment', 'asyncio'] as const;

export function registerCommands(program: Command): void {
  program
    .command('inspect')
    .description('summarise the heap snapshots, log lines and events in a raw capture or a session')
    .argument('<file>', 'a raw capture (any text log with mem_info dumps) or a HeapScope session')
    .option('--json', 'print one JSON object on stdout')
    .addOption(
      new Option('--threads <n>', 'threads for a session: 1 reads it in one; 2 decodes its maps ahead in a second one (default: 2 for a session of 5,000 dumps or more when a core is idle)').choices(['1', '2']),
    )
    .action(async (file: string, opts: InspectCliOptions) => (await import('./inspect')).run(file, opts));

  addRuleOptions(program
    .command('check')
    .description('check a session or capture against rules (for CI and test rigs): exit 0 if all hold, 1 with one line per broken rule')
    .argument('<file>', 'a HeapScope session (.hss) or a raw capture'))
    .option('--json', 'print one JSON object on stdout')
    .action(async (file: string, opts: CheckCliOptions) => (await import('./check')).run(file, opts));

  program
    .command('import')
    .description('make a raw capture (any terminal log with mem_info dumps) into a session')
    .argument('<capture>', 'the capture: a log from mpremote, screen, Thonny, a pi-mst capture, a paste…')
    .requiredOption('-o, --output <session>', 'the session file to write (.hss)')
    .option('-f, --force', 'replace the output session if it exists')
    .option('--allow-empty', 'write the session even if the capture holds no heap dump (exit 0)')
    .addOption(
      new Option('--threads <n>', 'threads: 1 parses and codes in one; 2 codes in a second one (default: 2 for a capture of 16 MB or more when a core is idle)').choices(['1', '2']),
    )
    .action(async (capture: string, opts: ImportCliOptions) => (await import('./import')).run(capture, opts));

  program
    .command('export')
    .description('export a session: metrics as CSV or JSON, the raw capture, a frame as PNG, a range as GIF, a Perfetto trace')
    .argument('<session>', 'a HeapScope session (.hss)')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .option('-o, --output <file>', 'where to write (default: stdout for csv/json/raw, else beside the session)')
    .option('--from <n>', 'first snapshot (0-based)')
    .option('--to <n>', 'last snapshot (0-based)')
    .option('--snapshot <n>', 'the snapshot to draw (png)')
    .option('--scale <px>', 'pixels per block, 1–16 (png, gif; default 4)')
    .option('--fps <n>', 'frames per second, 1–60 (gif; default 10)')
    .option('--theme <theme>', 'light or dark colours (png, gif; default light)')
    .option('-f, --force', 'replace the output file if it exists')
    .action(async (session: string, opts: ExportCliOptions) => (await import('./export')).run(session, opts));

  program
    .command('virtual-board')
    .description('serve a virtual MicroPython board (real MicroPython in WebAssembly) on a serial port path, until interrupted')
    .requiredOption('--link <path>', 'the port to create (a symlink to a PTY), e.g. /tmp/vboard')
    .option('--heap <size>', 'GC heap size: bytes, or with K/M (e.g. 192K, 1M)', '192K')
    .option('--demo <name>', `run a demo program as main.py: ${VIRTUAL_DEMO_NAMES.join(', ')}`)
    .action(async (opts: VirtualBoardCliOptions) => (await import('./virtualBoard')).run(opts));

  program
    .command('ports')
    .description('list serial ports, known boards first (the virtual board is always there)')
    .option('--json', 'print one JSON array on stdout')
    .action(async (opts: PortsCliOptions) => (await import('./ports')).run(opts));

  const record = program
    .command('record')
    .description('record a board: run a program with periodic heap dumps and write a session')
    .requiredOption('-o, --output <session>', 'the session file to write (.hss)')
    .option('-f, --force', 'replace the output session if it exists')
    .option('--port <path>', 'serial port, `auto` (the first board found) or `virtual`', 'auto')
    .option('--baud <n>', 'baud rate (USB boards ignore it)', '115200')
    .option('--run <file>', 'run this file from the board (default: main.py)')
    .option('--script <file>', 'run a file from this computer, sent from RAM (the program is not written to the board; the helper mem_dump.py is, unless --no-write)')
    .option('--no-write', 'write nothing to the board: the helper runs from RAM too (import mem_dump still works)')
    .addOption(new Option('--dumps <how>', 'how dumps are made: timer, asyncio (a task in the program\'s event loop), calls (only where the program calls mem_dump.dump()), or auto (the timer where the board has one, else asyncio, else calls)').choices(['auto', 'timer', 'asyncio', 'calls']).default('auto'))
    .option('--attach', 'start nothing: record what the board prints (the program dumps on its own)')
    .option('--demo <name>', 'on the virtual board: the demo program to run as main.py')
    .option('--period <ms>', 'dump every N ms', '500')
    .option('--collect', 'run gc.collect() before each dump')
    .addOption(new Option('--duration <time>', 'stop after this long (30s, 2m, 1500ms); default: until Ctrl-C or the program ends'))
    .option('-q, --quiet', 'print only errors')
    .option('-v, --verbose', 'trace the serial protocol on stderr');
  addRuleOptions(record, ' (checked when the recording ends: exit 1 if one broke)').action(async (opts: RecordCliOptions) => (await import('./record')).run(opts));

  program
    .command('serve')
    .description('serve the HeapScope window to a browser on this machine (prints its URL first)')
    .option('-p, --port <n>', 'port to listen on (0: any free port)', '0')
    .option('--host <addr>', 'address to listen on; anything but loopback exposes your boards to the network', '127.0.0.1')
    .option('-s, --session <file>', 'a session or capture to open')
    .option('--no-build', 'do not build the renderer, even if it is missing or out of date')
    .action(async (opts: ServeCliOptions) => (await import('./serve')).run(opts));
}

/** `check`'s rules, which `record` takes too. */
function addRuleOptions(cmd: Command, when = ''): Command {
  return cmd
    .option('--max-used <n>', `used bytes at most N (bytes, 12K, 1M) or N% of the heap${when}`)
    .option('--min-largest-free <n>', 'the longest free run at least N bytes')
    .option('--max-fragmentation <n%>', 'fragmentation at most N%')
    .option('--no-memory-error', 'no MemoryError printed')
    .option('--no-leak', 'the leak verdict is not "leaking"')
    .option('--junit <file>', 'also write a JUnit XML report (rewritten on each run; any other file is never replaced)');
}
