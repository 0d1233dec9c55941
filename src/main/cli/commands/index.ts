import type { Command } from 'commander';

/**
 * Every subcommand lives in its own file and exports `register(program)`.
 * Add one line here per command.
 */
export function registerCommands(program: Command): void {
  void program;
}
