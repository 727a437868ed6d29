/** What the commands share: errors, option parsing, opening stores, projecting. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { IsoDateTime } from '@property-services/domain'
import {
  type Anchors,
  decodeAnchors,
  type EventStore,
  eventStoreDbEventStore,
  type KeyStore,
  kurrentDbEventStore,
  sqliteEventStore,
  sqliteKeyStore,
} from '@property-services/infrastructure'
import {
  allProjections,
  inMemoryReadModelStore,
  mongoReadModelStore,
  type PoisonPolicy,
  type QuarantinedEvent,
  quarantinedEvents,
  type ReadModelStore,
  rebuild,
} from '@property-services/projections'
import type { Command } from 'commander'
import { renderHtml } from '../htmlReport.js'
import { type Lang, langFromEnvironment, langs } from '../messages.js'
import { cliPolicies } from '../policies.js'
import { progressReporter } from '../progress.js'
import type { reportData } from '../report.js'

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

export const defaultDb = '.data/demo.db'

export const integer = (
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

export const moment = (value: string | undefined, flag: string): string | undefined => {
  if (value === undefined) return undefined
  const printed = printedTime.exec(value)
  const iso = printed === null ? value : `${printed[1]}T${printed[2]}${printed[3]}`
  if (!IsoDateTime.is(iso))
    throw new CliError(
      `--${flag} must be a date-time with an offset between 2000 and 2199, such as 2025-06-30T12:00:00+08:00 or 2025-06-30 12:00:00 +08:00 as reports print it; got ${JSON.stringify(value)}`,
    )
  return iso
}

export const poisonPolicy = (value: string | undefined): PoisonPolicy => {
  if (value === undefined || value === 'stop' || value === 'quarantine') return value ?? 'stop'
  throw new CliError(`--on-poison must be stop or quarantine, got ${JSON.stringify(value)}`)
}

/**
 * The file beside a demo database that says the demo made it: the demo replaces only such a file, so
 * `--db` can never delete a database it did not create.
 */
const demoMarker = (path: string) => `${path}.property-services-demo`
const markerText = 'created by "property-services demo"; the demo may replace the database beside this file\n'

export const claimDemoFile = (path: string): void => {
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

export const unreadableLine = (count: number, what: string) =>
  count === 0 ? '' : `\n${count} stored events could not be read and were left out of ${what}`

/** `--lang en|zh-CN`, or the environment's locale. */
export const language = (value: string | undefined): Lang => {
  if (value === undefined) return langFromEnvironment()
  if ((langs as readonly string[]).includes(value)) return value as Lang
  throw new CliError(`--lang must be one of ${langs.join(', ')}; got ${JSON.stringify(value)}`)
}

export const writeHtml = (
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

export const openExisting = (path: string): EventStore => {
  if (!existsSync(path))
    throw new CliError(`no event store at ${path}: run "property-services demo" first or pass --db`, 1)
  return sqliteEventStore({ path })
}

/** Where a command reads the log from, and where the read models are. */
export interface SourceOptions {
  readonly db?: string
  readonly eventstore?: string
  readonly mongo?: string
  readonly database?: string
}

/** The options of {@link SourceOptions}. */
export const sources = (command: Command) =>
  command
    .option('--db <file>', 'the SQLite file', defaultDb)
    .option(
      '--eventstore <url>',
      'read the log from EventStoreDB (esdb://…) or KurrentDB (kurrentdb://…) instead',
    )
    .option('--mongo <url>', 'read models in MongoDB (default: in memory)')
    .option('--database <name>', 'the MongoDB database', 'property_services')

/** Which client a server's URL is for: KurrentDB's own schemes, or EventStoreDB's (`esdb://…`). */
const serverOf = (url: string) =>
  /^(kurrentdb|kurrent|kdb)(\+discover)?:\/\//i.test(url) ? 'KurrentDB' : 'EventStoreDB'

/** The log the options name: a SQLite file, which must exist, or an EventStoreDB or KurrentDB server. */
export const openLog = (options: Pick<SourceOptions, 'db' | 'eventstore'>): EventStore => {
  if (options.eventstore !== undefined && options.db !== undefined && options.db !== defaultDb)
    throw new CliError('pass either --db or --eventstore, not both')
  if (options.eventstore === undefined) return openExisting(options.db ?? defaultDb)
  const connectionString = options.eventstore
  return serverOf(connectionString) === 'KurrentDB'
    ? kurrentDbEventStore({ connectionString })
    : eventStoreDbEventStore({ connectionString })
}

/** What a refused or dropped connection says: the driver's, Node's, and gRPC's (EventStoreDB, KurrentDB). */
const unreachable = /ECONNREFUSED|ECONNRESET|UNAVAILABLE|Unavailable/

/** Errors of a server gone for a while (restarted, failing over), not of what it holds. */
export const lostServer = (error: unknown): boolean => {
  // The driver labels what a new primary would take (a step-down, a shutdown under way).
  const labels = (error as { errorLabels?: unknown } | null)?.errorLabels
  if (Array.isArray(labels) && labels.includes('RetryableWriteError')) return true
  const name = (error as Error | null)?.name ?? ''
  return (
    [
      'MongoNetworkError',
      'MongoNetworkTimeoutError',
      'MongoServerSelectionError',
      'MongoPoolClearedError',
      'MongoTopologyClosedError',
    ].includes(name) || unreachable.test(`${name} ${String(error)}`)
  )
}

/** A server that cannot be reached, said in one line; other errors go on. */
export const unreachableLog = (error: unknown, options: Pick<SourceOptions, 'eventstore'>): void => {
  if (
    options.eventstore !== undefined &&
    unreachable.test(`${(error as Error | null)?.name} ${String(error)}`)
  )
    throw new CliError(`cannot reach ${serverOf(options.eventstore)} at ${options.eventstore}`, 1)
}

/** The read models in MongoDB when `--mongo` names a server, otherwise empty ones in memory. */
export const openReadModels = async (options: SourceOptions): Promise<ReadModelStore> => {
  if (options.mongo === undefined) return inMemoryReadModelStore()
  try {
    return await mongoReadModelStore({
      url: options.mongo,
      database: options.database ?? 'property_services',
    })
  } catch (error) {
    if (error instanceof RangeError) throw new CliError(`--database: ${error.message}`)
    throw new CliError(
      `cannot reach MongoDB at ${options.mongo}: ${(error as Error).message.split('\n')[0]}`,
      1,
    )
  }
}

export const readModelsAndLog = async (options: SourceOptions) => {
  const events = openLog(options)
  try {
    return { events, readModels: await openReadModels(options) }
  } catch (error) {
    await events.close()
    throw error
  }
}

/** Owners' data keys live in the SQLite file beside the events. */
export const keysOf = (path: string): KeyStore => sqliteKeyStore({ path })

export const readAnchors = (path: string): Anchors => {
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
export const project = async (
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
export const distinctEvents = (quarantined: readonly QuarantinedEvent[]) =>
  new Set(quarantined.map((q) => q.position)).size

/** `source`: the options that name the log or the read models, for the `quarantine` command. */
export const quarantineNote = (quarantined: readonly QuarantinedEvent[], source: string) =>
  quarantined.length === 0
    ? ''
    : `\n\n${distinctEvents(quarantined)} stored events could not be read or projected and were set aside (property-services quarantine ${source})`
