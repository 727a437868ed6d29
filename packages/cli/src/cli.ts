/**
 * The `property-services` command: one module per command (`commands/`), registered on a commander
 * program, which gives every command its `--help`, the program its `--version`, and the table the shell
 * completion is written from.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command, CommanderError } from 'commander'
import { auditCommand } from './commands/audit.js'
import { completionCommand } from './commands/completion.js'
import { demoCommand } from './commands/demo.js'
import { quarantineCommand, rebuildCommand, workCommand } from './commands/rebuild.js'
import { reconcileCommand } from './commands/reconcile.js'
import { reportCommand } from './commands/report.js'
import { CliError, type Io } from './commands/shared.js'
import { startTelemetry } from './telemetry.js'

export { CliError, type Io } from './commands/shared.js'

/** The commands, in the order `--help` lists them. */
const commands = [
  demoCommand,
  reportCommand,
  auditCommand,
  reconcileCommand,
  rebuildCommand,
  workCommand,
  quarantineCommand,
  completionCommand,
] as const

/** This package's version, from its package.json (found upward from this file, in src or dist). */
const version = (): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json')
    if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
  }
  return 'unknown'
}

/** The program, writing to `io`; errors are thrown (exitOverride), not exits. */
export const program = (io: Io): Command => {
  const root = new Command('property-services')
    .description('simulate, report on and audit an event-sourced property-management history')
    .version(version(), '-V, --version')
    .option('--telemetry <exporter>', 'print OpenTelemetry spans and metrics: console')
    .addHelpText(
      'after',
      '\nTIME is ISO-8601 with an offset, e.g. 2025-06-30T12:00:00+08:00 (or as reports print it).',
    )
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: () => undefined,
    })
  for (const register of commands) register(root, io)
  let stopTelemetry: () => Promise<void> = async () => undefined
  root.hook('preAction', async () => {
    stopTelemetry = await startTelemetry(root.opts<{ telemetry?: string }>().telemetry)
  })
  root.hook('postAction', () => stopTelemetry())
  // Subcommands inherit the root's exit and output behaviour.
  const inherit = (command: Command) => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput({
        writeOut: (text) => io.out(text.replace(/\n$/, '')),
        writeErr: () => undefined,
      })
      inherit(sub)
    }
  }
  inherit(root)
  return root
}

/** Runs the CLI; resolves to the exit code. */
export const run = async (argv: readonly string[], io: Io): Promise<number> => {
  const cli = program(io)
  if (argv.length === 0) {
    io.out(cli.helpInformation().replace(/\n$/, ''))
    return 2
  }
  try {
    await cli.parseAsync([...argv], { from: 'user' })
    return 0
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end parsing with a code of 0: nothing went wrong.
      if (error.exitCode === 0) return 0
      io.err.write(`property-services: ${error.message.replace(/^error: /, '').split('\n')[0]}\n`)
      return 2
    }
    if (error instanceof CliError) {
      io.err.write(`property-services: ${error.message}\n`)
      return error.exitCode
    }
    throw error
  }
}
