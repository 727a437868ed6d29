import Database from 'better-sqlite3'
import { Subject } from 'rxjs'
import { assertMilliseconds } from '../options.js'
import { catchUpSubscription } from './catchUp.js'
import { refusingWhenClosed } from './closing.js'
import { checkExpectedRevision, DuplicateEventIdError, parseStoredJson } from './errors.js'
import { nextTurn } from './nextTurn.js'
import {
  type AppendResult,
  checkReadAllOptions,
  checkReadStreamOptions,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllPage,
  type StoredEvent,
} from './port.js'

export interface SqliteEventStoreOptions {
  /** The database file; `:memory:` for a private in-memory database. */
  readonly path: string
  /**
   * `full` (default) syncs the write-ahead log on every commit, so an acknowledged append survives
   * power loss; `normal` survives a crashed process but may lose the last commits on power loss.
   * Either way an append is all or nothing.
   */
  readonly synchronous?: 'full' | 'normal'
  /** How often a subscription looks for events appended by other processes; default 250 ms. */
  readonly pollIntervalMs?: number
  /**
   * Group commit (default on): appends that arrive while the event loop is busy share one transaction
   * and one sync of the log, each in a savepoint of its own, so one refused append (a wrong expected
   * revision, a reused event id) leaves the others whole. Each append is acknowledged only once the
   * shared transaction has committed, so durability is that of each `synchronous` setting. `false`
   * commits every append on its own.
   */
  readonly groupCommit?: boolean
  /**
   * How long the first append of a group waits for others, in ms; default 0 (the group is whatever
   * arrived before the event loop came round). A few ms raise throughput under many concurrent
   * writers at the price of latency.
   */
  readonly commitWindowMs?: number
}

interface QueuedAppend {
  readonly streamName: string
  readonly events: readonly NewEvent[]
  readonly expected: ExpectedRevision
  readonly resolve: (result: AppendResult) => void
  readonly reject: (error: unknown) => void
}

/**
 * A stored row as better-sqlite3 returns it in raw mode: an array in the order of {@link rowColumns}.
 * Arrays cost about half as much as row objects to fetch, which is most of reading the log.
 */
type Row = readonly [
  position: number,
  streamName: string,
  revision: number,
  eventId: string,
  type: string,
  data: string,
  metadata: string,
]
const rowColumns = 'position, stream_name, stream_revision, event_id, type, data, metadata'

/** At most this many streams' last revisions are kept in memory (then all are forgotten at once). */
const knownStreamsLimit = 100_000

const schema = `
  CREATE TABLE IF NOT EXISTS events (
    position        INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_name     TEXT    NOT NULL,
    stream_revision INTEGER NOT NULL,
    event_id        TEXT    NOT NULL UNIQUE,
    type            TEXT    NOT NULL,
    data            TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    occurred_at     TEXT    NOT NULL,
    UNIQUE (stream_name, stream_revision)
  );
`

const toPosition = (n: number): Position => {
  const sequence = BigInt(n)
  return { commit: sequence, prepare: sequence }
}

// The context of a corrupt column is built only when one fails to parse: this runs for every row read.
const parseColumn = (
  text: string,
  streamName: string,
  revision: number,
  type: string,
  field: 'data' | 'metadata',
): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return parseStoredJson(text, { streamName, revision, type }, field)
  }
}

/** A row as a stored event; `metadata` when the caller has already parsed it (to filter on it). */
const toStored = (
  [position, streamName, revision, eventId, type, data, metadataText]: Row,
  metadata: unknown = parseColumn(metadataText, streamName, revision, type, 'metadata'),
): StoredEvent => ({
  streamName,
  revision,
  position: toPosition(position),
  eventId,
  type,
  data: parseColumn(data, streamName, revision, type, 'data'),
  metadata,
})

const isUniqueViolation = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE'

/** Business time as a sortable UTC string, so SQLite can compare it as text. */
const utc = (iso: string): string => new Date(iso).toISOString()

/**
 * The embedded, durable default: one SQLite file in WAL mode. An append checks the expected revision
 * and inserts the batch in one IMMEDIATE transaction (shared with the appends that arrive at the same
 * time: group commit), so a killed process leaves either the whole batch or none of it, and revisions
 * without gaps. Several processes may share the file.
 */
