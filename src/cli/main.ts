/**
 * The reclaimsim command line: a thin layer over the library. Each command lives in
 * src/cli/commands/<name>.ts and registers itself on the program. This is the only layer that
 * touches process, the file system and the wall clock.
 *
 * Errors: a UsageError (or commander's own parse error) prints one line `reclaimsim: ...` and
 * exits 1; a SimulatorError prints one line with time and event number and exits 3; anything
 * else is unexpected: one line, exit 6 (RECLAIMSIM_DEBUG=1 prints the stack).
 */
import { Command, CommanderError } from 'commander';
import { SimulatorError } from '../sim/assert.js';
import { InvariantViolation } from '../check/invariants.js';
import { ScenarioError } from '../scenario/errors.js';
import { EXIT_ASSERTION, EXIT_SAFETY, EXIT_UNEXPECTED, EXIT_USAGE, ExitRequest, UsageError } from './exit.js';
import { err, guardPipes, write } from './io.js';
import { commands } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('reclaimsim')
    .description('Deterministic simulator of the Linux 2.6.25 memory-reclaim and swap-out I/O path')
    .version('0.1.0')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => write(process.stdout, s),
      // Commander prints "error: ..." itself; we print our own one-liner from the exception.
      writeErr: () => {},
    });
  for (const register of commands) register(program);
  // Every subcommand inherits the same error behaviour.
  for (const c of program.commands) {
    c.exitOverride().configureOutput({ writeOut: (s) => write(process.stdout, s), writeErr: () => {} }).showSuggestionAfterError(true);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // No command at all: the help, on stdout, and the usage exit code (Commander would print it where
  // our one-line error handling keeps it quiet).
  if (argv.length === 0) {
    write(process.stdout, program.helpInformation());
    return EXIT_USAGE;
  }
  if (argv[0] === 'help' && argv[1] !== undefined && !program.commands.some((c) => c.name() === argv[1])) {
    err(`reclaimsim: help ${argv[1]}: unknown command; the commands are ${program.commands.map((c) => c.name()).join(', ')}`);
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    // A parser error points at the help of the command it was met in.
    const sub = program.commands.find((c) => c.name() === argv[0]);
    return handleError(e, sub !== undefined ? `reclaimsim ${sub.name()} --help` : 'reclaimsim --help');
  }
}

function oneLine(s: string): string {
  return s.replace(/^error:\s*/i, '').replace(/\s*\n\s*/g, ' ').trim();
}

export function handleError(e: unknown, help = 'reclaimsim --help'): number {
  if (e instanceof ExitRequest) return e.code;
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    err(`reclaimsim: ${oneLine(e.message)} (see ${help})`);
    return EXIT_USAGE;
  }
  if (e instanceof UsageError || e instanceof ScenarioError) {
    err(`reclaimsim: ${oneLine(e.message)}`);
    return EXIT_USAGE;
  }
  if (e instanceof InvariantViolation) {
    err(`reclaimsim: ${oneLine(e.message)}`);
    return EXIT_SAFETY;
  }
  if (e instanceof SimulatorError) {
    err(`reclaimsim: ${oneLine(e.toString())}`);
    if (process.env['RECLAIMSIM_DEBUG']) err(String(e.stack));
    return EXIT_ASSERTION;
  }
  err(`reclaimsim: unexpected error: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  if (process.env['RECLAIMSIM_DEBUG']) err(String(e instanceof Error ? e.stack : e));
  return EXIT_UNEXPECTED;
}

// Run when executed (bin/reclaimsim.js imports this module).
guardPipes();
const code = await main(process.argv.slice(2));
process.exitCode = code;
