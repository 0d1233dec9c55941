import { Command, CommanderError } from 'commander';
import { ChecksFailed, InputError, UsageError } from './errors';
import { registerCommands } from './commands';

/** Runs the CLI; returns the exit code: 0 success, 1 bad input, 2 bad usage. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('heapscope')
    .description('Profile the garbage-collected heap of MicroPython and CircuitPython boards')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof ChecksFailed) return 1;
    if (err instanceof UsageError) {
      process.stderr.write(`heapscope: ${err.message}\n`);
      return 2;
    }
    if (err instanceof InputError) {
      process.stderr.write(`heapscope: ${err.message}\n`);
      return 1;
    }
    const e = err as NodeJS.ErrnoException;
    if (e && (e.name === 'WriteFailedError' || e.name === 'FileRefusedError')) {
      // These messages already name the file and say what happened.
      process.stderr.write(`heapscope: ${e.message}\n`);
      return 1;
    }
    if (e && typeof e.code === 'string' && e.path) {
      process.stderr.write(`heapscope: ${e.path}: ${describeFsError(e)}\n`);
      return 1;
    }
    process.stderr.write(`heapscope: ${e?.message ?? String(err)}\n`);
    return 1;
  }
}

function describeFsError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    default:
      return e.message;
  }
}