export const sqliteEventStore = (options: SqliteEventStoreOptions): EventStore => {
  assertMilliseconds('sqliteEventStore', 'pollIntervalMs', options.pollIntervalMs, 1)
  assertMilliseconds('sqliteEventStore', 'commitWindowMs', options.commitWindowMs, 0)
  const db = new Database(options.path)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
  db.pragma('busy_timeout = 5000')
  db.pragma('secure_delete = ON')
  db.exec(schema)

  const lastRevision = db.prepare<[string], { revision: number | null }>(
    'SELECT MAX(stream_revision) AS revision FROM events WHERE stream_name = ?',
  )
  const insert = db.prepare(
    `INSERT INTO events (stream_name, stream_revision, event_id, type, data, metadata, occurred_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
  const readStream = db
    .prepare<[string, number, number, string], Row>(
      `SELECT ${rowColumns} FROM events WHERE stream_name = ? AND stream_revision >= ? AND stream_revision <= ?
       AND occurred_at <= ? ORDER BY stream_revision LIMIT -1`,
    )
    .raw(true)
  const readAfter = db
    .prepare<[number, number], Row>(
      `SELECT ${rowColumns} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    )
    .raw(true)
  const lastPosition = db.prepare<[], { position: number | null }>(
    'SELECT MAX(position) AS position FROM events',
  )
  const countAfter = db.prepare<[number], { count: number }>(
    'SELECT COUNT(*) AS count FROM events WHERE position > ?',
  )
  const streamOfEventId = db.prepare<[string], { stream_name: string }>(
    'SELECT stream_name FROM events WHERE event_id = ?',
  )
  const rewriteData = db.prepare('UPDATE events SET data = ? WHERE stream_name = ? AND stream_revision = ?')
  const appended = new Subject<void>()

  // The last revision of streams this connection has seen, so that an append or a read past the end
  // asks SQLite nothing. Valid while no other connection commits: SQLite's data_version changes when
  // one has, and then everything known is forgotten. What a transaction appends is noted apart and
  // becomes known only once it commits.
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck()
  let seenVersion = dataVersion.get()
  const known = new Map<string, number>()
  let appending: Map<string, number> | undefined
  const forgetIfOthersWrote = () => {
    const version = dataVersion.get()
    if (version !== seenVersion) {
      seenVersion = version
      known.clear()
    }
  }
  const currentRevision = (streamName: string): number => {
    const noted = appending?.get(streamName) ?? known.get(streamName)
    if (noted !== undefined) return noted
    const revision = lastRevision.get(streamName)?.revision ?? -1
    if (known.size >= knownStreamsLimit) known.clear()
    known.set(streamName, revision)
    return revision
  }
  /** Runs a write transaction, and makes what it appended known once it has committed. */
  const inWriteTransaction = <T>(write: () => T): T => {
    appending = new Map()
    try {
      const result = write()
      for (const [stream, revision] of appending) known.set(stream, revision)
      return result
    } finally {
      appending = undefined
    }
  }

  const appendRows = (streamName: string, events: readonly NewEvent[], expected: ExpectedRevision) => {
    const current = currentRevision(streamName)
    checkExpectedRevision(streamName, expected, current)
    // The last insert's row id is the position; only an empty append asks for the last one stored.
    let position = events.length === 0 ? (lastPosition.get()?.position ?? 0) : 0
    events.forEach((event, i) => {
      let result: Database.RunResult
      try {
        result = insert.run(
          streamName,
          current + 1 + i,
          event.eventId,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          utc(event.metadata.occurredAt),
        )
      } catch (error) {
        // The event_id UNIQUE index finds a reused id (earlier in this batch too): name it, typed. The
        // transaction rolls back whole.
        const existing = isUniqueViolation(error)
          ? streamOfEventId.get(event.eventId)?.stream_name
          : undefined
        if (existing !== undefined) throw new DuplicateEventIdError(event.eventId, existing, streamName)
        throw error
      }
      position = Number(result.lastInsertRowid)
    })
    appending?.set(streamName, current + events.length)
    return { nextExpectedRevision: current + events.length, position: toPosition(position) }
  }
  // Called inside another transaction, better-sqlite3 runs a transaction function in a savepoint. (A
  // savepoint that fails throws before its append is noted.)
  const append = db.transaction(appendRows)
  const appendAlone = db.transaction(
    (streamName: string, events: readonly NewEvent[], expected: ExpectedRevision) => {
      forgetIfOthersWrote()
      return appendRows(streamName, events, expected)
    },
  )

  // Group commit: the queued appends share one transaction, and all are answered after its one
  // commit. A refused append must leave the others whole: one of several events runs in a savepoint of
  // its own, so that its earlier inserts roll back; one of a single event needs none, because SQLite
  // backs out a failed statement by itself and the expected revision is checked before any insert.
  const appendGroup = db.transaction((group: readonly QueuedAppend[]) => {
    // The write lock is held from here: data_version now tells of every other commit.
    forgetIfOthersWrote()
    return group.map((queued) => {
      try {
        const appendOne = queued.events.length > 1 ? append : appendRows
        return { ok: true as const, result: appendOne(queued.streamName, queued.events, queued.expected) }
      } catch (error) {
        return { ok: false as const, error }
      }
    })
  })
  let queue: QueuedAppend[] = []
  let flushing: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined
  const flush = () => {
    flushing = undefined
    const group = queue
    queue = []
    if (group.length === 0) return
    let outcomes: ReturnType<typeof appendGroup>
    try {
      outcomes = inWriteTransaction(() => appendGroup.immediate(group))
    } catch (error) {
      // The commit itself failed (busy past the timeout, disk full): nothing of the group is stored.
      for (const queued of group) queued.reject(error)
      return
    }
    outcomes.forEach((outcome, i) => {
      const queued = group[i]!
      if (outcome.ok) queued.resolve(outcome.result)
      else queued.reject(outcome.error)
    })
    if (outcomes.some((o, i) => o.ok && group[i]!.events.length > 0)) appended.next()
  }
  const windowMs = options.commitWindowMs ?? 0

  const store: EventStore = {
    appendToStream: async (streamName, events, opts = {}) => {
      const expected = opts.expectedRevision ?? 'any'
      if (options.groupCommit === false) {
        const result = inWriteTransaction(() => appendAlone.immediate(streamName, events, expected))
        if (events.length > 0) appended.next()
        return result
      }
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ streamName, events, expected, resolve, reject })
        flushing ??= windowMs > 0 ? setTimeout(flush, windowMs) : setImmediate(flush)
      })
    },
    readStream: async (streamName, opts = {}) => {
      checkReadStreamOptions(opts)
      forgetIfOthersWrote()
      const from = opts.fromRevision ?? 0
      const last = known.get(streamName)
      // Past the end of a stream known here (a handler's cached state asks this of every command).
      if (last !== undefined && from > last) return { exists: last >= 0, events: [] }
      const rows = readStream.all(
        streamName,
        from,
        opts.toRevision ?? Number.MAX_SAFE_INTEGER,
        opts.toTime === undefined ? '9999-12-31T23:59:59.999Z' : utc(opts.toTime),
      )
      const events = rows.slice(0, opts.maxCount ?? rows.length).map((row) => toStored(row))
      const exists = rows.length > 0 || currentRevision(streamName) >= 0
      return { exists, events }
    },
    readAll: async (opts = {}): Promise<ReadAllPage> => {
      checkReadAllOptions(opts)
      await nextTurn()
      const maxCount = opts.maxCount ?? 1000
      const rows = readAfter.all(opts.after === undefined ? 0 : Number(opts.after.commit), maxCount)
      const last = rows[rows.length - 1]
      const lastPosition = last === undefined ? opts.after : toPosition(last[0])
      const only = opts.only
      if (only === undefined)
        return { events: rows.map((row) => toStored(row)), lastPosition, isEnd: rows.length < maxCount }
      // Left out before their data is parsed (most of a row's cost is parsing it).
      const events: StoredEvent[] = []
      for (const row of rows) {
        const [, streamName, revision, , type, , metadataText] = row
        if (only.types !== undefined && !only.types.has(type)) continue
        const metadata = parseColumn(metadataText, streamName, revision, type, 'metadata')
        if (only.metadata !== undefined && !only.metadata(metadata)) continue
        events.push(toStored(row, metadata))
      }
      return { events, lastPosition, isEnd: rows.length < maxCount, scanned: rows.length }
    },
    subscribeToAll: (opts = {}) =>
      catchUpSubscription(store.readAll, appended.asObservable(), {
        ...(opts.after === undefined ? {} : { after: opts.after }),
        pollIntervalMs: options.pollIntervalMs ?? 250,
      }),
    redact: async (streamName, rewrite) => {
      const rows = readStream.all(streamName, 0, Number.MAX_SAFE_INTEGER, '9999-12-31T23:59:59.999Z')
      const changes = rows.flatMap((row) => {
        const data = rewrite(toStored(row))
        return data === undefined ? [] : [[JSON.stringify(data), streamName, row[2]] as const]
      })
      db.transaction(() => {
        for (const change of changes) rewriteData.run(...change)
      }).immediate()
      // The old bytes may linger in free pages and the WAL: overwrite and compact them.
      if (changes.length > 0) {
        db.pragma('wal_checkpoint(TRUNCATE)')
        db.exec('VACUUM')
      }
      return changes.length
    },
    countAfter: async (after) => countAfter.get(after === undefined ? 0 : Number(after.commit))?.count ?? 0,
    close: async () => {
      // Appends already accepted are committed (and answered) before the file closes.
      if (flushing !== undefined) {
        clearTimeout(flushing as ReturnType<typeof setTimeout>)
        clearImmediate(flushing as ReturnType<typeof setImmediate>)
        flush()
      }
      appended.complete()
      db.close()
    },
  }
  return refusingWhenClosed('SQLite', store)
}
