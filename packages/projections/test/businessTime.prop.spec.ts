/**
 * Read models are a function of business time, not of the order events were stored in: a community's
 * history stored in business-time order, and the same history with streams interleaved at random
 * (complaints entered days late, handlings recorded after later complaints), give the same documents
 * in every read model.
 */
import type { Event } from '@property-services/domain'
import { inMemoryEventStore } from '@property-services/infrastructure'
import {
  inMemoryReadModelStore,
  type Projection,
  physicalName,
  projectionRunner,
  repeatComplaintQueries,
} from '@property-services/projections'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { appendAll, communityArbitrary, projections } from './support.js'

type Stored = { readonly streamName: string; readonly event: Event }

/**
 * Every document of every collection of a projection (checkpoints and the stamps of the batches that
 * last incremented each counter aside: they name positions).
 */
const documents = async (projection: Projection, order: readonly Stored[]) => {
  const events = inMemoryEventStore()
  for (const { streamName, event } of order) await appendAll(events, [{ streamName, events: [event] }])
  const readModels = inMemoryReadModelStore()
  await projectionRunner({ events, readModels, projection, batchSize: 7 }).catchUp()
  const parts: Record<string, unknown> = {}
  for (const collection of projection.collections)
    parts[collection] = (
      await readModels.collection(physicalName(projection.name, collection, 1)).find()
    ).map(({ _batch, ...doc }) => doc)
  return { parts, readModels }
}

/** All events in business-time order (ties: stream, then place in stream). */
const inBusinessOrder = (
  streams: ReadonlyArray<{ streamName: string; events: readonly Event[] }>,
): Stored[] =>
  streams
    .flatMap(({ streamName, events }, s) => events.map((event, i) => ({ streamName, event, s, i })))
    .sort(
      (a, b) =>
        Date.parse((a.event.data as { at: string }).at) - Date.parse((b.event.data as { at: string }).at) ||
        a.s - b.s ||
        a.i - b.i,
    )

/** The streams interleaved by `picks`: each stream keeps its own order, nothing else does. */
const interleaved = (
  streams: ReadonlyArray<{ streamName: string; events: readonly Event[] }>,
  picks: readonly number[],
): Stored[] => {
  const queues = streams.map(({ streamName, events }) => events.map((event) => ({ streamName, event })))
  const order: Stored[] = []
  let p = 0
  for (;;) {
    const open = queues.filter((q) => q.length > 0)
    if (open.length === 0) return order
    const queue = open[(picks[p++ % Math.max(1, picks.length)] ?? 0) % open.length] as Stored[]
    order.push(queue.shift() as Stored)
  }
}

/** Complaint events of one owner about one lift, on days from 2026-03-01 01:00 UTC. */
const lifts = () => {
  const lift = {
    category: 'facilities',
    subject: 'lift-stoppage',
    channel: 'phone',
    description: 'stuck',
  } as const
  const at = (day: number) => new Date(Date.UTC(2026, 2, 1 + day, 1)).toISOString()
  const filed = (id: string, day: number, time = at(day)): Event =>
    ({
      type: 'ComplaintFiled',
      data: {
        complaintId: id,
        ownerId: 'o1',
        unitId: 'u1',
        communityId: 'community-1',
        ...lift,
        replyDueBy: null,
        dispatchDueBy: null,
        at: time,
      },
    }) as Event
  const resolved = (id: string, day: number): Event =>
    ({ type: 'ComplaintResolved', data: { complaintId: id, cause: 'door sensor', at: at(day) } }) as Event
  return { at, filed, resolved }
}

/** Each repeat found in events stored in `order`, as [complaint, the complaint it repeats]. */
const repeatsIn = async (order: readonly Stored[]) => {
  const repeats = projections.find((p) => p.name === 'repeatComplaints') as Projection
  const { readModels } = await documents(repeats, order)
  return (await repeatComplaintQueries(readModels).repeats()).map((r) => [r.complaintId, r.repeatOf])
}

describe('read models are a function of business time', () => {
  it.each(projections.map((p) => [p.name, p] as const))(
    '%s: the same whatever the storage order',
    async (_name, projection) => {
      await fc.assert(
        fc.asyncProperty(
          communityArbitrary,
          fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
          async (streams, picks) => {
            const inOrder = await documents(projection, inBusinessOrder(streams))
            const shuffled = await documents(projection, interleaved(streams, picks))
            expect(shuffled.parts).toEqual(inOrder.parts)
          },
        ),
        { numRuns: 40 },
      )
    },
  )

  it('finds a repeat whose filing is entered after a later complaint was handled', async () => {
    const { filed, resolved } = lifts()
    // K1 handled on day 1; K2 filed day 30 and resolved day 32; K3, filed on day 20, entered last.
    const order: Stored[] = [
      { streamName: 'complaint-k1', event: filed('k1', 0) },
      { streamName: 'complaint-k1', event: resolved('k1', 1) },
      { streamName: 'complaint-k2', event: filed('k2', 30) },
      { streamName: 'complaint-k2', event: resolved('k2', 32) },
      { streamName: 'complaint-k3', event: filed('k3', 20) },
    ]
    expect(await repeatsIn(order)).toEqual([
      ['k3', 'k1'],
      ['k2', 'k1'],
    ])
  })

  it('makes the filings stored before a handling repeats of it, inside its window and not past it', async () => {
    const { at, filed, resolved } = lifts()
    const hours = (day: number, offset: number) =>
      new Date(Date.parse(at(day)) + offset * 3_600_000).toISOString()
    // K1 is handled on day 1, and entered after K2 (filed an hour before its 90-day window ends) and K3
    // (an hour after it ends).
    const order: Stored[] = [
      { streamName: 'complaint-k2', event: filed('k2', 0, hours(91, -1)) },
      { streamName: 'complaint-k3', event: filed('k3', 0, hours(91, 1)) },
      { streamName: 'complaint-k1', event: filed('k1', 0) },
      { streamName: 'complaint-k1', event: resolved('k1', 1) },
    ]
    expect(await repeatsIn(order)).toEqual([['k2', 'k1']])
  })
})
