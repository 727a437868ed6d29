import {
  type AllStreamResolvedEvent,
  ANY,
  type AppendExpectedRevision,
  type Position as EsdbPosition,
  EventStoreDBClient,
  excludeSystemEvents,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client'
import { Observable } from 'rxjs'
import { DuplicateEventIdError, RedactionUnsupportedError, WrongExpectedRevisionError } from './errors.js'
import {
  comparePositions,
  type EventStore,
  type ExpectedRevision,
  type Position,
  type ReadAllPage,
  type StoredEvent,
} from './port.js'

export interface EventStoreDbOptions {
  /** e.g. `esdb://localhost:2113?tls=false` */
  readonly connectionString: string
  /** Resubscription backoff after a dropped connection: first delay and cap, in ms. */
  readonly reconnect?: { readonly initialDelayMs?: number; readonly maxDelayMs?: number }
}

const toEsdbRevision = (expected: ExpectedRevision): AppendExpectedRevision =>
  expected === 'any'
    ? ANY
    : expected === 'no_stream'
      ? NO_STREAM
      : expected === 'stream_exists'
        ? STREAM_EXISTS
        : BigInt(expected)

const fromEsdbRevision = (expected: AppendExpectedRevision): ExpectedRevision =>
  typeof expected === 'bigint' ? Number(expected) : expected

const isSystem = (event: { streamId: string; type: string }) =>
  event.streamId.startsWith('$') || event.type.startsWith('$')

type Recorded = NonNullable<AllStreamResolvedEvent['event']>

const toStored = (event: Recorded, fallback?: EsdbPosition): StoredEvent => {
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
 * EventStoreDB (20+) through `@eventstore/db-client`: expected revisions and WrongExpectedVersionError
 * map to the port's; a missing stream is `exists: false`; positions are EventStoreDB's commit/prepare
 * pairs; subscriptions read `$all` without system events and, when the connection drops, resubscribe
 * from the last delivered position with exponential backoff.
 */
export const eventStoreDbEventStore = (options: EventStoreDbOptions): EventStore => {
  const client = EventStoreDBClient.connectionString(options.connectionString)
  const initialDelayMs = options.reconnect?.initialDelayMs ?? 100
  const maxDelayMs = options.reconnect?.maxDelayMs ?? 10_000

  /**
   * EventStoreDB checks event ids only within a stream. Each event id of a batch is first reserved in a
   * stream of its own, `eventId-<id>`, that names the stream it belongs to: a second stream claiming it
   * is refused before anything is appended. The reservation's `$`-typed event is a system event to
   * readers. A crash after reserving leaves a reservation for the same stream, which a retry accepts.
   */
  const reserveEventId = async (eventId: string, streamName: string): Promise<void> => {
    const reservation = `eventId-${eventId}`
    try {
      await client.appendToStream(
        reservation,
        jsonEvent({ type: '$eventIdReserved', data: { streamName } }),
        { expectedRevision: NO_STREAM },
      )
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error
      for await (const resolved of client.readStream(reservation, { maxCount: 1 })) {
        const owner = (resolved.event?.data as { streamName?: string } | undefined)?.streamName
        if (owner !== undefined && owner !== streamName)
          throw new DuplicateEventIdError(eventId, owner, streamName)
      }
    }
  }

  const store: EventStore = {
    appendToStream: async (streamName, events, opts = {}) => {
      const expected = opts.expectedRevision ?? 'any'
      const ids = events.map((e) => e.eventId)
      const repeated = ids.find((id, i) => ids.indexOf(id) !== i)
      if (repeated !== undefined) throw new DuplicateEventIdError(repeated, streamName, streamName)
      await Promise.all(ids.map((id) => reserveEventId(id, streamName)))
      try {
        const result = await client.appendToStream(
          streamName,
          events.map((e) =>
            jsonEvent({ id: e.eventId, type: e.type, data: e.data as never, metadata: e.metadata as never }),
          ),
          { expectedRevision: toEsdbRevision(expected) },
        )
        const position = result.position ?? { commit: 0n, prepare: 0n }
        return { nextExpectedRevision: Number(result.nextExpectedRevision), position }
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          const actual = error.actualVersion === NO_STREAM ? 'no_stream' : Number(error.actualVersion)
          throw new WrongExpectedRevisionError(streamName, fromEsdbRevision(error.expectedVersion), actual)
        }
        throw error
      }
    },
    readStream: async (streamName, opts = {}) => {
      const toTime = opts.toTime === undefined ? undefined : Date.parse(opts.toTime)
      const events: StoredEvent[] = []
      try {
        const read = client.readStream(streamName, { fromRevision: BigInt(opts.fromRevision ?? 0) })
        for await (const resolved of read) {
          if (resolved.event === undefined) continue
          const stored = toStored(resolved.event as Recorded, { commit: 0n, prepare: 0n })
          if (opts.toRevision !== undefined && stored.revision > opts.toRevision) break
          const occurredAt = (stored.metadata as { occurredAt?: string } | undefined)?.occurredAt
          if (toTime !== undefined && (occurredAt === undefined || Date.parse(occurredAt) > toTime)) continue
          events.push(stored)
          if (opts.maxCount !== undefined && events.length >= opts.maxCount) {
            await read.cancel()
            break
          }
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return { exists: false, events: [] }
        throw error
      }
      return { exists: true, events }
    },
    readAll: async (opts = {}): Promise<ReadAllPage> => {
      const maxCount = opts.maxCount ?? 1000
      const events: StoredEvent[] = []
      let lastPosition: Position | undefined = opts.after
      let read = 0
      // $all reads include the start position; ask for one more and drop it.
      const fromPosition = opts.after === undefined ? START : opts.after
      for await (const resolved of client.readAll({ fromPosition, maxCount: maxCount + 1 })) {
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
        let current: ReturnType<typeof client.subscribeToAll> | undefined
        let retry: ReturnType<typeof setTimeout> | undefined
        const connect = () => {
          const subscription = client.subscribeToAll({
            fromPosition: after ?? START,
            filter: excludeSystemEvents(),
          })
          current = subscription
          subscription.on('data', (resolved: AllStreamResolvedEvent) => {
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
            retry = setTimeout(connect, delay)
            delay = Math.min(maxDelayMs, delay * 2)
          })
        }
        connect()
        return () => {
          stopped = true
          if (retry !== undefined) clearTimeout(retry)
          void current?.unsubscribe().catch(() => undefined)
        }
      }),
    redact: async () => {
      throw new RedactionUnsupportedError('EventStoreDB')
    },
    countAfter: async (after) => {
      // EventStoreDB positions are log offsets, not counts: count by reading forwards.
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
    close: () => client.dispose(),
  }
  return store
}
