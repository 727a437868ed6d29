import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { IsoDateTime } from '@property-services/domain'
import {
  type Anchors,
  auditor,
  decodeAnchors,
  type EventStore,
  eventStoreDbEventStore,
  type KeyStore,
  reconcileErasures,
  serde,
  sqliteEventStore,
  sqliteKeyStore,
  takeAnchors,
  verifyHistory,
} from '@property-services/infrastructure'
import {
  allProjections,
  inMemoryReadModelStore,
  mongoReadModelStore,
  type PoisonPolicy,
  ProjectionError,
  type QuarantinedEvent,
  quarantinedEvents,
  type ReadModelStore,
  rebuild,
} from '@property-services/projections'
import { auditComplaints } from './auditComplaints.js'
import { renderHtml } from './htmlReport.js'
import { localTime } from './localTime.js'
import { type Lang, langFromEnvironment, langs } from './messages.js'
import { cliPolicies } from './policies.js'
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
  demo      [--seed N] [--months N] [--db FILE] [--html FILE] [--lang en|zh-CN]
                                                     simulate a community on SQLite, then report
  report    [--db FILE] [--html FILE] [--as-of TIME] [--lang en|zh-CN]
                                                     read models as tables (and a page with charts);
                                                     visits as of TIME (now); language from LANG
  audit stream <name> [--as-of TIME] [--db FILE]     timeline and state of one stream
  audit complaints [--as-of TIME] [--db FILE]        complaints that deviated from the procedure
  audit verify [--db FILE | --eventstore URL] [--anchors FILE]
                                                     check every stream's hash chain (and anchors): exit 1 if altered
  audit anchors [--db FILE | --eventstore URL] --out FILE [--every N]
                                                     export digests of the global order, to keep elsewhere
  reconcile [--db FILE]                              complete erasures a crash interrupted (delete leftover keys)
  rebuild   [--db FILE | --eventstore URL] [--mongo URL --database NAME] [--on-poison stop|quarantine]
                                                     rebuild every read model (default: in memory)
  quarantine [--db FILE | --eventstore URL] [--mongo URL --database NAME]
                                                     stored events the read models could not read or project
