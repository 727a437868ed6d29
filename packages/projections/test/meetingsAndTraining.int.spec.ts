/**
 * The read models of the handbook's internal systems: meetings and their action items, staff
 * satisfaction next to the owners', and staff missing required training, each asked about dates.
 */
import type { Event } from '@property-services/domain'
import { inMemoryEventStore } from '@property-services/infrastructure'
import {
  meetingQueries,
  meetings,
  projectionRunner,
  satisfactionTrendQueries,
  satisfactionTrends,
  training,
  trainingQueries,
} from '@property-services/projections'
import { describe, expect, it } from 'vitest'
import { appendAll, storeTargets } from './support.js'

const ev = (type: string, data: object) => ({ type, data }) as unknown as Event

describe.each(storeTargets)('meetings, staff satisfaction and training on %s', (_name, make) => {
  it('lists open and overdue action items as of a date, and the months without a forum', async () => {
    const target = await make()
    try {
      const events = inMemoryEventStore()
      const scheduled = (meetingId: string, kind: string, at: string) =>
        ev('MeetingScheduled', {
          meetingId,
          communityId: 'community-1',
          kind,
          scheduledFor: at,
          agenda: 'a',
          at,
        })
      const held = (meetingId: string, kind: string, at: string) =>
        ev('MeetingHeld', { meetingId, kind, attendance: 12, minutes: 'm', at })
      const raised = (meetingId: string, itemId: string, at: string, dueBy: string) =>
        ev('ActionItemRaised', {
          meetingId,
          kind: 'forum',
          itemId,
          description: `item ${itemId}`,
          department: 'engineering',
          dueBy,
          at,
        })
      const closed = (meetingId: string, itemId: string, at: string) =>
        ev('ActionItemClosed', { meetingId, itemId, outcome: 'done', at })
      await appendAll(events, [
        {
          streamName: 'meeting-jan',
          events: [
            scheduled('jan', 'forum', '2026-01-10T02:00:00.000Z'),
            held('jan', 'forum', '2026-01-10T02:00:00.000Z'),
            raised('jan', 'a1', '2026-01-10T03:00:00.000Z', '2026-02-01T00:00:00.000Z'),
            raised('jan', 'a2', '2026-01-10T03:00:00.000Z', '2026-02-01T00:00:00.000Z'),
            closed('jan', 'a1', '2026-01-20T03:00:00.000Z'),
          ],
        },
        {
          streamName: 'meeting-feb',
          events: [
            scheduled('feb', 'forum', '2026-02-10T02:00:00.000Z'),
            ev('MeetingCancelled', {
              meetingId: 'feb',
              kind: 'forum',
              reason: 'snow',
              at: '2026-02-09T02:00:00.000Z',
            }),
          ],
        },
        {
          // Held on 28 Feb at 17:00 UTC: 1 March in Beijing, so March has its forum.
          streamName: 'meeting-mar',
          events: [
            scheduled('mar', 'forum', '2026-02-28T17:00:00.000Z'),
            held('mar', 'forum', '2026-02-28T17:00:00.000Z'),
            raised('mar', 'a3', '2026-03-05T03:00:00.000Z', '2026-04-01T00:00:00.000Z'),
            closed('mar', 'a3', '2026-04-10T03:00:00.000Z'),
          ],
        },
        {
          streamName: 'meeting-com',
          events: [
            scheduled('com', 'committee', '2026-03-15T02:00:00.000Z'),
            held('com', 'committee', '2026-03-15T02:00:00.000Z'),
          ],
        },
      ])
      await projectionRunner({ events, readModels: target.store, projection: meetings() }).catchUp()
      const q = meetingQueries(target.store)
      const ids = (items: { itemId: string; overdue: boolean; daysOverdue: number }[]) =>
        items.map((i) => `${i.itemId}${i.overdue ? ` overdue ${i.daysOverdue}d` : ''}`)
      expect(ids(await q.openActionItems('2026-01-15T00:00:00.000Z'))).toEqual(['a1', 'a2'])
      expect(ids(await q.openActionItems('2026-02-15T00:00:00.000Z'))).toEqual(['a2 overdue 14d'])
      expect(ids(await q.openActionItems('2026-03-20T00:00:00.000Z'))).toEqual(['a2 overdue 47d', 'a3'])
      expect(ids(await q.openActionItems('2026-04-15T00:00:00.000Z', { overdueOnly: true }))).toEqual([
        'a2 overdue 73d',
      ])
      expect(await q.forumGaps('2026-01', '2026-04')).toEqual(['2026-02', '2026-04'])
      expect(await q.heldPerMonth('2026-02', '2026-03')).toEqual([
        { month: '2026-02', forums: 0, committeeMeetings: 0 },
        { month: '2026-03', forums: 1, committeeMeetings: 1 },
      ])
    } finally {
      await target.cleanup()
    }
  })

  it('counts staff satisfaction per department and overall, apart from the owners', async () => {
    const target = await make()
    try {
      const events = inMemoryEventStore()
      const response = (staffId: string, department: string, period: string, workload: number, at: string) =>
        ev('StaffSurveyResponseRecorded', {
          surveyId: `s-${period}`,
          period,
          staffId,
          department,
          scores: { workload },
          at,
        })
      await appendAll(events, [
        {
          streamName: 'staffSurvey-h1',
          events: [
            response('st1', 'engineering', '2026-H1', 2, '2026-06-01T02:00:00.000Z'),
            response('st2', 'engineering', '2026-H1', 4, '2026-06-02T02:00:00.000Z'),
            response('st3', 'security', '2026-H1', 5, '2026-06-02T02:00:00.000Z'),
          ],
        },
        {
          streamName: 'staffSurvey-h2',
          events: [response('st1', 'engineering', '2026-H2', 4, '2026-12-01T02:00:00.000Z')],
        },
        {
          streamName: 'survey-h1',
          events: [
            ev('SurveyResponseRecorded', {
              surveyId: 'o1',
              communityId: 'community-1',
              period: '2026-H1',
              ownerId: 'owner-1',
              scores: { workload: 1 },
              at: '2026-06-01T02:00:00.000Z',
            }),
          ],
        },
      ])
      await projectionRunner({ events, readModels: target.store, projection: satisfactionTrends() }).catchUp()
      const q = satisfactionTrendQueries(target.store)
      const points = (await q.staffTrend('half')).map((p) => [
        p.department,
        p.period,
        p.responses,
        p.average,
        p.change,
      ])
      expect(points).toEqual([
        ['*', '2026-H1', 3, 11 / 3, null],
        ['engineering', '2026-H1', 2, 3, null],
        ['security', '2026-H1', 1, 5, null],
        ['*', '2026-H2', 1, 4, 4 - 11 / 3],
        ['engineering', '2026-H2', 1, 4, 1],
      ])
      // The owners' satisfaction holds the owner's answer only.
      expect((await q.trend('half')).map((p) => [p.period, p.responses, p.average])).toEqual([
        ['2026-H1', 1, 1],
      ])
    } finally {
      await target.cleanup()
    }
  })

  it('finds staff missing the training their job role requires, as of a date', async () => {
    const target = await make()
    try {
      const events = inMemoryEventStore()
      await appendAll(events, [
        {
          streamName: 'staffMember-st1',
          events: [
            ev('StaffMemberRegistered', {
              staffId: 'st1',
              department: 'eng',
              jobRole: 'engineering',
              at: '2026-01-01T00:00:00.000Z',
            }),
            // From April, a security guard: lift safety is no longer required of them.
            ev('StaffMemberReassigned', {
              staffId: 'st1',
              department: 'sec',
              jobRole: 'security',
              at: '2026-04-01T00:00:00.000Z',
            }),
          ],
        },
        {
          streamName: 'staffMember-st2',
          events: [
            ev('StaffMemberRegistered', {
              staffId: 'st2',
              department: 'eng',
              jobRole: 'engineering',
              at: '2026-01-01T00:00:00.000Z',
            }),
            ev('StaffMemberDeparted', { staffId: 'st2', at: '2026-05-01T00:00:00.000Z' }),
          ],
        },
        {
          streamName: 'course-lift',
          events: [
            ev('CourseDefined', {
              courseId: 'lift',
              title: 'Lift safety',
              kind: 'technical',
              requiredFor: ['engineering'],
              at: '2026-01-05T00:00:00.000Z',
            }),
            ev('TrainingSessionHeld', {
              courseId: 'lift',
              sessionId: 'x1',
              attendees: ['st2'],
              at: '2026-02-01T00:00:00.000Z',
            }),
          ],
        },
        {
          streamName: 'course-etiquette',
          events: [
            ev('CourseDefined', {
              courseId: 'etiquette',
              title: 'Etiquette',
              kind: 'business',
              requiredFor: ['security'],
              at: '2026-01-05T00:00:00.000Z',
            }),
          ],
        },
      ])
      await projectionRunner({ events, readModels: target.store, projection: training() }).catchUp()
      const q = trainingQueries(target.store)
      const missing = async (at: string) =>
        (await q.missing(at)).map((m) => `${m.staffId}:${m.missing.join(',')}`)
      expect(await missing('2026-01-10T00:00:00.000Z')).toEqual(['st1:lift', 'st2:lift'])
      expect(await missing('2026-03-01T00:00:00.000Z')).toEqual(['st1:lift'])
      expect(await missing('2026-04-10T00:00:00.000Z')).toEqual(['st1:etiquette'])
      expect(
        (await q.coverage('2026-03-01T00:00:00.000Z')).map((c) => [c.courseId, c.required, c.trained]),
      ).toEqual([
        ['etiquette', 0, 0],
        ['lift', 2, 1],
      ])
      // st2 left in May: no longer counted.
      expect(
        (await q.coverage('2026-05-02T00:00:00.000Z')).find((c) => c.courseId === 'lift')?.required,
      ).toBe(0)
    } finally {
      await target.cleanup()
    }
  })
})
