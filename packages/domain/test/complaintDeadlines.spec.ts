/**
 * Warnings and escalations (deadlines.ts) are accepted only when due, once per deadline, and only from
 * automation or a manager.
 */
import {
  type ComplaintEvent,
  type ComplaintState,
  complaintDecider,
  defaultPolicies,
  replay,
} from '@property-services/domain'
import { cast, historyArbitrary, specification } from '@property-services/domain/testing'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { meta, staff } from './support.js'

const decider = complaintDecider()
const spec = specification(decider)
const complaintId = 'k1'
const t0 = '2026-03-02T01:00:00.000Z' // Monday 09:00 in Beijing
const later = (minutes: number) => new Date(Date.parse(t0) + minutes * 60_000).toISOString()
const system = cast.system

const filed = (category: 'emergency' | 'facilities', channel: 'phone' | 'letter'): ComplaintEvent => ({
  type: 'ComplaintFiled',
  data: {
    complaintId,
    ownerId: 'owner-1',
    unitId: 'unit-1',
    communityId: 'community-1',
    category,
    subject: category === 'emergency' ? 'flooding' : 'lift-stoppage',
    channel,
    description: 'water in the corridor',
    replyDueBy: channel === 'phone' ? '2026-03-03T01:00:00.000Z' : null,
    dispatchDueBy: category === 'emergency' ? later(30) : null,
    at: t0,
  },
})
const escalate = (deadline: 'dispatch' | 'department', at: string, actor = system) => ({
  type: 'EscalateComplaint' as const,
  meta: meta(actor, at),
  data: { complaintId, deadline },
})
const warn = (at: string, actor = system) => ({
  type: 'WarnOfReplyDeadline' as const,
  meta: meta(actor, at),
  data: { complaintId },
})
const acknowledged: ComplaintEvent = {
  type: 'ComplaintAcknowledged',
  data: { complaintId, gesture: 'apology', note: 'heard', at: later(5) },
}
const dispatched = (at: number, dueBy: number): ComplaintEvent => ({
  type: 'ComplaintDispatched',
  data: { complaintId, department: 'engineering', dueBy: later(dueBy), at: later(at) },
})

describe('escalating an undispatched emergency', () => {
  const history = [filed('emergency', 'letter'), acknowledged]

  it('is refused before the dispatch deadline and accepted from it', () => {
    spec
      .given(history)
      .when(escalate('dispatch', later(29)))
      .thenFails({ rule: 'deadline-due' })
    spec
      .given(history)
      .when(escalate('dispatch', later(30)))
      .then([
        {
          type: 'ComplaintEscalated',
          data: { complaintId, deadline: 'dispatch', dueBy: later(30), department: null, at: later(30) },
        },
      ])
  })

  it('happens once', () => {
    const once: ComplaintEvent = {
      type: 'ComplaintEscalated',
      data: { complaintId, deadline: 'dispatch', dueBy: later(30), department: null, at: later(31) },
    }
    spec
      .given([...history, once])
      .when(escalate('dispatch', later(40)))
      .thenFails('WrongState')
  })

  it('is refused once the emergency was dispatched, and from staff', () => {
    spec
      .given([...history, dispatched(20, 300)])
      .when(escalate('dispatch', later(40)))
      .thenFails('WrongState')
    spec
      .given(history)
      .when(escalate('dispatch', later(40), staff))
      .thenFails('NotAllowed')
  })
})

describe('escalating a late department', () => {
  const proposed: ComplaintEvent = {
    type: 'ResolutionProposed',
    data: { complaintId, proposal: 'send a fitter', partial: false, at: later(10) },
  }
  const history = [filed('facilities', 'letter'), acknowledged, proposed, dispatched(20, 600)]

  it('names the department and the deadline it missed', () => {
    spec
      .given(history)
      .when(escalate('department', later(599)))
      .thenFails({ rule: 'deadline-due' })
    spec
      .given(history)
      .when(escalate('department', later(700)))
      .then([
        {
          type: 'ComplaintEscalated',
          data: {
            complaintId,
            deadline: 'department',
            dueBy: later(600),
            department: 'engineering',
            at: later(700),
          },
        },
      ])
  })

  it('is refused when the department resolved in time', () => {
    const resolved: ComplaintEvent = {
      type: 'ComplaintResolved',
      data: { complaintId, cause: 'worn part', at: later(300) },
    }
    spec
      .given([...history, resolved])
      .when(escalate('department', later(700)))
      .thenFails('WrongState')
  })
})

describe('warning of a verbal reply deadline', () => {
  const history = [filed('facilities', 'phone')]
  const dueBy = Date.parse('2026-03-03T01:00:00.000Z')
  const at = (msBeforeDue: number) => new Date(dueBy - msBeforeDue).toISOString()
  const lead = defaultPolicies.replyWarningMinutes * 60_000

  it('is accepted only in the window before the deadline', () => {
    spec
      .given(history)
      .when(warn(at(lead + 1)))
      .thenFails({ rule: 'deadline-due' })
    spec
      .given(history)
      .when(warn(at(lead)))
      .then([
        {
          type: 'ReplyDeadlineWarned',
          data: { complaintId, dueBy: '2026-03-03T01:00:00.000Z', at: at(lead) },
        },
      ])
    // At the deadline, the warning is moot: the audit reports a late reply instead.
    spec
      .given(history)
      .when(warn(at(0)))
      .thenFails({ rule: 'deadline-due' })
  })

  it('is refused once the owner got an answer', () => {
    const rejected: ComplaintEvent = {
      type: 'ComplaintRejected',
      data: { complaintId, reason: 'not our fault', at: later(60) },
    }
    spec
      .given([...history, acknowledged, rejected])
      .when(warn(at(lead / 2)))
      .thenFails('WrongState')
  })
})

describe('in any valid history', () => {
  it('every warning and escalation was due when made, and made once per deadline', () => {
    let seen = 0
    fc.assert(
      fc.property(historyArbitrary('complaint', { mode: 'valid', maxSteps: 40 }), (history) => {
        const keys: string[] = []
        history.events.forEach((event, i) => {
          if (event.type !== 'ComplaintEscalated' && event.type !== 'ReplyDeadlineWarned') return
          seen++
          const { dueBy, at } = event.data
          const before = replay(decider, history.events.slice(0, i) as ComplaintEvent[]) as ComplaintState
          expect(before.status).not.toBe('none')
          if (event.type === 'ReplyDeadlineWarned') {
            expect(Date.parse(at)).toBeLessThan(Date.parse(dueBy))
            expect(Date.parse(dueBy) - Date.parse(at)).toBeLessThanOrEqual(
              defaultPolicies.replyWarningMinutes * 60_000,
            )
            keys.push(`warn@${dueBy}`)
          } else {
            expect(Date.parse(at)).toBeGreaterThanOrEqual(Date.parse(dueBy))
            keys.push(`${event.data.deadline}@${dueBy}`)
          }
        })
        expect(new Set(keys).size).toBe(keys.length)
      }),
      { numRuns: 200 },
    )
    expect(seen).toBeGreaterThan(0)
  })
})
