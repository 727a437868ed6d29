import { Subject } from 'rxjs'
import { catchUpSubscription } from './catchUp.js'
import { refusingWhenClosed } from './closing.js'
import { checkExpectedRevision, DuplicateEventIdError } from './errors.js'
import { jsonCopy } from './jsonCopy.js'
import { nextTurn } from './nextTurn.js'
import {
  checkReadAllOptions,
  checkReadStreamOptions,
  type EventStore,
  type Position,
  type ReadAllPage,
  type ReadStreamResult,
  type StoredEvent,
} from './port.js'

/**
 * An event store in memory: for tests, property tests and demos that need no file. Same semantics as
 * the durable stores: atomic appends, expected revisions, global order, catch-up subscriptions. Data is
 * copied as JSON would copy it on append, so callers cannot change what was stored.
 */
export const inMemoryEventStore = (): EventStore => {
  const all: StoredEvent[] = []
  const streams = new Map<string, StoredEvent[]>()
  const streamOfEventId = new Map<string, string>()
  const appended = new Subject<void>()
  const positionAt = (index: number): Position => ({ commit: BigInt(index + 1), prepare: BigInt(index + 1) })
  const indexAfter = (position: Position | undefined): number =>
    position === undefined ? 0 : Number(position.commit)

  const store: EventStore = {
    appendToStream: async (streamName, events, options = {}) => {
      const stream = streams.get(streamName) ?? []
      checkExpectedRevision(streamName, options.expectedRevision ?? 'any', stream.length - 1)
      const batch = new Set<string>()
      for (const event of events) {
        const existing =
          streamOfEventId.get(event.eventId) ?? (batch.has(event.eventId) ? streamName : undefined)
        if (existing !== undefined) throw new DuplicateEventIdError(event.eventId, existing, streamName)
        batch.add(event.eventId)
      }
      const copies = events.map((event, i) => ({
        streamName,
        revision: stream.length + i,
        position: positionAt(all.length + i),
        eventId: event.eventId,
        type: event.type,
        data: jsonCopy(event.data),
        metadata: jsonCopy(event.metadata),
      }))
      if (copies.length === 0) {
        return { nextExpectedRevision: stream.length - 1, position: positionAt(Math.max(0, all.length - 1)) }
      }
      all.push(...copies)
      for (const copy of copies) streamOfEventId.set(copy.eventId, streamName)
      stream.push(...copies)
      streams.set(streamName, stream)
      appended.next()
      const last = copies[copies.length - 1] as StoredEvent
      return { nextExpectedRevision: last.revision, position: last.position }
    },
    readStream: async (streamName, options = {}): Promise<ReadStreamResult> => {
      checkReadStreamOptions(options)
      const stream = streams.get(streamName)
      if (stream === undefined) return { exists: false, events: [] }
      const toTime = options.toTime === undefined ? undefined : Date.parse(options.toTime)
      // Revisions are indexes: slice the range, then filter by business time if asked.
      const range = stream.slice(
        Math.max(0, options.fromRevision ?? 0),
        Math.min(stream.length, (options.toRevision ?? Number.MAX_SAFE_INTEGER - 1) + 1),
      )
      const events =
        toTime === undefined
          ? range
          : range.filter((e) => Date.parse((e.metadata as { occurredAt: string }).occurredAt) <= toTime)
      return { exists: true, events: events.slice(0, options.maxCount ?? events.length) }
    },
    readAll: async (options = {}): Promise<ReadAllPage> => {
      checkReadAllOptions(options)
      await nextTurn()
      const start = indexAfter(options.after)
      const events = all.slice(start, start + (options.maxCount ?? 1000))
      return {
        events,
        lastPosition: events[events.length - 1]?.position ?? options.after,
        isEnd: start + events.length >= all.length,
      }
    },
    subscribeToAll: (options = {}) =>
      catchUpSubscription(store.readAll, appended.asObservable(), {
        ...(options.after === undefined ? {} : { after: options.after }),
        pollIntervalMs: 60_000,
      }),
    redact: async (streamName, rewrite) => {
      let changed = 0
      for (const event of streams.get(streamName) ?? []) {
        const data = rewrite(event)
        if (data === undefined) continue
        const redacted = { ...event, data: jsonCopy(data) }
        const stream = streams.get(streamName) as StoredEvent[]
        stream[event.revision] = redacted
        all[Number(event.position.commit) - 1] = redacted
        changed++
      }
      return changed
    },
    countAfter: async (after) => all.length - indexAfter(after),
    close: async () => appended.complete(),
  }
  return refusingWhenClosed('in-memory', store)
}
