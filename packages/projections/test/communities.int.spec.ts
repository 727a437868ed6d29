/**
 * Read models per community and for the company: a community's figures are its own, the company's are
 * the sum of its communities', and communities can be set side by side (complaints, repeat rates,
 * satisfaction against the company).
 */
import { inMemoryEventStore } from '@property-services/infrastructure'
import {
  allProjections,
  complaintAnalyticsQueries,
  inMemoryReadModelStore,
  meetingQueries,
  projectionRunner,
  type ReadModelStore,
  repeatComplaintQueries,
  satisfactionTrendQueries,
  visitCadenceQueries,
} from '@property-services/projections'
import * as fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bj, daysAfter, scenario } from './scenario.js'
import { type StoreTarget, storeTargets } from './support.js'

const lift = { category: 'facilities', subject: 'lift-stoppage', channel: 'phone' } as const

describe.each(storeTargets)('read models per community on %s', (_name, make) => {
  let target: StoreTarget
  let readModels: ReadModelStore
  beforeEach(async () => {
    target = await make()
    readModels = target.store
  })
  afterEach(async () => target.cleanup())

  it('answer for one community, for the company as their sum, and side by side', async () => {
    const events = inMemoryEventStore()
    const { complaint, run } = scenario(events)
    const at = bj('2026-03-02 09:00')
    const handled = {
      acknowledged: daysAfter(at, 0, 1),
      proposed: daysAfter(at, 0, 2),
      dispatched: { at: daysAfter(at, 0, 3), department: 'engineering' },
      resolved: daysAfter(at, 1),
      notified: daysAfter(at, 1, 1),
    }
    // The high-rise: a lift complaint handled, then repeated by the same unit within the window.
    await complaint(
      'h1',
      { ownerId: 'o1', unitId: 'tower-1', communityId: 'tower', ...lift, at },
      { ...handled, closed: { at: daysAfter(at, 2), rating: 2 } },
    )
    await complaint('h2', {
      ownerId: 'o1',
      unitId: 'tower-1',
      communityId: 'tower',
      ...lift,
      at: daysAfter(at, 10),
    })
    // The old estate: two fee complaints, no repeat, better ratings.
    for (const [id, day] of [
      ['e1', 1],
      ['e2', 3],
    ] as const)
      await complaint(
        id,
        {
          ownerId: `o-${id}`,
          unitId: `estate-${id}`,
          communityId: 'estate',
          category: 'fees',
          subject: 'water-charge',
          channel: 'letter',
          at: daysAfter(at, day),
        },
        { acknowledged: daysAfter(at, day, 1), rejected: daysAfter(at, day, 2) },
      )
    await run(
      'OpenSurvey',
      { surveyId: 's-tower', communityId: 'tower', period: '2026-H1', dimensions: ['cleanliness'] },
      daysAfter(at, 20),
    )
    await run(
      'OpenSurvey',
      { surveyId: 's-estate', communityId: 'estate', period: '2026-H1', dimensions: ['cleanliness'] },
      daysAfter(at, 20),
    )
    for (const [surveyId, ownerId, score] of [
      ['s-tower', 'o1', 2],
      ['s-estate', 'o-e1', 5],
      ['s-estate', 'o-e2', 4],
    ] as const)
      await run(
        'RecordSurveyResponse',
        { surveyId, ownerId, scores: { cleanliness: score } },
        daysAfter(at, 21),
      )
    // Owners' files and forums are kept per community too.
    for (const [ownerId, communityId] of [
      ['o1', 'tower'],
      ['o-e1', 'estate'],
      ['o-e2', 'estate'],
    ] as const)
      await run(
        'RegisterOwner',
        { ownerId, communityId, contact: { name: ownerId, phone: '13800000000' } },
        daysAfter(at, 0),
      )
    await run(
      'ScheduleMeeting',
      {
        meetingId: 'm-tower',
        communityId: 'tower',
        kind: 'forum',
        scheduledFor: daysAfter(at, 5),
        agenda: 'lifts',
      },
      daysAfter(at, 1),
    )
    await run('HoldMeeting', { meetingId: 'm-tower', attendance: 30, minutes: 'lifts' }, daysAfter(at, 5))
    await run(
      'RaiseActionItem',
      {
        meetingId: 'm-tower',
        itemId: 'i1',
        description: 'lift 2',
        department: 'engineering',
        dueBy: daysAfter(at, 9),
      },
      daysAfter(at, 5, 1),
    )
    await projectionRunner({ events, readModels, projections: allProjections(), batchSize: 4 }).catchUp()
    const month = at.slice(0, 7)
    const meetings = meetingQueries(readModels)
    expect(await meetings.forumGaps(month, month, { community: 'tower' })).toEqual([])
    expect(await meetings.forumGaps(month, month, { community: 'estate' })).toEqual([month])
    expect(await meetings.forumGaps(month, month)).toEqual([])
    // Every community at once, a community without meetings among them.
    expect(await meetings.forumGapsByCommunity(month, month, ['estate', 'tower', 'nowhere'])).toEqual(
      new Map([
        ['estate', [month]],
        ['tower', []],
        ['nowhere', [month]],
      ]),
    )
    expect(
      (await meetings.openActionItems(daysAfter(at, 10), { community: 'tower' })).map((i) => i.itemId),
    ).toEqual(['i1'])
    expect(await meetings.openActionItems(daysAfter(at, 10), { community: 'estate' })).toEqual([])
    const visits = visitCadenceQueries(readModels)
    const owners = async (community?: string) =>
      (await visits.summary(daysAfter(at, 1), community === undefined ? {} : { community })).reduce(
        (n, s) => n + s.owners,
        0,
      )
    expect([await owners('tower'), await owners('estate'), await owners()]).toEqual([1, 2, 3])

    const analytics = complaintAnalyticsQueries(readModels)
    const filed = async (community?: string) =>
      (await analytics.by('category', community === undefined ? {} : { community })).map((r) => [
        r.key,
        r.filed,
      ])
    expect(await filed('tower')).toEqual([['facilities', 2]])
    expect(await filed('estate')).toEqual([['fees', 2]])
    expect(await filed()).toEqual([
      ['facilities', 2],
      ['fees', 2],
    ])
    expect(await analytics.byCommunity('category')).toEqual(
      new Map([
        ['estate', await analytics.by('category', { community: 'estate' })],
        ['tower', await analytics.by('category', { community: 'tower' })],
      ]),
    )
    expect((await analytics.communities()).map((c) => [c.community, c.filed, c.rejected, c.closed])).toEqual([
      ['estate', 2, 2, 0],
      ['tower', 2, 0, 1],
    ])
    expect((await analytics.overdueReplies(daysAfter(at, 30), { community: 'estate' })).length).toBe(0)

    const repeats = repeatComplaintQueries(readModels)
    expect((await repeats.repeats({ community: 'tower' })).map((r) => r.complaintId)).toEqual(['h2'])
    expect(await repeats.repeats({ community: 'estate' })).toEqual([])
    expect(await repeats.ranking()).toEqual([
      { community: 'tower', complaints: 2, repeats: 1, rate: 0.5 },
      { community: 'estate', complaints: 2, repeats: 0, rate: 0 },
    ])
    expect(await repeats.ratesByCommunity()).toEqual(
      new Map([
        ['estate', await repeats.rates({ community: 'estate' })],
        ['tower', await repeats.rates({ community: 'tower' })],
      ]),
    )
    expect(await repeats.hotspots('unit', 10, { community: 'estate' })).toEqual([])
    expect(await repeats.hotspots('unit')).toEqual([{ kind: 'unit', key: 'tower-1', repeats: 1 }])

    const satisfaction = satisfactionTrendQueries(readModels)
    const cleanliness = (await satisfaction.communities('half', { source: 'survey' })).map((s) => [
      s.community,
      s.average,
      s.companyAverage,
    ])
    expect(cleanliness).toEqual([
      ['estate', 4.5, 11 / 3],
      ['tower', 2, 11 / 3],
    ])
    expect(
      (await satisfaction.trend('half', { source: 'complaint-closing', community: 'tower' })).map(
        (p) => p.average,
      ),
    ).toEqual([2])
    expect(await satisfaction.trend('half', { source: 'complaint-closing', community: 'estate' })).toEqual([])
  })
})

