import type { Event } from '@property-services/domain'
import { addMonths, defaultPolicies } from '@property-services/domain'
import { inMemoryEventStore } from '@property-services/infrastructure'
import { projectionRunner, visitCadence, visitCadenceQueries } from '@property-services/projections'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { appendAll, storeTargets } from './support.js'

const contact = { name: 'Owner', phone: '13800000000' }
const registered = (ownerId: string, at: string): Event =>
  ({
    type: 'OwnerRegistered',
    data: { ownerId, communityId: 'community-1', contact, grade: 'general', at },
  }) as unknown as Event
const graded = (ownerId: string, from: string, to: string, at: string): Event =>
  ({ type: 'OwnerGraded', data: { ownerId, from, to, at } }) as Event
const visited = (ownerId: string, at: string): Event =>
  ({ type: 'OwnerVisited', data: { ownerId, needs: [], visitedBy: 'staff-1', at } }) as unknown as Event

describe.each(storeTargets)('visit cadence on %s', (_name, make) => {
  it('lists who is overdue for a visit as of a date, by grade, from the grade and last visit then', async () => {
    const events = inMemoryEventStore()
    await appendAll(events, [
      // A key customer, visited monthly: visited 1 Feb, so due 1 Mar.
      {
        streamName: 'owner-k',
        events: [
          registered('k', '2026-01-01T02:00:00.000Z'),
          graded('k', 'general', 'key', '2026-01-01T03:00:00.000Z'),
          visited('k', '2026-02-01T02:00:00.000Z'),
        ],
      },
      // A general customer never visited: due three months after registering, 1 Apr.
      { streamName: 'owner-g', events: [registered('g', '2026-01-01T02:00:00.000Z')] },
      // Made a key customer on 20 Mar: from then, a month after registering is long past.
      {
        streamName: 'owner-p',
        events: [
          registered('p', '2026-01-01T02:00:00.000Z'),
          graded('p', 'general', 'key', '2026-03-20T02:00:00.000Z'),
        ],
      },
      // Registered later than the dates asked about.
      { streamName: 'owner-late', events: [registered('late', '2026-06-01T02:00:00.000Z')] },
    ])
    const { store, cleanup } = await make()
    try {
      await projectionRunner({
        events,
        readModels: store,
        projection: visitCadence(),
        batchSize: 2,
      }).catchUp()
      const queries = visitCadenceQueries(store)
      const mid = await queries.overdue('2026-03-15T00:00:00Z')
      expect(mid.map((o) => [o.ownerId, o.grade, o.dueBy, o.daysOverdue])).toEqual([
        ['k', 'key', '2026-03-01T02:00:00.000Z', 13],
      ])
      expect((await queries.overdue('2026-03-25T00:00:00Z')).map((o) => [o.ownerId, o.grade])).toEqual([
        ['p', 'key'],
        ['k', 'key'],
      ])
      expect(
        (await queries.overdue('2026-04-10T00:00:00Z', { grade: 'general' })).map((o) => o.ownerId),
      ).toEqual(['g'])
      expect(await queries.summary('2026-03-15T00:00:00Z')).toEqual([
        { grade: 'key', owners: 1, overdue: 1 },
        { grade: 'general', owners: 2, overdue: 0 },
        { grade: 'potential', owners: 0, overdue: 0 },
      ])
      // A policy with a longer cadence for key customers answers differently from the same facts.
      const relaxed = visitCadenceQueries(store, {
        ...defaultPolicies,
        visitCadenceMonths: { key: 2, general: 3, potential: 6 },
      })
      expect(await relaxed.overdue('2026-03-15T00:00:00Z')).toEqual([])
    } finally {
      await cleanup()
    }
  })
})

describe('addMonths (the visit cadence rule)', () => {
  it('lands the given number of calendar months later, on the same day or the last of a shorter month', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2190-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 24 }),
        (from, months) => {
          const to = new Date(addMonths(from.toISOString(), months))
          const monthIndex = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth()
          expect(monthIndex(to) - monthIndex(from)).toBe(months)
          const lastDay = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() + 1, 0)).getUTCDate()
          expect(to.getUTCDate()).toBe(Math.min(from.getUTCDate(), lastDay))
          expect(to.getUTCHours() * 60 + to.getUTCMinutes()).toBe(
            from.getUTCHours() * 60 + from.getUTCMinutes(),
          )
        },
      ),
    )
    expect(addMonths('2026-01-31T02:00:00.000Z', 1)).toBe('2026-02-28T02:00:00.000Z')
  })
})
