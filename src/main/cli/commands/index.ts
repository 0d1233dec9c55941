import type { Command } from 'commander';
import * as inspect from './inspect';

/**
 * Every subcommand lives in its own file and exports `register(program)`.
 * Add one line here per command.
 */
export function registerCommands(program: Command): void {
  inspect.register(program);
}