describe('the company as the sum of its communities', () => {
  it('holds for complaint analytics and repeat rates, whatever the communities and complaints', async () => {
    const complaintArbitrary = fc.record({
      community: fc.constantFrom('a', 'b', 'c'),
      unit: fc.integer({ min: 1, max: 4 }),
      category: fc.constantFrom(
        ['facilities', 'lift-stoppage'] as const,
        ['fees', 'water-charge'] as const,
        ['management-service', 'noise'] as const,
      ),
      day: fc.integer({ min: 0, max: 80 }),
      handled: fc.boolean(),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(complaintArbitrary, { minLength: 1, maxLength: 12 }), async (complaints) => {
        const events = inMemoryEventStore()
        const { complaint } = scenario(events)
        const start = bj('2026-01-05 09:00')
        for (const [i, c] of complaints.entries()) {
          const at = daysAfter(start, c.day, i % 8)
          await complaint(
            `k${i}`,
            {
              ownerId: `o-${c.community}-${c.unit}`,
              // A unit belongs to one community for good.
              unitId: `${c.community}-${c.unit}`,
              communityId: c.community,
              category: c.category[0],
              subject: c.category[1],
              channel: 'letter',
              at,
            },
            c.handled ? { acknowledged: daysAfter(at, 0, 1), rejected: daysAfter(at, 0, 2) } : {},
          )
        }
        const readModels = inMemoryReadModelStore()
        await projectionRunner({ events, readModels, projections: allProjections(), batchSize: 5 }).catchUp()
        const analytics = complaintAnalyticsQueries(readModels)
        const repeats = repeatComplaintQueries(readModels)
        const communities = [...new Set(complaints.map((c) => c.community))]
        for (const dimension of ['category', 'subject', 'channel'] as const) {
          const summed = new Map<string, number>()
          for (const community of communities)
            for (const row of await analytics.by(dimension, { community }))
              summed.set(`${row.month}|${row.key}`, (summed.get(`${row.month}|${row.key}`) ?? 0) + row.filed)
          const company = await analytics.by(dimension)
          expect(new Map(company.map((r) => [`${r.month}|${r.key}`, r.filed]))).toEqual(summed)
        }
        // Every community's rows at once are each community's, asked for one by one.
        for (const dimension of ['category', 'subject', 'channel'] as const) {
          const asked = new Map<string, unknown>()
          for (const community of [...communities].sort())
            asked.set(community, await analytics.by(dimension, { community }))
          const all = await analytics.byCommunity(dimension)
          expect(new Map([...all].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual(asked)
        }
        expect((await analytics.communities()).reduce((n, c) => n + c.filed, 0)).toBe(complaints.length)
        const ranking = await repeats.ranking()
        const companyRates = await repeats.rates()
        expect(ranking.reduce((n, c) => n + c.repeats, 0)).toBe(
          companyRates.reduce((n, r) => n + r.repeats, 0),
        )
        expect(ranking.reduce((n, c) => n + c.complaints, 0)).toBe(complaints.length)
        for (const { community, repeats: count } of ranking) {
          expect((await repeats.repeats({ community })).length).toBe(count)
          expect((await repeats.ratesByCommunity()).get(community)).toEqual(
            await repeats.rates({ community }),
          )
        }
        expect([...(await repeats.ratesByCommunity()).keys()].sort()).toEqual([...communities].sort())
      }),
      { numRuns: 25 },
    )
  }, 60_000)
})