TIME is ISO-8601 with an offset, e.g. 2025-06-30T12:00:00+08:00.`

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

/** A moment given on the command line: strictly ISO-8601 with an offset, in 2000-2199. */
// A time as reports print it (`2025-06-30 12:00:00 +08:00`), so that it can be pasted back.
const printedTime = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2}:\d{2})$/

const moment = (value: string | undefined, flag: string): string | undefined => {
  if (value === undefined) return undefined
  const printed = printedTime.exec(value)
  const iso = printed === null ? value : `${printed[1]}T${printed[2]}${printed[3]}`
  if (!IsoDateTime.is(iso))
    throw new CliError(
      `--${flag} must be a date-time with an offset between 2000 and 2199, such as 2025-06-30T12:00:00+08:00 or 2025-06-30 12:00:00 +08:00 as reports print it; got ${JSON.stringify(value)}`,
    )
  return iso
}

const poisonPolicy = (value: string | undefined): PoisonPolicy => {
  if (value === undefined || value === 'stop' || value === 'quarantine') return value ?? 'stop'
  throw new CliError(`--on-poison must be stop or quarantine, got ${JSON.stringify(value)}`)
}

/**
 * The file beside a demo database that says the demo made it: the demo replaces only such a file, so
 * `--db` can never delete a database it did not create.
 */
const demoMarker = (path: string) => `${path}.property-services-demo`
const markerText = 'created by "property-services demo"; the demo may replace the database beside this file\n'

const claimDemoFile = (path: string): void => {
  const marker = demoMarker(path)
  const ours = existsSync(marker) && readFileSync(marker, 'utf8') === markerText
  if (existsSync(path) && !ours)
    throw new CliError(
      `${path} exists and was not created by "property-services demo": it is left as it is; pass another --db`,
      1,
    )
  mkdirSync(dirname(path), { recursive: true })
  // The marker first: a crash after it leaves a file the next demo may replace, never one it may not.
  writeFileSync(marker, markerText)
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
}

const unreadableLine = (count: number, what: string) =>
  count === 0 ? '' : `\n${count} stored events could not be read and were left out of ${what}`

/** `--lang en|zh-CN`, or the environment's locale. */
const language = (value: string | undefined): Lang => {
  if (value === undefined) return langFromEnvironment()
  if ((langs as readonly string[]).includes(value)) return value as Lang
  throw new CliError(`--lang must be one of ${langs.join(', ')}; got ${JSON.stringify(value)}`)
}

const writeHtml = (
  path: string | undefined,
  data: Awaited<ReturnType<typeof reportData>>,
  io: Io,
  lang: Lang,
) => {
  if (path === undefined) return
  try {
    writeFileSync(path, renderHtml(data, lang))
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

/** Owners' data keys live in the SQLite file beside the events. */
const keysOf = (path: string): KeyStore => sqliteKeyStore({ path })

const readAnchors = (path: string): Anchors => {
  let anchors: unknown
  try {
    anchors = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new CliError(`cannot read anchors from ${path}: ${(error as Error).message.split('\n')[0]}`, 2)
  }
  const decoded = decodeAnchors(anchors)
  if (decoded._tag === 'Left')
    throw new CliError(
      `${path} is not an anchors file written by "property-services audit anchors": ${decoded.left.message}`,
      2,
    )
  return decoded.right
}

/** Rebuilds every read model; answers the events set aside (none under the `stop` policy). */
const project = async (
  events: EventStore,
  readModels: ReadModelStore,
  err: NodeJS.WriteStream,
  onPoison: PoisonPolicy = 'quarantine',
): Promise<QuarantinedEvent[]> => {
  const total = await events.countAfter()
  const projections = allProjections(cliPolicies)
  const progress = progressReporter('projecting every read model in one pass', err)
  await rebuild({
    events,
    readModels,
    projections,
    batchSize: 1000,
    onPoison,
    // Progress per projection; they move together, so the last one's count is the pass's.
    onProgress: (p) => {
      if (p.projection === projections.at(-1)?.name) progress.update(p.eventsProcessed, total, 'events')
    },
  })
  progress.done()
  return quarantinedEvents(readModels)
}

/** How many distinct stored events the projections set aside. */
const distinctEvents = (quarantined: readonly QuarantinedEvent[]) =>
  new Set(quarantined.map((q) => q.position)).size

const quarantineNote = (quarantined: readonly QuarantinedEvent[], db: string) =>
  quarantined.length === 0
    ? ''
    : `\n\n${distinctEvents(quarantined)} stored events could not be read or projected and were set aside (property-services quarantine --db ${db})`

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
          lang: { type: 'string' },
        })
        const lang = language(values.lang as string | undefined)
        const seed = integer(values.seed as string | undefined, 'seed', 7, 0, 2 ** 31)
        const months = integer(values.months as string | undefined, 'months', 12, 1, 60)
        const path = (values.db as string | undefined) ?? defaultDb
        claimDemoFile(path)
        const events = sqliteEventStore({ path, synchronous: 'normal' })
        const keys = keysOf(path)
        const progress = progressReporter('simulating', io.err)
        const result = await simulate(events, {
          seed,
          months,
          keys,
          onProgress: (done, total) => progress.update(done, total, 'weeks'),
        })
        progress.done()
        const readModels = inMemoryReadModelStore()
        await project(events, readModels, io.err)
        io.out(
          `Simulated ${months} months from seed ${seed}: ${result.commands} commands (${result.refused} refused by the domain), ${result.complaints} complaints; the deadline watch sent ${result.warnings} warnings and ${result.escalations} escalations; ${result.correctiveActions} corrective actions, ${result.reopenedActions} reopened by a repeat; events in ${path}\n`,
        )
        // The story's last day, so that the same seed gives the same report whenever it runs.
        const data = await reportData(readModels, result.lastDayAt)
        io.out(renderReport(data, lang))
        writeHtml(values.html as string | undefined, data, io, lang)
        const deviations = await auditComplaints(events, result.endsAt)
        io.out(
          `\n\nAudit: ${deviations.length} complaints deviated from the handling procedure (property-services audit complaints --db ${path})`,
        )
        await events.close()
        await keys.close()
        return 0
      }
      case 'report': {
        const { values } = parsed({
          db: { type: 'string' },
          html: { type: 'string' },
          'as-of': { type: 'string' },
          lang: { type: 'string' },
        })
        const asOf = moment(values['as-of'] as string | undefined, 'as-of')
        const lang = language(values.lang as string | undefined)
        const db = (values.db as string | undefined) ?? defaultDb
        const events = openExisting(db)
        const readModels = inMemoryReadModelStore()
        const quarantined = await project(events, readModels, io.err)
        const data = await reportData(readModels, asOf)
        io.out(renderReport(data, lang) + quarantineNote(quarantined, db))
        writeHtml(values.html as string | undefined, data, io, lang)
        await events.close()
        return 0
      }
      case 'audit': {
        const { values, positionals } = parsed(
          {
            db: { type: 'string' },
            eventstore: { type: 'string' },
            'as-of': { type: 'string' },
            anchors: { type: 'string' },
            out: { type: 'string' },
            every: { type: 'string' },
          },
          true,
        )
        const asOf = moment(values['as-of'] as string | undefined, 'as-of')
        const kind =
          positionals[0] === 'stream' && positionals.length === 2
            ? 'stream'
            : (positionals[0] === 'complaints' ||
                  positionals[0] === 'verify' ||
                  positionals[0] === 'anchors') &&
                positionals.length === 1
              ? positionals[0]
              : undefined
        if (kind === undefined)
          throw new CliError(`audit needs "stream <name>", "complaints", "verify" or "anchors"\n${usage}`)
        if (kind === 'verify' || kind === 'anchors') {
          if (values.db !== undefined && values.eventstore !== undefined)
            throw new CliError('pass either --db or --eventstore, not both')
          const out = values.out as string | undefined
          if (kind === 'anchors' && out === undefined)
            throw new CliError(`audit anchors needs --out FILE\n${usage}`)
          const every = integer(values.every as string | undefined, 'every', 10_000, 1, 10_000_000)
          const anchors = values.anchors === undefined ? undefined : readAnchors(values.anchors as string)
          const source =
            values.eventstore !== undefined
              ? eventStoreDbEventStore({ connectionString: values.eventstore as string })
              : openExisting((values.db as string | undefined) ?? defaultDb)
          try {
            if (kind === 'anchors') {
              const taken = await takeAnchors(source, { every })
              writeFileSync(out as string, `${JSON.stringify(taken, null, 2)}\n`)
              const last = taken.anchors.at(-1)
              io.out(
                `wrote ${taken.anchors.length} anchors over ${last?.events ?? 0} events to ${out}; keep them somewhere else`,
              )
              return 0
            }
            const result = await verifyHistory(source, anchors === undefined ? {} : { anchors })
            const summary = `${result.events} events in ${result.streams} streams${
              result.unchained === 0 ? '' : ` (${result.unchained} stored before hash chains, not checkable)`
            }${anchors === undefined ? '' : `, against ${anchors.anchors.length} anchors`}`
            if (result.problems.length === 0) {
              io.out(`verified ${summary}: no event altered, deleted, inserted or reordered`)
              return 0
            }
            io.out(
              [
                ...result.problems.map(
                  (p) =>
                    `${p.kind}  ${p.streamName || '(global order)'}${p.revision >= 0 ? ` revision ${p.revision}` : ''}  position ${p.position}  ${p.detail}`,
                ),
                `${result.problems.length} problems in ${summary}`,
              ].join('\n'),
            )
            return 1
          } catch (error) {
            if (/UNAVAILABLE|ECONNREFUSED/.test(String(error)))
              throw new CliError(`cannot reach EventStoreDB at ${values.eventstore}`, 1)
            throw error
          } finally {
            await source.close()
          }
        }
        const db = (values.db as string | undefined) ?? defaultDb
        const events = openExisting(db)
        // Each unreadable event once, though the stream audit reads it twice (timeline and state).
        const unreadable = new Set<string>()
        const onUnreadable = (error: Error) => {
          unreadable.add(error.message)
        }
        let keys: KeyStore | undefined
        try {
          if (kind === 'stream') {
            keys = keysOf(db)
            const audit = auditor({ store: events, keys, onUnreadable })
            const streamName = positionals[1] as string
            const timeline = await audit.timeline(streamName, asOf === undefined ? {} : { toTime: asOf })
            if (timeline.length === 0)
              throw new CliError(
                `no readable events in stream ${streamName}${asOf ? ` up to ${asOf}` : ''}${
                  unreadable.size === 0 ? '' : `; ${unreadable.size} stored events could not be read`
                }`,
                1,
              )
            io.out(
              timeline
                .map(
                  (t) =>
                    `${localTime(t.at)}  ${t.actor.role} ${t.actor.id}  ${t.type}  ${JSON.stringify(t.event.data)}`,
                )
                .join('\n'),
            )
            const { state } = await audit.stateAsOf(streamName, asOf === undefined ? {} : { toTime: asOf })
            io.out(`\nstate${asOf ? ` as of ${asOf}` : ''}: ${JSON.stringify(state, null, 2)}`)
            io.out(unreadableLine(unreadable.size, 'the timeline and the state'))
            return 0
          }
          const deviations = await auditComplaints(events, asOf ?? new Date().toISOString(), { onUnreadable })
          io.out(
            deviations
              .map(
                (d) =>
                  `${d.complaintId}  ${d.step}  due ${localTime(d.due ?? '-')}  happened ${d.happened === null || d.happened === undefined ? 'never' : localTime(d.happened)}  (${d.detail})`,
              )
              .join('\n'),
          )
          io.out(`\n${deviations.length} deviations${unreadableLine(unreadable.size, 'the audit')}`)
          return 0
        } finally {
          await keys?.close()
          await events.close()
        }
      }
      case 'rebuild':
      case 'quarantine': {
        const { values } = parsed({
          db: { type: 'string' },
          eventstore: { type: 'string' },
          mongo: { type: 'string' },
          database: { type: 'string' },
          ...(command === 'rebuild' ? { 'on-poison': { type: 'string' } } : {}),
        })
        const onPoison =
          command === 'rebuild' ? poisonPolicy(values['on-poison'] as string | undefined) : 'quarantine'
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
          if (command === 'quarantine') {
            // From MongoDB: what its rebuilds and runners set aside. Otherwise: project now, setting aside.
            const quarantined =
              values.mongo !== undefined
                ? await quarantinedEvents(readModels)
                : await project(events, readModels, io.err, 'quarantine')
            io.out(
              [
                ...quarantined.map(
                  (q) =>
                    `${q.projection}  ${q.position}  ${q.streamName}@${q.revision}  ${q.eventType}  ${q.error}`,
                ),
                `${distinctEvents(quarantined)} stored events set aside`,
              ].join('\n'),
            )
            return 0
          }
          const quarantined = await project(events, readModels, io.err, onPoison)
          io.out(
            `rebuilt ${allProjections().length} read models ${values.mongo === undefined ? 'in memory' : `into ${values.mongo}`}${
              quarantined.length === 0
                ? ''
                : `; ${distinctEvents(quarantined)} stored events set aside (property-services quarantine)`
            }`,
          )
          return 0
        } catch (error) {
          if (error instanceof ProjectionError)
            throw new CliError(`${error.message}\n(rebuild --on-poison quarantine sets such events aside)`, 1)
          if (/UNAVAILABLE|ECONNREFUSED/.test(String(error)))
            throw new CliError(`cannot reach EventStoreDB at ${values.eventstore}`, 1)
          throw error
        } finally {
          await readModels.close()
          await events.close()
        }
      }
      case 'reconcile': {
        const { values } = parsed({ db: { type: 'string' } })
        const path = (values.db as string | undefined) ?? defaultDb
        const events = openExisting(path)
        const keys = keysOf(path)
        try {
          const completed = await reconcileErasures({ store: events, keys, serde: serde({ keys }) })
          io.out(
            completed.length === 0
              ? "no interrupted erasure: every erased owner's key is gone"
              : `completed the erasure of ${completed.length} owners: ${completed.join(', ')}`,
          )
          return 0
        } finally {
          await keys.close()
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
