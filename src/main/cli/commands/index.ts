import type { Command } from 'commander';
import * as exportCmd from './export';
import * as importCmd from './import';
import * as inspect from './inspect';
import * as virtualBoard from './virtualBoard';
import * as ports from './ports';
import * as record from './record';
import * as serve from './serve';

/**
 * Every subcommand lives in its own file and exports `register(program)`.
 * Add one line here per command.
 */
export function registerCommands(program: Command): void {
  inspect.register(program);
  importCmd.register(program);
  exportCmd.register(program);
  virtualBoard.register(program);
  ports.register(program);
  record.register(program);
  serve.register(program);
}
