/** The rules of meetings and their action items, staff surveys, staff and training. */
import {
  courseDecider,
  type MeetingEvent,
  meetingDecider,
  type StaffSurveyEvent,
  staffMemberDecider,
  staffSurveyDecider,
} from '@property-services/domain'
import { specification } from '@property-services/domain/testing'
import { describe, it } from 'vitest'
import { manager, meta, owner, staff } from './support.js'

const t0 = '2026-03-02T01:00:00.000Z'
const later = (hours: number) => new Date(Date.parse(t0) + hours * 3_600_000).toISOString()

describe('a meeting', () => {
  const spec = specification(meetingDecider)
  const scheduled: MeetingEvent = {
    type: 'MeetingScheduled',
    data: {
      meetingId: 'm1',
      communityId: 'community-1',
      kind: 'forum',
      scheduledFor: later(48),
      agenda: 'lifts',
      at: t0,
    },
  }
  const held: MeetingEvent = {
    type: 'MeetingHeld',
    data: { meetingId: 'm1', kind: 'forum', attendance: 23, minutes: 'lift noise raised', at: later(48) },
  }
  const raise = (itemId: string, dueBy: string, at = later(49)) => ({
    type: 'RaiseActionItem' as const,
    meta: meta(staff, at),
    data: { meetingId: 'm1', itemId, description: 'service lift 2', department: 'engineering', dueBy },
  })

  it('is scheduled for a time to come, by staff only', () => {
    const schedule = (actor = staff, scheduledFor = later(48)) => ({
      type: 'ScheduleMeeting' as const,
      meta: meta(actor, t0),
      data: {
        meetingId: 'm1',
        communityId: 'community-1',
        kind: 'forum' as const,
        scheduledFor,
        agenda: 'lifts',
      },
    })
    spec.given([]).when(schedule()).then([scheduled])
    spec
      .given([])
      .when(schedule(staff, later(-1)))
      .thenFails({ rule: 'ahead' })
    spec.given([]).when(schedule(owner)).thenFails('NotAllowed')
  })

  it('raises action items only once held, each once, due ahead', () => {
    spec
      .given([scheduled])
      .when(raise('a1', later(200)))
      .thenFails('WrongState')
    spec
      .given([scheduled, held])
      .when(raise('a1', later(200)))
      .then([
        {
          type: 'ActionItemRaised',
          data: {
            meetingId: 'm1',
            kind: 'forum',
            itemId: 'a1',
            description: 'service lift 2',
            department: 'engineering',
            dueBy: later(200),
            at: later(49),
          },
        },
      ])
    spec
      .given([scheduled, held])
      .when(raise('a1', later(40)))
      .thenFails({ rule: 'deadline-ahead' })
    const raised: MeetingEvent = {
      type: 'ActionItemRaised',
      data: {
        meetingId: 'm1',
        kind: 'forum',
        itemId: 'a1',
        description: 'x',
        department: 'engineering',
        dueBy: later(200),
        at: later(49),
      },
    }
    spec
      .given([scheduled, held, raised])
      .when(raise('a1', later(300), later(50)))
      .thenFails({ rule: 'new-item' })
    const close = (itemId: string) => ({
      type: 'CloseActionItem' as const,
      meta: meta(staff, later(60)),
      data: { meetingId: 'm1', itemId, outcome: 'serviced' },
    })
    spec.given([scheduled, held, raised]).when(close('a2')).thenFails('WrongState')
    spec
      .given([scheduled, held, raised])
      .when(close('a1'))
      .then([
        {
          type: 'ActionItemClosed',
          data: { meetingId: 'm1', itemId: 'a1', outcome: 'serviced', at: later(60) },
        },
      ])
  })

  it('is not held once cancelled', () => {
    const cancelled: MeetingEvent = {
      type: 'MeetingCancelled',
      data: { meetingId: 'm1', kind: 'forum', reason: 'typhoon', at: later(1) },
    }
    spec
      .given([scheduled, cancelled])
      .when({
        type: 'HoldMeeting',
        meta: meta(staff, later(48)),
        data: { meetingId: 'm1', attendance: 3, minutes: '' },
      })
      .thenFails('WrongState')
  })
})

