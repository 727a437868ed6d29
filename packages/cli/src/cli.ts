import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import {
  auditor,
  commandHandler,
  type EventStore,
  eventStoreDbEventStore,
  sqliteEventStore,
} from '@property-services/infrastructure'
import {
  allProjections,
  inMemoryReadModelStore,
  mongoReadModelStore,
  type ReadModelStore,
  rebuild,
} from '@property-services/projections'
import { auditComplaints } from './auditComplaints.js'
import { renderHtml } from './htmlReport.js'
import { progressReporter } from './progress.js'
import { renderReport, reportData } from './report.js'
import { simulate } from './simulation.js'

/** A problem the user can fix: printed as one line, with a non-zero exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message)
  }
}

export interface Io {
  readonly out: (text: string) => void
  readonly err: NodeJS.WriteStream
}

const usage = `usage: property-services <command> [options]
  demo      [--seed N] [--months N] [--db FILE] [--html FILE]
                                                     simulate a community on SQLite, then report
  report    [--db FILE] [--html FILE]                  read models as tables (and a page with charts)
  audit stream <name> [--as-of TIME] [--db FILE]     timeline and state of one stream
  audit complaints [--as-of TIME] [--db FILE]        complaints that deviated from the procedure
  rebuild   [--db FILE | --eventstore URL] [--mongo URL --database NAME]
                                                     rebuild every read model (default: in memory)`

const defaultDb = '.data/demo.db'

const integer = (
  value: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError(`--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`)
  return n
}

const moment = (value: string | undefined, flag: string): string | undefined => {
  if (value === undefined) return undefined
  if (Number.isNaN(Date.parse(value)))
    throw new CliError(
      `--${flag} must be a date-time such as 2025-06-30T12:00:00+08:00, got ${JSON.stringify(value)}`,
    )
  return new Date(value).toISOString()
}

const writeHtml = (path: string | undefined, data: Awaited<ReturnType<typeof reportData>>, io: Io) => {
  if (path === undefined) return
  try {
    writeFileSync(path, renderHtml(data))
  } catch (error) {
    throw new CliError(
      `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      1,
    )
  }
  io.out(`\nwrote ${path}`)
}

const openExisting = (path: string): EventStore => {
  if (!existsSync(path))
    throw new CliError(`no event store at ${path}: run "property-services demo" first or pass --db`, 1)
  return sqliteEventStore({ path })
}

const project = async (events: EventStore, readModels: ReadModelStore, err: NodeJS.WriteStream) => {
  for (const projection of allProjections()) {
    const total = await events.countAfter()
    const progress = progressReporter(`projecting ${projection.name}`, err)
    await rebuild({
      events,
      readModels,
      projection,
      batchSize: 1000,
      onProgress: (p) => progress.update(p.eventsProcessed, total, 'events'),
    })
    progress.done()
  }
}

/** Runs the CLI; resolves to the exit code. */
export const run = async (argv: readonly string[], io: Io): Promise<number> => {
  try {
    const [command, ...rest] = argv
    const parsed = (
      options: NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>,
      allowPositionals = false,
    ) => {
      try {
        return parseArgs({ args: rest, options, allowPositionals, strict: true })
      } catch (error) {
        throw new CliError(`${(error as Error).message.split('\n')[0]}\n${usage}`)
      }
    }
    switch (command) {
      case 'demo': {
        const { values } = parsed({
          seed: { type: 'string' },
          months: { type: 'string' },
          db: { type: 'string' },
          html: { type: 'string' },
        })
        const seed = integer(values.seed as string | undefined, 'seed', 7, 0, 2 ** 31)
        const months = integer(values.months as string | undefined, 'months', 12, 1, 60)
        const path = (values.db as string | undefined) ?? defaultDb
        mkdirSync(dirname(path), { recursive: true })
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
        const events = sqliteEventStore({ path, synchronous: 'normal' })
        const progress = progressReporter('simulating', io.err)
        const result = await simulate(events, {
          seed,
          months,
          onProgress: (done, total) => progress.update(done, total, 'weeks'),
        })
        progress.done()
        const readModels = inMemoryReadModelStore()
        await project(events, readModels, io.err)
        io.out(
          `Simulated ${months} months from seed ${seed}: ${result.commands} commands (${result.refused} refused by the domain), ${result.complaints} complaints; events in ${path}\n`,
        )
        const data = await reportData(readModels)
        io.out(renderReport(data))
        writeHtml(values.html as string | undefined, data, io)
        const deviations = await auditComplaints(events, result.endsAt)
        io.out(
          `\n\nAudit: ${deviations.length} complaints deviated from the handling procedure (property-services audit complaints --db ${path})`,
        )
        await events.close()
        return 0
      }
      case 'report': {
        const { values } = parsed({ db: { type: 'string' }, html: { type: 'string' } })
        const events = openExisting((values.db as string | undefined) ?? defaultDb)
        const readModels = inMemoryReadModelStore()
        await project(events, readModels, io.err)
        const data = await reportData(readModels)
        io.out(renderReport(data))
        writeHtml(values.html as string | undefined, data, io)
        await events.close()
        return 0
      }
      case 'audit': {
        const { values, positionals } = parsed({ db: { type: 'string' }, 'as-of': { type: 'string' } }, true)
        const asOf = moment(values['as-of'] as string | undefined, 'as-of')
        const kind =
          positionals[0] === 'stream' && positionals.length === 2
            ? 'stream'
            : positionals[0] === 'complaints' && positionals.length === 1
              ? 'complaints'
              : undefined
        if (kind === undefined) throw new CliError(`audit needs "stream <name>" or "complaints"\n${usage}`)
        const events = openExisting((values.db as string | undefined) ?? defaultDb)
        try {
          if (kind === 'stream') {
            const audit = auditor({ store: events })
            const streamName = positionals[1] as string
            const timeline = await audit.timeline(streamName, asOf === undefined ? {} : { toTime: asOf })
            if (timeline.length === 0)
              throw new CliError(`no events in stream ${streamName}${asOf ? ` up to ${asOf}` : ''}`, 1)
            io.out(
              timeline
                .map(
                  (t) => `${t.at}  ${t.actor.role} ${t.actor.id}  ${t.type}  ${JSON.stringify(t.event.data)}`,
                )
                .join('\n'),
            )
            const { state } = await audit.stateAsOf(streamName, asOf === undefined ? {} : { toTime: asOf })
            io.out(`\nstate${asOf ? ` as of ${asOf}` : ''}: ${JSON.stringify(state, null, 2)}`)
            return 0
          }
          const deviations = await auditComplaints(events, asOf ?? new Date().toISOString())
          io.out(
            deviations
              .map(
                (d) =>
                  `${d.complaintId}  ${d.step}  due ${d.due ?? '-'}  happened ${d.happened ?? 'never'}  (${d.detail})`,
              )
              .join('\n'),
          )
          io.out(`\n${deviations.length} deviations`)
          return 0
        } finally {
          await events.close()
        }
      }
      case 'rebuild': {
        const { values } = parsed({
          db: { type: 'string' },
          eventstore: { type: 'string' },
          mongo: { type: 'string' },
          database: { type: 'string' },
        })
        if (values.db !== undefined && values.eventstore !== undefined)
          throw new CliError('pass either --db or --eventstore, not both')
        const events =
          values.eventstore !== undefined
            ? eventStoreDbEventStore({ connectionString: values.eventstore as string })
            : openExisting((values.db as string | undefined) ?? defaultDb)
        let readModels: ReadModelStore
        try {
          readModels =
            values.mongo !== undefined
              ? await mongoReadModelStore({
                  url: values.mongo as string,
                  database: (values.database as string | undefined) ?? 'property_services',
                })
              : inMemoryReadModelStore()
        } catch (error) {
          await events.close()
          throw new CliError(
            `cannot reach MongoDB at ${values.mongo}: ${(error as Error).message.split('\n')[0]}`,
            1,
          )
        }
        try {
          await project(events, readModels, io.err)
          io.out(
            `rebuilt ${allProjections().length} read models ${values.mongo === undefined ? 'in memory' : `into ${values.mongo}`}`,
          )
          return 0
        } catch (error) {
          if (/UNAVAILABLE|ECONNREFUSED/.test(String(error)))
            throw new CliError(`cannot reach EventStoreDB at ${values.eventstore}`, 1)
          throw error
        } finally {
          await readModels.close()
          await events.close()
        }
      }
      case undefined:
      case 'help':
      case '--help':
        io.out(usage)
        return command === undefined ? 2 : 0
      default:
        throw new CliError(`unknown command ${JSON.stringify(command)}\n${usage}`)
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.err.write(`property-services: ${error.message}\n`)
      return error.exitCode
    }
    throw error
  }
}
