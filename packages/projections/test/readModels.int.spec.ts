import { inMemoryEventStore } from '@property-services/infrastructure'
import {
  complaintAnalytics,
  complaintAnalyticsQueries,
  type Projection,
  projectionRunner,
  type ReadModelStore,
  repeatComplaintQueries,
  repeatComplaints,
  satisfactionTrendQueries,
  satisfactionTrends,
} from '@property-services/projections'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bj, daysAfter, scenario } from './scenario.js'
import { type StoreTarget, storeTargets } from './support.js'

describe.each(storeTargets)('read models on %s', (_name, make) => {
  let target: StoreTarget
  let readModels: ReadModelStore
  beforeEach(async () => {
    target = await make()
    readModels = target.store
  })
  afterEach(async () => target.cleanup())

  const project = async (events: ReturnType<typeof inMemoryEventStore>, projection: Projection) =>
    projectionRunner({ events, readModels, projection, batchSize: 3 }).catchUp()

  describe('complaint analytics', () => {
    it('counts by category and month, times the handling, and flags a late reply over a weekend', async () => {
      const events = inMemoryEventStore()
      const { complaint } = scenario(events)
      const base = {
        ownerId: 'o1',
        unitId: 'u1',
        category: 'facilities',
        subject: 'lift-stoppage',
        channel: 'phone',
      }
      // Friday 18:30: the reply is due Monday 18:30. Answered Monday 10:00: on time.
      await complaint(
        'k1',
        { ...base, at: bj('2026-03-06 18:30') },
        {
          acknowledged: bj('2026-03-06 20:30'),
          proposed: bj('2026-03-09 10:00'),
          dispatched: { at: bj('2026-03-09 10:30'), department: 'engineering' },
          resolved: bj('2026-03-09 18:30'),
          notified: bj('2026-03-09 19:00'),
          closed: { at: bj('2026-03-10 09:00'), rating: 4 },
        },
      )
      // Friday 18:30 again: answered Tuesday 09:00, after Monday 18:30: late.
      await complaint(
        'k2',
        { ...base, ownerId: 'o2', unitId: 'u2', at: bj('2026-03-06 18:30') },
        {
          acknowledged: bj('2026-03-06 19:30'),
          rejected: bj('2026-03-10 09:00'),
        },
      )
      // A letter: no reply deadline at all. Another month.
      await complaint('k3', {
        ...base,
        channel: 'letter',
        category: 'fees',
        subject: 'water-charge',
        at: bj('2026-04-01 09:00'),
      })
      await project(events, complaintAnalytics())
      const queries = complaintAnalyticsQueries(readModels)
      const byCategory = await queries.by('category')
      expect(
        byCategory.map((r) => [
          r.key,
          r.month,
          r.filed,
          r.open,
          r.resolved,
          r.rejected,
          r.closed,
          r.replyDeadlineMissed,
        ]),
      ).toEqual([
        ['facilities', '2026-03', 2, 1, 1, 1, 1, 1],
        ['fees', '2026-04', 1, 1, 0, 0, 0, 0],
      ])
      const march = byCategory[0]!
      expect(march.averageAcknowledgeHours).toBe(1.5) // 2 h and 1 h
      expect(march.averageResolveHours).toBe(72) // Friday 18:30 to Monday 18:30
      expect(march.averageRating).toBe(4)
      expect((await queries.by('department')).map((r) => [r.key, r.filed, r.resolved])).toEqual([
        ['engineering', 1, 1],
      ])
      expect((await queries.by('channel', { from: '2026-04' })).map((r) => r.key)).toEqual(['letter'])
      expect((await queries.lateReplies()).map((c) => c._id)).toEqual(['k2'])
    })

    it('lists verbal complaints whose reply is overdue, as of a moment', async () => {
      const events = inMemoryEventStore()
      const { complaint } = scenario(events)
      await complaint('k1', {
        ownerId: 'o1',
        unitId: 'u1',
        category: 'management-service',
        subject: 'noise',
        channel: 'visit',
        at: bj('2026-03-02 09:00'),
      })
      // k2 is answered, a day late: overdue in between, not before its deadline nor after its answer.
      await complaint(
        'k2',
        {
          ownerId: 'o2',
          unitId: 'u2',
          category: 'management-service',
          subject: 'noise',
          channel: 'phone',
          at: bj('2026-03-02 10:00'),
        },
        { acknowledged: bj('2026-03-02 11:00'), proposed: bj('2026-03-04 10:00') },
      )
      await project(events, complaintAnalytics())
      const queries = complaintAnalyticsQueries(readModels)
      const overdue = async (at: string) => (await queries.overdueReplies(at)).map((c) => c._id)
      expect(await overdue(bj('2026-03-03 08:59'))).toEqual([])
      expect(await overdue(bj('2026-03-03 09:01'))).toEqual(['k1'])
      expect(await overdue(bj('2026-03-03 10:01'))).toEqual(['k1', 'k2'])
      expect(await overdue(bj('2026-03-04 10:01'))).toEqual(['k1'])
    })

    it('counts a reopened complaint as open again and moves nothing twice', async () => {
      const events = inMemoryEventStore()
      const { complaint, run } = scenario(events)
      const filedAt = bj('2026-05-04 09:00')
      await complaint(
        'k1',
        {
          ownerId: 'o1',
          unitId: 'u1',
          category: 'facilities',
          subject: 'water-supply-fault',
          channel: 'online',
          at: filedAt,
        },
        {
          acknowledged: daysAfter(filedAt, 0, 1),
          proposed: daysAfter(filedAt, 0, 2),
          dispatched: { at: daysAfter(filedAt, 0, 3), department: 'plumbing' },
          resolved: daysAfter(filedAt, 1),
          notified: daysAfter(filedAt, 1, 1),
          closed: { at: daysAfter(filedAt, 1, 2), rating: 2 },
        },
      )
      await run('ReopenComplaint', { complaintId: 'k1', reason: 'leaking again' }, daysAfter(filedAt, 5))
      await project(events, complaintAnalytics())
      const [row] = await complaintAnalyticsQueries(readModels).by('category')
      expect(row).toMatchObject({
        filed: 1,
        open: 1,
        closed: 0,
        reopenedComplaints: 1,
        reopenings: 1,
        resolved: 1,
        ratingCount: 1,
        ratingSum: 2,
      })
    })
  })

  describe('repeat complaints', () => {
    const handled = (at: string) => ({
      acknowledged: daysAfter(at, 0, 1),
      proposed: daysAfter(at, 0, 2),
      dispatched: { at: daysAfter(at, 0, 3), department: 'engineering' },
      resolved: daysAfter(at, 1),
    })
    const lift = { category: 'facilities', subject: 'lift-stoppage', channel: 'phone' }

    it('links a complaint filed just inside the window to the earlier one, and not one just outside', async () => {
      const events = inMemoryEventStore()
      const { complaint } = scenario(events)
      const first = bj('2026-01-05 09:00')
      await complaint('k1', { ownerId: 'o1', unitId: 'u1', ...lift, at: first }, handled(first)) // resolved Jan 6 09:00
      const resolvedAt = daysAfter(first, 1)
      await complaint('k2', { ownerId: 'o1', unitId: 'u1', ...lift, at: daysAfter(resolvedAt, 90) }) // exactly 90 days: inside
      await complaint(
        'k3',
        { ownerId: 'o3', unitId: 'u3', ...lift, at: bj('2026-01-05 09:00') },
        handled(first),
      )
      await complaint('k4', { ownerId: 'o3', unitId: 'u3', ...lift, at: daysAfter(resolvedAt, 90, 1) }) // 90 days 1 hour: outside
      await project(events, repeatComplaints())
      const queries = repeatComplaintQueries(readModels)
      expect(
        (await queries.repeats()).map((r) => [r.complaintId, r.repeatOf, r.reason, r.daysAfterHandling]),
      ).toEqual([['k2', 'k1', 'same-owner', 90]])
    })

    it('links a new owner of the same unit, ignores other subjects, and counts reopenings', async () => {
      const events = inMemoryEventStore()
      const { complaint, run } = scenario(events)
      const first = bj('2026-02-02 09:00')
      await complaint(
        'k1',
        { ownerId: 'o1', unitId: 'u1', ...lift, at: first },
        { ...handled(first), notified: daysAfter(first, 1, 1) },
      )
      await complaint('k2', { ownerId: 'o2', unitId: 'u1', ...lift, at: daysAfter(first, 10) }) // same unit, other owner
      await complaint('k3', {
        ownerId: 'o1',
        unitId: 'u1',
        category: 'facilities',
        subject: 'power-supply-fault',
        channel: 'phone',
        at: daysAfter(first, 11),
      })
      await run('ReopenComplaint', { complaintId: 'k1', reason: 'stopped again' }, daysAfter(first, 12))
      await project(events, repeatComplaints())
      const queries = repeatComplaintQueries(readModels)
      expect((await queries.repeats()).map((r) => [r.complaintId, r.repeatOf, r.reason])).toEqual([
        ['k2', 'k1', 'same-unit'],
        ['k1', 'k1', 'reopened'],
      ])
      expect(await queries.rates()).toEqual([
        { category: 'facilities', month: '2026-02', complaints: 3, repeats: 2, rate: 2 / 3 },
      ])
      expect((await queries.hotspots('unit')).map((h) => [h.key, h.repeats])).toEqual([['u1', 2]])
      expect((await queries.hotspots('subject')).map((h) => [h.key, h.repeats])).toEqual([
        ['facilities/lift-stoppage', 2],
      ])
      // A limit counted from a caller's input: -1 dropped the last row, 0 answered none.
      await expect(queries.hotspots('unit', -1)).rejects.toThrow(
        'hotspots: limit must be a whole number of at least 1, got -1',
      )
    })

    it('does not count a complaint filed while the earlier one is still being handled', async () => {
      const events = inMemoryEventStore()
      const { complaint } = scenario(events)
      const first = bj('2026-03-02 09:00')
      await complaint(
        'k1',
        { ownerId: 'o1', unitId: 'u1', ...lift, at: first },
        { acknowledged: daysAfter(first, 0, 1) },
      )
      await complaint('k2', { ownerId: 'o1', unitId: 'u1', ...lift, at: daysAfter(first, 1) })
      await project(events, repeatComplaints())
      expect(await repeatComplaintQueries(readModels).repeats()).toEqual([])
    })
  })

  describe('satisfaction trends', () => {
    it('averages per period and dimension, with the change against the previous period', async () => {
      const events = inMemoryEventStore()
      const { run } = scenario(events)
      await run(
        'OpenSurvey',
        {
          surveyId: 'v1',
          communityId: 'community-1',
          period: '2026-H1',
          dimensions: ['cleanliness', 'security'],
        },
        bj('2026-06-01 09:00'),
      )
      await run(
        'RecordSurveyResponse',
        { surveyId: 'v1', ownerId: 'o1', scores: { cleanliness: 4, security: 3 } },
        bj('2026-06-02 09:00'),
      )
      await run(
        'RecordSurveyResponse',
        { surveyId: 'v1', ownerId: 'o2', scores: { cleanliness: 2, security: 5 } },
        bj('2026-06-03 09:00'),
      )
      await run('CloseSurvey', { surveyId: 'v1' }, bj('2026-06-30 09:00'))
      await run(
        'OpenSurvey',
        {
          surveyId: 'v2',
          communityId: 'community-1',
          period: '2026-H2',
          dimensions: ['cleanliness', 'security'],
        },
        bj('2026-12-01 09:00'),
      )
      await run(
        'RecordSurveyResponse',
        { surveyId: 'v2', ownerId: 'o1', scores: { cleanliness: 5, security: 4 } },
        bj('2026-12-02 09:00'),
      )
      // A survey nobody answered adds no point and breaks nothing.
      await run(
        'OpenSurvey',
        { surveyId: 'v3', communityId: 'community-1', period: '2027-H1', dimensions: ['cleanliness'] },
        bj('2027-06-01 09:00'),
      )
      await run('CloseSurvey', { surveyId: 'v3' }, bj('2027-06-30 09:00'))
      await project(events, satisfactionTrends())
      const trend = await satisfactionTrendQueries(readModels).trend('half', { source: 'survey' })
      expect(trend).toEqual([
        { period: '2026-H1', dimension: 'cleanliness', responses: 2, average: 3, change: null },
        { period: '2026-H1', dimension: 'security', responses: 2, average: 4, change: null },
        { period: '2026-H2', dimension: 'cleanliness', responses: 1, average: 5, change: 2 },
        { period: '2026-H2', dimension: 'security', responses: 1, average: 4, change: 0 },
      ])
      const months = await satisfactionTrendQueries(readModels).trend('month', { dimension: 'cleanliness' })
      expect(months.map((p) => [p.period, p.average, p.change])).toEqual([
        ['2026-06', 3, null],
        ['2026-12', 5, null],
      ])
    })

    it('keeps closing ratings and service-order ratings apart, and combines them', async () => {
      const events = inMemoryEventStore()
      const { run, complaint } = scenario(events)
      await run(
        'RegisterUnit',
        { unitId: 'u1', communityId: 'community-1', building: '1', number: '101', floorAreaCm2: 800_000 },
        bj('2026-01-01 09:00'),
      )
      await run('AssignUnitOwner', { unitId: 'u1', ownerId: 'o1' }, bj('2026-01-01 09:00'))
      const at = bj('2026-02-02 09:00')
      await complaint(
        'k1',
        { ownerId: 'o1', unitId: 'u1', category: 'fees', subject: 'cleaning-charge', channel: 'online', at },
        {
          acknowledged: daysAfter(at, 0, 1),
          rejected: daysAfter(at, 0, 2),
          notified: daysAfter(at, 0, 3),
          closed: { at: daysAfter(at, 0, 4), rating: 2 },
        },
      )
      const owner = { id: 'o1', role: 'owner' } as const
      await run(
        'RequestServiceOrder',
        { orderId: 'r1', ownerId: 'o1', unitId: 'u1', serviceId: 's1', description: 'fix tap' },
        at,
        owner,
      )
      await run(
        'ScheduleServiceOrder',
        { orderId: 'r1', scheduledFor: daysAfter(at, 1), assigneeId: 'f1' },
        daysAfter(at, 0, 1),
      )
      await run('DeliverServiceOrder', { orderId: 'r1' }, daysAfter(at, 1, 1))
      await run('RateServiceOrder', { orderId: 'r1', score: 5 }, daysAfter(at, 1, 2), owner)
      await project(events, satisfactionTrends())
      const queries = satisfactionTrendQueries(readModels)
      expect(
        (await queries.trend('quarter', { source: 'complaint-closing' })).map((p) => [
          p.period,
          p.dimension,
          p.average,
        ]),
      ).toEqual([['2026-Q1', 'complaint-handling', 2]])
      expect(
        (await queries.trend('quarter', { source: 'service-order' })).map((p) => [p.dimension, p.average]),
      ).toEqual([['service-orders', 5]])
      expect((await queries.trend('quarter')).map((p) => [p.dimension, p.responses])).toEqual([
        ['complaint-handling', 1],
        ['service-orders', 1],
      ])
    })
  })
})