describe('a staff survey', () => {
  const spec = specification(staffSurveyDecider)
  const opened: StaffSurveyEvent = {
    type: 'StaffSurveyOpened',
    data: {
      surveyId: 's1',
      period: '2026-H1',
      departments: ['engineering', 'security'],
      dimensions: ['workload', 'tools'],
      at: t0,
    },
  }
  const respond = (actor = staff, department = 'engineering', staffId = staff.id) => ({
    type: 'RecordStaffSurveyResponse' as const,
    meta: meta(actor, later(1)),
    data: { surveyId: 's1', staffId, department, scores: { workload: 2, tools: 4 } },
  })

  it('takes one answer per staff member, from themself, for a surveyed department', () => {
    spec
      .given([opened])
      .when(respond())
      .then([
        {
          type: 'StaffSurveyResponseRecorded',
          data: {
            surveyId: 's1',
            period: '2026-H1',
            staffId: staff.id,
            department: 'engineering',
            scores: { workload: 2, tools: 4 },
            at: later(1),
          },
        },
      ])
    spec.given([opened]).when(respond(manager)).thenFails('NotAllowed')
    spec.given([opened]).when(respond(staff, 'cleaning')).thenFails({ rule: 'surveyed-department' })
    const answered: StaffSurveyEvent = {
      type: 'StaffSurveyResponseRecorded',
      data: {
        surveyId: 's1',
        period: '2026-H1',
        staffId: staff.id,
        department: 'security',
        scores: { workload: 3, tools: 3 },
        at: later(0.5),
      },
    }
    spec.given([opened, answered]).when(respond()).thenFails({ rule: 'one-response' })
  })
})

describe('staff and training', () => {
  it('reassigns a current staff member only to another department or role', () => {
    const spec = specification(staffMemberDecider)
    const registered = {
      type: 'StaffMemberRegistered' as const,
      data: { staffId: 'st1', department: 'engineering', jobRole: 'engineering', at: t0 },
    }
    const reassign = (jobRole: string) => ({
      type: 'ReassignStaffMember' as const,
      meta: meta(manager, later(1)),
      data: { staffId: 'st1', department: 'engineering', jobRole },
    })
    spec.given([registered]).when(reassign('engineering')).thenFails({ rule: 'a-change' })
    spec
      .given([registered, { type: 'StaffMemberDeparted', data: { staffId: 'st1', at: later(0.5) } }])
      .when(reassign('security'))
      .thenFails('WrongState')
    spec
      .given([registered])
      .when({ ...reassign('security'), meta: meta(staff, later(1)) })
      .thenFails('NotAllowed')
  })

  it('records a session of distinct attendees once, while the course is offered', () => {
    const spec = specification(courseDecider)
    const defined = {
      type: 'CourseDefined' as const,
      data: {
        courseId: 'c1',
        title: 'Lift safety',
        kind: 'technical' as const,
        requiredFor: ['engineering'],
        at: t0,
      },
    }
    const session = (sessionId: string, attendees: string[]) => ({
      type: 'RecordTrainingSession' as const,
      meta: meta(staff, later(2)),
      data: { courseId: 'c1', sessionId, attendees },
    })
    spec
      .given([defined])
      .when(session('x1', ['st1', 'st1']))
      .thenFails({ rule: 'attendees' })
    spec.given([defined]).when(session('x1', [])).thenFails({ rule: 'attendees' })
    spec
      .given([
        defined,
        {
          type: 'TrainingSessionHeld',
          data: { courseId: 'c1', sessionId: 'x1', attendees: ['st1'], at: later(1) },
        },
      ])
      .when(session('x1', ['st2']))
      .thenFails({ rule: 'new-session' })
    spec
      .given([defined, { type: 'CourseRetired', data: { courseId: 'c1', at: later(1) } }])
      .when(session('x2', ['st2']))
      .thenFails('WrongState')
  })
})
