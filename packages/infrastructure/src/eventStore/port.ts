/**
 * The event-store port: what every adapter (in-memory, SQLite, EventStoreDB) offers. Events here are
 * raw records (JSON data and metadata); `serialization/` turns them into domain events and back.
 */
import type { Observable } from 'rxjs'
import { assertWholeNumber } from '../options.js'

/**
 * A place in the global order of all events. Opaque: store it with {@link positionToString}, read it
 * back with {@link positionFromString}, order two with {@link comparePositions}. (It mirrors
 * EventStoreDB's commit/prepare pair; the embedded stores use one sequence number for both.)
 */
export interface Position {
  readonly commit: bigint
  readonly prepare: bigint
}

export const positionToString = (position: Position): string => `${position.commit}/${position.prepare}`

export const positionFromString = (text: string): Position => {
  const match = /^(\d+)\/(\d+)$/.exec(text)
  if (match === null) throw new TypeError(`not an event-store position: ${JSON.stringify(text)}`)
  return { commit: BigInt(match[1] as string), prepare: BigInt(match[2] as string) }
}

/** Negative when `a` comes before `b`, zero when equal, positive after. */
export const comparePositions = (a: Position, b: Position): number =>
  a.commit !== b.commit
    ? a.commit < b.commit
      ? -1
      : 1
    : a.prepare === b.prepare
      ? 0
      : a.prepare < b.prepare
        ? -1
        : 1

/**
 * What the writer expects of the stream: anything goes, that it does not exist yet, that it exists,
 * or that its last event has exactly this revision (revisions count from 0).
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number

/** An event to append: JSON-serialisable data and metadata. `occurredAt` is the business time. */
export interface NewEvent {
  readonly eventId: string
  readonly type: string
  readonly data: unknown
  readonly metadata: { readonly occurredAt: string } & Readonly<Record<string, unknown>>
}

/** An event as stored: where it is in its stream and in the global order. */
export interface StoredEvent {
  readonly streamName: string
  readonly revision: number
  readonly position: Position
  readonly eventId: string
  readonly type: string
  readonly data: unknown
  readonly metadata: unknown
}

export interface AppendResult {
  /** The revision of the last event appended: pass it as the next expected revision. */
  readonly nextExpectedRevision: number
  readonly position: Position
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive); default 0. */
  readonly fromRevision?: number
  /** Last revision to read (inclusive). */
  readonly toRevision?: number
  /** Read only events whose business time (`metadata.occurredAt`) is at or before this moment. */
  readonly toTime?: string
  /** At most this many events (a positive whole number); all when absent. */
  readonly maxCount?: number
}

/**
 * Refuses read options no store could answer alike: revisions and page sizes that are not whole
 * numbers in range (a page of 0 never reaches the end, and one of -1 reads everything in SQLite) and a
 * `toTime` that is not a time. Every adapter checks its options with this before it reads.
 */
export const checkReadStreamOptions = (options: ReadStreamOptions): void => {
  assertWholeNumber('readStream', 'fromRevision', options.fromRevision, 0)
  assertWholeNumber('readStream', 'toRevision', options.toRevision, 0)
  assertWholeNumber('readStream', 'maxCount', options.maxCount, 1)
  if (options.toTime !== undefined && Number.isNaN(Date.parse(options.toTime)))
    throw new RangeError(`readStream: toTime must be a date and time, got ${JSON.stringify(options.toTime)}`)
}

/** See {@link checkReadStreamOptions}. */
export const checkReadAllOptions = (options: ReadAllOptions): void =>
  assertWholeNumber('readAll', 'maxCount', options.maxCount, 1)

/** A stream read. A stream that does not exist is an ordinary answer: `exists: false`, no events. */
export interface ReadStreamResult {
  readonly exists: boolean
  readonly events: readonly StoredEvent[]
}

export interface ReadAllOptions {
  /** Read events after this position (exclusive); from the beginning when absent. */
  readonly after?: Position
  /** Page size; default 1000. */
  readonly maxCount?: number
  /**
   * Which events the reader wants, as a hint: a store may leave the others out of the page (the SQLite
   * store does, without parsing their data) or return them all, so the reader still checks each event.
   * The page then still moves `lastPosition` past the events left out, and counts them in `scanned`.
   */
  readonly only?: ReadAllFilter
}

/** The events a reader of the log wants: see {@link ReadAllOptions.only}. */
export interface ReadAllFilter {
  /** Event types wanted; every type when absent. */
  readonly types?: ReadonlySet<string>
  /** Whether an event, by its metadata as stored, is wanted; every event when absent. */
  readonly metadata?: (metadata: unknown) => boolean
}

export interface ReadAllPage {
  readonly events: readonly StoredEvent[]
  /** Pass as `after` to read the next page; undefined when nothing was read. */
  readonly lastPosition: Position | undefined
  /** True when this page reached the end of the store as it was when read. */
  readonly isEnd: boolean
  /** How many stored events the page went over, those left out by `only` included; `events.length` when absent. */
  readonly scanned?: number
}

export interface SubscribeOptions {
  /** Deliver events after this position (exclusive); from the beginning when absent. */
  readonly after?: Position
}

export interface EventStore {
  /**
   * Appends events atomically: all or none. Rejects with `WrongExpectedRevisionError` when the
   * stream is not as expected, and with `DuplicateEventIdError` when an event id is already stored
   * in another stream (or twice in the batch).
   */
  appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult>
  /** Reads one stream forwards. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<ReadStreamResult>
  /**
   * Reads one page of all events in global order, answered on a later turn of the event loop (a store
   * in memory or on a synchronous driver waits for one): a loop over every page never keeps the
   * process from its timers and I/O until the last page.
   */
  readAll(options?: ReadAllOptions): Promise<ReadAllPage>
  /**
   * All events after a position, in order: first those already stored (catch-up), then new ones as
   * they are appended (live). Each event once. Unsubscribe to stop.
   */
  subscribeToAll(options?: SubscribeOptions): Observable<StoredEvent>
  /**
   * Replaces the data of stored events, for erasing personal data only: every other change is an
   * append. `rewrite` gets each event of the stream and answers its new data, or undefined to keep it.
   * Stores whose events are immutable (EventStoreDB) reject with {@link RedactionUnsupportedError}.
   */
  redact(streamName: string, rewrite: (event: StoredEvent) => unknown): Promise<number>
  /** How many events are stored after a position (all of them when absent): a projection's lag. */
  countAfter(after?: Position): Promise<number>
  /** Releases connections and files. */
  close(): Promise<void>
}
