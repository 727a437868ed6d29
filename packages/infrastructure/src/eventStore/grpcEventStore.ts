/**
 * One event store over the gRPC API that EventStoreDB and KurrentDB share; `eventStoreDb.ts` and
 * `kurrentDb.ts` give it each client.
 */
import { Observable } from 'rxjs'
import { DuplicateEventIdError, RedactionUnsupportedError, WrongExpectedRevisionError } from './errors.js'
import {
  checkReadAllOptions,
  checkReadStreamOptions,
  comparePositions,
  type EventStore,
  type ExpectedRevision,
  type Position,
  type ReadAllPage,
  type StoredEvent,
} from './port.js'

export interface GrpcStoreOptions {
  /** Resubscription backoff after a dropped connection: first delay and cap, in ms. */
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number }
}

/** A revision an append expects, as both clients spell it: a number, or one of three states. */
export type ClientExpectation = bigint | 'any' | 'no_stream' | 'stream_exists'

interface ClientPosition {
  readonly commit: bigint
  readonly prepare: bigint
}

/** A recorded event as both clients give it. */
export interface ClientRecorded {
  readonly streamId: string
  readonly id: string
  readonly revision: bigint
  readonly type: string
  readonly data: unknown
  readonly metadata: unknown
  readonly isJson: boolean
  readonly position?: ClientPosition | undefined
}
interface ClientResolved {
  readonly event?: ClientRecorded | undefined
}
/** A stream read; leaving the loop early (break) cancels it. */
type ClientRead = AsyncIterable<ClientResolved>
interface ClientSubscription {
  on(event: 'data', listener: (resolved: ClientResolved) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  unsubscribe(): Promise<void>
}

/**
 * What differs between `@eventstore/db-client` 6 and `@kurrent/kurrentdb-client` 1 (the same gRPC
 * protocol): the client, how an append states the revision it expects, and the fields of the error
 * that refuses it. Everything else is one implementation.
 */
export interface GrpcDialect {
  /** The server's name, for errors. */
  readonly server: string
  readonly start: unknown
  readonly append: (
    streamName: string,
    events: ReadonlyArray<{ id?: string; type: string; data: unknown; metadata?: unknown }>,
    expected: ClientExpectation,
  ) => Promise<{ nextExpectedRevision: bigint; position?: ClientPosition | undefined }>
  readonly readStream: (
    streamName: string,
    options: { fromRevision?: bigint; maxCount?: number },
  ) => ClientRead
  readonly readAll: (options: { fromPosition: unknown; maxCount: number }) => AsyncIterable<ClientResolved>
  readonly subscribeToAll: (options: { fromPosition: unknown }) => ClientSubscription
  /** The expected and actual revision of a refused append, or undefined for any other error. */
  readonly wrongExpected: (
    error: unknown,
  ) => { readonly expected: ClientExpectation; readonly actual: ClientExpectation } | undefined
  readonly isStreamNotFound: (error: unknown) => boolean
  readonly dispose: () => Promise<void>
}

/**
 * The API both client packages share, as far as the store uses it (the packages' own types differ in
 * names only; each adapter hands its client over as this).
 */
export interface GrpcClient {
  appendToStream(
    streamName: string,
    events: unknown[],
    options: object,
  ): Promise<{ nextExpectedRevision: bigint; position?: ClientPosition | undefined }>
  readStream(streamName: string, options: { fromRevision?: bigint; maxCount?: number }): ClientRead
  readAll(options: { fromPosition: unknown; maxCount: number }): AsyncIterable<ClientResolved>
  subscribeToAll(options: { fromPosition: unknown; filter: unknown }): ClientSubscription
  dispose(): Promise<void>
}

/** One client package: its client, its event and filter builders, and the names it differs in. */
export interface GrpcClientPackage {
  readonly server: string
  readonly client: GrpcClient
  readonly jsonEvent: (event: { id?: string; type: string; data: never; metadata?: never }) => unknown
  readonly excludeSystemEvents: () => unknown
  /** The append option that states the revision expected: `expectedRevision` or `streamState`. */
  readonly expectationOption: 'expectedRevision' | 'streamState'
  /** The expected and actual revision of a refused append, or undefined for any other error. */
  readonly wrongExpected: GrpcDialect['wrongExpected']
  readonly isStreamNotFound: (error: unknown) => boolean
}

/**
 * The dialect of a client package. Both spell the expected states (`any`, `no_stream`,
 * `stream_exists`) and the start of `$all` (`start`) as these strings.
 */
export const dialectOf = (pkg: GrpcClientPackage): GrpcDialect => ({
  server: pkg.server,
  start: 'start',
  append: (streamName, events, expected) =>
    pkg.client.appendToStream(
      streamName,
      events.map((e) =>
        pkg.jsonEvent({
          ...(e.id === undefined ? {} : { id: e.id }),
          type: e.type,
          data: e.data as never,
          ...(e.metadata === undefined ? {} : { metadata: e.metadata as never }),
        }),
      ),
      { [pkg.expectationOption]: expected },
    ),
  readStream: (streamName, options) => pkg.client.readStream(streamName, options),
  readAll: (options) => pkg.client.readAll(options),
  subscribeToAll: (options) =>
    pkg.client.subscribeToAll({ fromPosition: options.fromPosition, filter: pkg.excludeSystemEvents() }),
  wrongExpected: pkg.wrongExpected,
  isStreamNotFound: pkg.isStreamNotFound,
  dispose: () => pkg.client.dispose(),
})

const fromClientExpectation = (expected: ClientExpectation): ExpectedRevision =>
  typeof expected === 'bigint' ? Number(expected) : expected

export const toClientExpectation = (expected: ExpectedRevision): ClientExpectation =>
  typeof expected === 'number' ? BigInt(expected) : expected

const isSystem = (event: { streamId: string; type: string }) =>
  event.streamId.startsWith('$') || event.type.startsWith('$')

const toStored = (event: ClientRecorded, fallback?: ClientPosition): StoredEvent => {
  const position = event.position ?? fallback
  if (position === undefined)
    throw new Error(`event ${event.id} in ${event.streamId} came without a position`)
  return {
    streamName: event.streamId,
    revision: Number(event.revision),
    position: { commit: position.commit, prepare: position.prepare },
    eventId: event.id,
    type: event.type,
    data: event.isJson ? event.data : JSON.parse(Buffer.from(event.data as Uint8Array).toString('utf8')),
    metadata: event.metadata,
  }
}

/**
 * An event store over EventStoreDB or KurrentDB's gRPC API, through a {@link GrpcDialect}: expected
 * revisions and refused appends map to the port's; a missing stream is `exists: false`; positions are
 * the server's commit/prepare pairs; subscriptions read `$all` without system events and, when the
 * connection drops, resubscribe from the last delivered position with exponential backoff.
 *
 * The dialect is loaded on first use, not when the store is made: each gRPC client package costs a
 * process about 20 MiB when imported, which an application on SQLite should not pay for a store it
 * never opens. A connection string the client refuses is therefore refused by the first call.
 */
export const grpcEventStore = (
  loadDialect: () => Promise<GrpcDialect>,
  options: GrpcStoreOptions = {},
): EventStore => {
  const initialDelayMs = options.reconnect?.initialDelayMs ?? 100
  const maxDelayMs = options.reconnect?.maxDelayMs ?? 10_000
  let loading: Promise<GrpcDialect> | undefined
  const dialectNow = (): Promise<GrpcDialect> => {
    loading ??= loadDialect()
    return loading
  }

  /**
   * The server checks event ids only within a stream. Each event id of a batch is first reserved in a
   * stream of its own, `eventId-<id>`, that names the stream it belongs to: a second stream claiming it
   * is refused before anything is appended. The reservation's `$`-typed event is a system event to
   * readers. A crash after reserving leaves a reservation for the same stream, which a retry accepts.
   */
  const reserveEventId = async (dialect: GrpcDialect, eventId: string, streamName: string): Promise<void> => {
    const reservation = `eventId-${eventId}`
    try {
      await dialect.append(reservation, [{ type: '$eventIdReserved', data: { streamName } }], 'no_stream')
    } catch (error) {
      if (dialect.wrongExpected(error) === undefined) throw error
      for await (const resolved of dialect.readStream(reservation, { maxCount: 1 })) {
        const owner = (resolved.event?.data as { streamName?: string } | undefined)?.streamName
        if (owner !== undefined && owner !== streamName)
          throw new DuplicateEventIdError(eventId, owner, streamName)
      }
    }
  }

  const store: EventStore = {
    appendToStream: async (streamName, events, opts = {}) => {
      const dialect = await dialectNow()
      const expected = opts.expectedRevision ?? 'any'
      const ids = events.map((e) => e.eventId)
      const repeated = ids.find((id, i) => ids.indexOf(id) !== i)
      if (repeated !== undefined) throw new DuplicateEventIdError(repeated, streamName, streamName)
      await Promise.all(ids.map((id) => reserveEventId(dialect, id, streamName)))
      try {
        const result = await dialect.append(
          streamName,
          events.map((e) => ({ id: e.eventId, type: e.type, data: e.data, metadata: e.metadata })),
          toClientExpectation(expected),
        )
        const position = result.position ?? { commit: 0n, prepare: 0n }
        return { nextExpectedRevision: Number(result.nextExpectedRevision), position }
      } catch (error) {
        const wrong = dialect.wrongExpected(error)
        if (wrong !== undefined) {
          const actual = wrong.actual === 'no_stream' ? 'no_stream' : Number(wrong.actual)
          throw new WrongExpectedRevisionError(streamName, fromClientExpectation(wrong.expected), actual)
        }
        throw error
      }
    },
    readStream: async (streamName, opts = {}) => {
      checkReadStreamOptions(opts)
      const dialect = await dialectNow()
      const toTime = opts.toTime === undefined ? undefined : Date.parse(opts.toTime)
      const events: StoredEvent[] = []
      try {
        const read = dialect.readStream(streamName, { fromRevision: BigInt(opts.fromRevision ?? 0) })
        for await (const resolved of read) {
          if (resolved.event === undefined) continue
          const stored = toStored(resolved.event, { commit: 0n, prepare: 0n })
          if (opts.toRevision !== undefined && stored.revision > opts.toRevision) break
          const occurredAt = (stored.metadata as { occurredAt?: string } | undefined)?.occurredAt
          if (toTime !== undefined && (occurredAt === undefined || Date.parse(occurredAt) > toTime)) continue
          events.push(stored)
          // Leaving the loop cancels the read.
          if (opts.maxCount !== undefined && events.length >= opts.maxCount) break
        }
      } catch (error) {
        if (dialect.isStreamNotFound(error)) return { exists: false, events: [] }
        throw error
      }
      return { exists: true, events }
    },
    readAll: async (opts = {}): Promise<ReadAllPage> => {
      checkReadAllOptions(opts)
      const dialect = await dialectNow()
      const maxCount = opts.maxCount ?? 1000
      const events: StoredEvent[] = []
      let lastPosition: Position | undefined = opts.after
      let read = 0
      // $all reads include the start position; ask for one more and drop it.
      const fromPosition = opts.after === undefined ? dialect.start : opts.after
      for await (const resolved of dialect.readAll({ fromPosition, maxCount: maxCount + 1 })) {
        read++
        const event = resolved.event
        if (event === undefined || event.position === undefined) continue
        if (opts.after !== undefined && comparePositions(event.position, opts.after) <= 0) continue
        lastPosition = { commit: event.position.commit, prepare: event.position.prepare }
        if (!isSystem(event)) events.push(toStored(event))
      }
      return { events, lastPosition, isEnd: read < maxCount + 1 }
    },
    subscribeToAll: (opts = {}) =>
      new Observable<StoredEvent>((subscriber) => {
        let after = opts.after
        let stopped = false
        let delay = initialDelayMs
        let current: ClientSubscription | undefined
        let retry: ReturnType<typeof setTimeout> | undefined
        const connect = (dialect: GrpcDialect) => {
          const subscription = dialect.subscribeToAll({ fromPosition: after ?? dialect.start })
          current = subscription
          subscription.on('data', (resolved: ClientResolved) => {
            const event = resolved.event
            if (event === undefined || event.position === undefined || isSystem(event)) return
            if (after !== undefined && comparePositions(event.position, after) <= 0) return
            delay = initialDelayMs
            after = { commit: event.position.commit, prepare: event.position.prepare }
            subscriber.next(toStored(event))
          })
          subscription.on('error', () => {
            if (stopped) return
            void subscription.unsubscribe().catch(() => undefined)
            retry = setTimeout(() => connect(dialect), delay)
            delay = Math.min(maxDelayMs, delay * 2)
          })
        }
        dialectNow().then(
          (dialect) => {
            if (!stopped) connect(dialect)
          },
          (error: unknown) => subscriber.error(error),
        )
        return () => {
          stopped = true
          if (retry !== undefined) clearTimeout(retry)
          void current?.unsubscribe().catch(() => undefined)
        }
      }),
    redact: async () => {
      throw new RedactionUnsupportedError((await dialectNow()).server)
    },
    countAfter: async (after) => {
      // Positions are log offsets, not counts: count by reading forwards.
      let count = 0
      for (let from = after; ; ) {
        const page = await store.readAll(
          from === undefined ? { maxCount: 4096 } : { after: from, maxCount: 4096 },
        )
        count += page.events.length
        from = page.lastPosition
        if (page.isEnd) return count
      }
    },
    // A store never used, or whose client refused its connection string, has no client to dispose of.
    close: async () => {
      const dialect = await loading?.catch(() => undefined)
      await dialect?.dispose()
    },
  }
  return store
}
