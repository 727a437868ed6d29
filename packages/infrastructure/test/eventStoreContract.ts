/**
 * The contract every event-store adapter meets, run against each (castore-style). Stream names are
 * unique per run so the suite also works on a shared, long-lived EventStoreDB.
 */
import { randomUUID } from 'node:crypto'
import {
  comparePositions,
  DuplicateEventIdError,
  type EventStore,
  type NewEvent,
  type Position,
  positionFromString,
  positionToString,
  type StoredEvent,
  WrongExpectedRevisionError,
} from '@property-services/infrastructure'
import { firstValueFrom, take, toArray } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

export interface ContractTarget {
  readonly store: EventStore
  readonly cleanup?: () => Promise<void>
}

const newEvent = (
  n: number,
  occurredAt = `2026-03-${String((n % 28) + 1).padStart(2, '0')}T08:00:00.000Z`,
): NewEvent => ({
  eventId: randomUUID(),
  type: 'Tested',
  data: { n, text: `event ${n}`, nested: { list: [n, n + 1] } },
  metadata: { occurredAt, note: `n=${n}` },
})

export const eventStoreContract = (
  name: string,
  make: () => Promise<ContractTarget>,
  enabled = true,
): void => {
  describe.skipIf(!enabled)(`event store contract: ${name}`, () => {
    let target: ContractTarget
    let store: EventStore
    const run = randomUUID().slice(0, 8)
    let counter = 0
    const streamName = () => `contract${run}-${++counter}`

    beforeAll(async () => {
      target = await make()
      store = target.store
    })
    afterAll(async () => {
      await store.close()
      await target.cleanup?.()
    })

    /** A marker appended now: reads `after` its position see only what follows. */
    const now = async (): Promise<Position> =>
      (await store.appendToStream(`${streamName()}`, [newEvent(0)], { expectedRevision: 'no_stream' }))
        .position

    it('refuses an event id already stored in another stream, appending none of the batch', async () => {
      const first = streamName()
      const second = streamName()
      const reused = newEvent(1)
      await store.appendToStream(first, [reused])
      const refusal = store.appendToStream(second, [newEvent(2), { ...reused, data: { n: 3 } }])
      await expect(refusal).rejects.toBeInstanceOf(DuplicateEventIdError)
      await expect(refusal).rejects.toMatchObject({
        eventId: reused.eventId,
        existingStreamName: first,
        streamName: second,
      })
      await expect(store.appendToStream(second, [{ ...reused, data: { n: 4 } }])).rejects.toMatchObject({
        code: 'DuplicateEventId',
      })
      expect((await store.readStream(second)).exists).toBe(false)
      expect((await store.readStream(first)).events.map((e) => e.data)).toEqual([reused.data])
      // The same id twice in one batch: refused whole too.
      const twice = newEvent(5)
      const third = streamName()
      await expect(store.appendToStream(third, [twice, { ...twice, data: { n: 6 } }])).rejects.toBeInstanceOf(
        DuplicateEventIdError,
      )
      expect((await store.readStream(third)).exists).toBe(false)
    })

    it('appends to a new stream from revision 0 and reads it back in order', async () => {
      const stream = streamName()
      const events = [newEvent(1), newEvent(2), newEvent(3)]
      const result = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' })
      expect(result.nextExpectedRevision).toBe(2)
      const read = await store.readStream(stream)
      expect(read.exists).toBe(true)
      expect(read.events.map((e) => [e.revision, e.eventId, e.type, e.data])).toEqual(
        events.map((e, i) => [i, e.eventId, e.type, e.data]),
      )
      expect(read.events[0]?.metadata).toEqual(events[0]?.metadata)
      expect(comparePositions(read.events[2]!.position, result.position)).toBe(0)
    })

    it('answers a missing stream with exists: false', async () => {
      expect(await store.readStream(streamName())).toEqual({ exists: false, events: [] })
    })

    it('checks expected revisions: no stream, stream exists, exact, any', async () => {
      const stream = streamName()
      await expect(
        store.appendToStream(stream, [newEvent(1)], { expectedRevision: 'stream_exists' }),
      ).rejects.toMatchObject({
        code: 'WrongExpectedRevision',
        expected: 'stream_exists',
        actual: 'no_stream',
      })
      await expect(
        store.appendToStream(stream, [newEvent(1)], { expectedRevision: 3 }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError)
      await store.appendToStream(stream, [newEvent(1), newEvent(2)], { expectedRevision: 'no_stream' })
      await expect(
        store.appendToStream(stream, [newEvent(3)], { expectedRevision: 'no_stream' }),
      ).rejects.toMatchObject({
        expected: 'no_stream',
        actual: 1,
      })
      await expect(
        store.appendToStream(stream, [newEvent(3)], { expectedRevision: 0 }),
      ).rejects.toMatchObject({
        expected: 0,
        actual: 1,
      })
      expect(
        (await store.appendToStream(stream, [newEvent(3)], { expectedRevision: 1 })).nextExpectedRevision,
      ).toBe(2)
      expect(
        (await store.appendToStream(stream, [newEvent(4)], { expectedRevision: 'stream_exists' }))
          .nextExpectedRevision,
      ).toBe(3)
      expect((await store.appendToStream(stream, [newEvent(5)])).nextExpectedRevision).toBe(4)
      expect((await store.readStream(stream)).events.map((e) => (e.data as { n: number }).n)).toEqual([
        1, 2, 3, 4, 5,
      ])
    })

    it('appends nothing of a batch that fails its check', async () => {
      const stream = streamName()
      await store.appendToStream(stream, [newEvent(1)])
      await expect(
        store.appendToStream(stream, [newEvent(2), newEvent(3)], { expectedRevision: 5 }),
      ).rejects.toThrow()
      expect((await store.readStream(stream)).events).toHaveLength(1)
    })

    it('lets exactly one of many concurrent appends at the same revision win', async () => {
      const stream = streamName()
      await store.appendToStream(stream, [newEvent(0)], { expectedRevision: 'no_stream' })
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          store.appendToStream(stream, [newEvent(10 + i), newEvent(20 + i)], { expectedRevision: 0 }),
        ),
      )
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
      const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')
      expect(losers.every((o) => o.reason instanceof WrongExpectedRevisionError)).toBe(true)
      const read = await store.readStream(stream)
      expect(read.events.map((e) => e.revision)).toEqual([0, 1, 2])
    })

    it('reads a stream from a revision, up to a revision, up to a moment, and at most n events', async () => {
      const stream = streamName()
      await store.appendToStream(
        stream,
        [1, 2, 3, 4, 5].map((n) => newEvent(n, `2026-03-0${n}T08:00:00.000Z`)),
      )
      const ns = (events: readonly StoredEvent[]) => events.map((e) => (e.data as { n: number }).n)
      expect(ns((await store.readStream(stream, { fromRevision: 2 })).events)).toEqual([3, 4, 5])
      expect(ns((await store.readStream(stream, { toRevision: 1 })).events)).toEqual([1, 2])
      expect(ns((await store.readStream(stream, { toTime: '2026-03-03T08:00:00.000Z' })).events)).toEqual([
        1, 2, 3,
      ])
      expect(ns((await store.readStream(stream, { toTime: '2026-03-03T16:00:00+08:00' })).events)).toEqual([
        1, 2, 3,
      ])
      expect(ns((await store.readStream(stream, { fromRevision: 1, maxCount: 2 })).events)).toEqual([2, 3])
    })

    it('refuses every call once closed, naming it, and closes twice without complaint', async () => {
      const other = await make()
      const closing = other.store
      const stream = streamName()
      await closing.appendToStream(stream, [newEvent(1)])
      await closing.close()
      await closing.close()
      const closed = (operation: string) => ({
        name: 'EventStoreClosedError',
        code: 'EventStoreClosed',
        operation,
      })
      await expect(closing.appendToStream(stream, [newEvent(2)])).rejects.toMatchObject(
        closed('appendToStream'),
      )
      await expect(closing.readStream(stream)).rejects.toMatchObject(closed('readStream'))
      await expect(closing.readAll()).rejects.toMatchObject(closed('readAll'))
      await expect(closing.countAfter()).rejects.toMatchObject(closed('countAfter'))
      await expect(closing.redact(stream, () => undefined)).rejects.toMatchObject(closed('redact'))
      await expect(
        new Promise((resolve, reject) =>
          closing.subscribeToAll().subscribe({ next: resolve, error: reject }),
        ),
      ).rejects.toMatchObject(closed('subscribeToAll'))
      await other.cleanup?.()
    })

    it('refuses a page size, a revision or a moment out of range, naming it, and reads nothing', async () => {
      const stream = streamName()
      await store.appendToStream(stream, [newEvent(1)])
      // A page of 0 never reaches the end, one of -1 read everything in SQLite, 2.5 failed in its driver.
      for (const maxCount of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(store.readAll({ maxCount })).rejects.toThrow(
          new RangeError(`readAll: maxCount must be a whole number of at least 1, got ${maxCount}`),
        )
        await expect(store.readStream(stream, { maxCount })).rejects.toThrow(
          new RangeError(`readStream: maxCount must be a whole number of at least 1, got ${maxCount}`),
        )
      }
      await expect(store.readStream(stream, { fromRevision: -1 })).rejects.toThrow(
        'readStream: fromRevision must be a whole number of at least 0, got -1',
      )
      await expect(store.readStream(stream, { toRevision: 0.5 })).rejects.toThrow(
        'readStream: toRevision must be a whole number of at least 0, got 0.5',
      )
      await expect(store.readStream(stream, { toTime: 'yesterday' })).rejects.toThrow(
        'readStream: toTime must be a date and time, got "yesterday"',
      )
      expect((await store.readStream(stream, { maxCount: 1 })).events).toHaveLength(1)
    })

    it('reads everything after a position in global order, in pages', async () => {
      const start = await now()
      const streams = [streamName(), streamName()]
      for (let i = 0; i < 7; i++) await store.appendToStream(streams[i % 2]!, [newEvent(i)])
      const pages: StoredEvent[][] = []
      let after: Position | undefined = start
      for (;;) {
        const page = await store.readAll({ after, maxCount: 3 })
        pages.push([...page.events])
        after = page.lastPosition
        if (page.isEnd || page.events.length === 0) break
      }
      const mine = pages.flat().filter((e) => streams.includes(e.streamName))
      expect(mine.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5, 6])
      expect(pages.every((p) => p.length <= 3)).toBe(true)
      const positions = pages.flat().map((e) => e.position)
      for (let i = 1; i < positions.length; i++)
        expect(comparePositions(positions[i - 1]!, positions[i]!)).toBeLessThan(0)
      expect(comparePositions(positionFromString(positionToString(positions[0]!)), positions[0]!)).toBe(0)
    })

    it('answers a page of all events on a later turn of the event loop: reading every page never starves timers and I/O', async () => {
      await store.appendToStream(streamName(), [newEvent(1)])
      let turned = false
      setImmediate(() => {
        turned = true
      })
      const page = await store.readAll({ maxCount: 1 })
      expect(page.events).toHaveLength(1)
      expect(turned).toBe(true)
    })

    it('reads with a filter: every wanted event once, in order, and moves past the others', async () => {
      const start = await now()
      const stream = streamName()
      const typed = (n: number): NewEvent => ({ ...newEvent(n), type: n % 3 === 0 ? 'Other' : 'Tested' })
      await store.appendToStream(
        stream,
        Array.from({ length: 10 }, (_, n) => typed(n)),
      )
      const only = {
        types: new Set(['Tested']),
        metadata: (m: unknown) => (m as { note?: string }).note !== 'n=4',
      }
      const read: StoredEvent[] = []
      let after: Position | undefined = start
      let scanned = 0
      for (;;) {
        const page = await store.readAll({ after, maxCount: 3, only })
        read.push(...page.events)
        scanned += page.scanned ?? page.events.length
        if (page.lastPosition !== undefined && after !== undefined)
          expect(comparePositions(page.lastPosition, after)).toBeGreaterThanOrEqual(0)
        after = page.lastPosition
        if (page.isEnd) break
      }
      // A store may return more than is wanted (the filter is a hint), never less, and counts what it went over.
      const mine = read.filter((e) => e.streamName === stream)
      const wanted = mine.filter((e) => only.types.has(e.type) && only.metadata(e.metadata))
      expect(wanted.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 5, 7, 8])
      expect(scanned).toBeGreaterThanOrEqual(10)
      expect(scanned).toBeGreaterThanOrEqual(read.length)
      for (let i = 1; i < read.length; i++)
        expect(comparePositions(read[i - 1]!.position, read[i]!.position)).toBeLessThan(0)
    })

    it('counts the events after a position', async () => {
      const start = await now()
      const stream = streamName()
      await store.appendToStream(stream, [newEvent(1), newEvent(2), newEvent(3)])
      expect(await store.countAfter(start)).toBe(3)
      const [first] = (await store.readStream(stream)).events
      expect(await store.countAfter(first!.position)).toBe(2)
      expect(await store.countAfter()).toBeGreaterThanOrEqual(4)
    })

    it('subscribes: catches up, goes live, delivers each event once and in order', async () => {
      const start = await now()
      const stream = streamName()
      await store.appendToStream(stream, [newEvent(1), newEvent(2)])
      const received = firstValueFrom(store.subscribeToAll({ after: start }).pipe(take(6), toArray()))
      await new Promise((resolve) => setTimeout(resolve, 50))
      await store.appendToStream(stream, [newEvent(3)])
      await store.appendToStream(stream, [newEvent(4), newEvent(5)])
      await store.appendToStream(stream, [newEvent(6)])
      const events = await received
      expect(events.map((e) => [e.streamName, (e.data as { n: number }).n])).toEqual(
        [1, 2, 3, 4, 5, 6].map((n) => [stream, n]),
      )
    })

    it('resumes a subscription after a stored position', async () => {
      const start = await now()
      const stream = streamName()
      await store.appendToStream(stream, [newEvent(1), newEvent(2), newEvent(3)])
      const [, second] = (await store.readStream(stream)).events
      const stored = positionToString(second!.position)
      const resumed = await firstValueFrom(
        store.subscribeToAll({ after: positionFromString(stored) }).pipe(take(1), toArray()),
      )
      expect(resumed.map((e) => (e.data as { n: number }).n)).toEqual([3])
      expect(comparePositions(start, second!.position)).toBeLessThan(0)
    })

    it('stops delivering when unsubscribed', async () => {
      const start = await now()
      const seen: StoredEvent[] = []
      const subscription = store.subscribeToAll({ after: start }).subscribe((e) => seen.push(e))
      const stream = streamName()
      await store.appendToStream(stream, [newEvent(1)])
      await new Promise((resolve) => setTimeout(resolve, 300))
      subscription.unsubscribe()
      await store.appendToStream(stream, [newEvent(2)])
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(seen.filter((e) => e.streamName === stream).map((e) => (e.data as { n: number }).n)).toEqual([1])
    })
  })
}
