import {
  type ComplaintCommand,
  type ComplaintEvent,
  complaintDecider,
  type FileComplaint,
  limits,
  policies,
  utcOffsetMinutesAt,
  workingCalendarOf,
} from '@property-services/domain'
import { specification } from '@property-services/domain/testing'
import type * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { manager, meta, owner, staff, stranger } from './support.js'

const decider = complaintDecider()
const profile = (timeZone: string, holidays: string[] = []) => ({
  name: 'c',
  address: 'a',
  timeZone,
  calendar: { weekendDays: [0, 6], holidays, extraWorkingDays: [] },
  serviceGrade: 'grade-2' as const,
})
const spec = specification(decider, { context: { unitCommunity: 'community-1' } })
const complaintId = 'k1'
const ownsUnit = { unitOwner: 'owner-1', unitCommunity: 'community-1' }

// Monday 2026-03-02 09:00 in Beijing
const monday9 = '2026-03-02T01:00:00.000Z'
const later = (minutes: number) => new Date(Date.parse(monday9) + minutes * 60_000).toISOString()

const file = (overrides: Partial<t.TypeOf<typeof FileComplaint>['data']> = {}, actor = owner) => ({
  type: 'FileComplaint' as const,
  meta: meta(actor, monday9),
  data: {
    complaintId,
    ownerId: 'owner-1',
    unitId: 'unit-1',
    category: 'facilities' as const,
    subject: 'lift-stoppage' as const,
    channel: 'phone' as const,
    description: 'the lift in block 3 stops between floors',
    ...overrides,
  },
})

const filed: ComplaintEvent = {
  type: 'ComplaintFiled',
  data: {
    ...file().data,
    communityId: 'community-1',
    replyDueBy: '2026-03-03T01:00:00.000Z',
    dispatchDueBy: null,
    at: monday9,
  },
}
const acknowledged: ComplaintEvent = {
  type: 'ComplaintAcknowledged',
  data: { complaintId, gesture: 'apology', note: 'listened, recorded', at: later(10) },
}
const proposed: ComplaintEvent = {
  type: 'ResolutionProposed',
  data: { complaintId, proposal: 'engineer today', partial: false, at: later(20) },
}
const dispatched: ComplaintEvent = {
  type: 'ComplaintDispatched',
  data: { complaintId, department: 'engineering', dueBy: later(600), at: later(30) },
}
const resolved: ComplaintEvent = {
  type: 'ComplaintResolved',
  data: { complaintId, cause: 'worn door sensor', at: later(300) },
}
const rejected: ComplaintEvent = {
  type: 'ComplaintRejected',
  data: { complaintId, reason: 'lift inspected, no fault', at: later(300) },
}
const notified: ComplaintEvent = {
  type: 'ComplaintOutcomeNotified',
  data: { complaintId, via: 'phone', summary: 'sensor replaced', at: later(320) },
}
const closed: ComplaintEvent = {
  type: 'ComplaintClosed',
  data: { complaintId, communityId: 'community-1', rating: 4, at: later(400) },
}

describe('filing a complaint', () => {
  it('gives a verbal complaint its reply deadline one working day on', () => {
    spec.given([]).when(file(), ownsUnit).then([filed])
  })

  it('refuses a complaint whose deadline would fall outside the dates a store can read back', () => {
    const lastMinute = {
      ...file({ category: 'emergency', subject: 'flooding' }),
      meta: meta(staff, limits.latest),
    }
    spec.given([]).when(lastMinute).thenFails({ rule: 'time-range' })
    const lastLetter = { ...file({ channel: 'letter' }), meta: meta(staff, limits.latest) }
    expect(spec.given([]).when(lastLetter).outcome._tag).toBe('Right')
  })

  it('gives a letter no reply deadline', () => {
    const { outcome } = spec.given([]).when(file({ channel: 'letter' }), ownsUnit)
    expect(outcome).toMatchObject({ right: [{ data: { replyDueBy: null, dispatchDueBy: null } }] })
  })

  it('carries a Friday-evening phone complaint over the weekend to Monday', () => {
    // Friday 2026-03-06 18:30 Beijing
    const friday = { ...file(), meta: meta(owner, '2026-03-06T10:30:00.000Z') }
    const { outcome } = spec.given([]).when(friday, ownsUnit)
    expect(outcome).toMatchObject({ right: [{ data: { replyDueBy: '2026-03-09T10:30:00.000Z' } }] })
  })

  it("counts working days by the community's calendar when the application gives it", () => {
    // Friday 2026-03-06 18:30 Beijing; a community that works on Saturdays, in Urumqi (UTC+6).
    const friday = { ...file(), meta: meta(owner, '2026-03-06T10:30:00.000Z') }
    const saturdays = { ...policies().calendar, weekendDays: [0], utcOffsetMinutes: 360 }
    const { outcome } = spec.given([]).when(friday, { ...ownsUnit, communityCalendar: saturdays })
    expect(outcome).toMatchObject({ right: [{ data: { replyDueBy: '2026-03-07T10:30:00.000Z' } }] })
    expect(
      workingCalendarOf(profile('Asia/Urumqi'), '2026-03-06T10:30:00.000Z', policies().calendar),
    ).toMatchObject({
      utcOffsetMinutes: 360,
    })
    expect(
      ['UTC', 'America/St_Johns', 'Asia/Kathmandu'].map((zone) =>
        utcOffsetMinutesAt(zone, '2026-03-06T10:30:00Z'),
      ),
    ).toEqual([0, -210, 345])
    // The company's holidays stay; the community's are added.
    const company = { ...policies().calendar, holidays: ['2026-10-01'] }
    expect(
      workingCalendarOf(profile('Asia/Shanghai', ['2026-03-09']), '2026-03-06T10:30:00.000Z', company),
    ).toMatchObject({
      utcOffsetMinutes: 480,
      holidays: ['2026-10-01', '2026-03-09'],
    })
  })

  it('skips configured holidays', () => {
    const withHoliday = complaintDecider(
      policies({ calendar: { ...policies().calendar, holidays: ['2026-03-03'] } }),
    )
    const { outcome } = specification(withHoliday).given([]).when(file(), ownsUnit)
    expect(outcome).toMatchObject({ right: [{ data: { replyDueBy: '2026-03-04T01:00:00.000Z' } }] })
  })

  it('gives an emergency a dispatch deadline from the policies', () => {
    const emergency = file({ category: 'emergency', subject: 'lift-entrapment' })
    const { outcome } = spec.given([]).when(emergency, ownsUnit)
    expect(outcome).toMatchObject({ right: [{ data: { dispatchDueBy: later(30) } }] })
    const strict = specification(complaintDecider(policies({ emergencyDispatchMinutes: 10 })))
    expect(strict.given([]).when(emergency, ownsUnit).outcome).toMatchObject({
      right: [{ data: { dispatchDueBy: later(10) } }],
    })
  })

  it('refuses a subject from another category', () => {
    spec
      .given([])
      .when(file({ category: 'fees', subject: 'lift-stoppage' }), ownsUnit)
      .thenFails({ _tag: 'RuleViolated', rule: 'subject-in-category' })
  })

  it('lets an owner complain only about a unit they own, as themself', () => {
    spec.given([]).when(file({}, stranger), ownsUnit).thenFails('NotAllowed')
    spec
      .given([])
      .when(file({}, owner), { unitOwner: 'owner-2', unitCommunity: 'community-1' })
      .thenFails('NotAllowed')
    spec.given([]).when(file({}, owner), { unitCommunity: 'community-1' }).thenFails('NotAllowed')
  })

  it('lets staff record a complaint for an owner', () => {
    const { outcome } = spec.given([]).when(file({}, staff), { unitCommunity: 'community-1' })
    expect(outcome._tag).toBe('Right')
  })

  it('files a complaint once', () => {
    spec.given([filed]).when(file(), ownsUnit).thenFails('WrongState')
  })
})

type Handling = Exclude<ComplaintCommand, { type: 'FileComplaint' }>
const cmd = <T extends Handling['type']>(
  type: T,
  data: Omit<Extract<Handling, { type: T }>['data'], 'complaintId'>,
  actor = staff,
  at = later(500),
): Handling => ({ type, meta: meta(actor, at), data: { complaintId, ...data } }) as unknown as Handling

describe('the handling procedure', () => {
  it('is handled by staff only', () => {
    spec
      .given([filed])
      .when(cmd('AcknowledgeComplaint', { gesture: 'apology', note: 'n' }, owner))
      .thenFails('NotAllowed')
  })

  it('acknowledges before anything else', () => {
    spec
      .given([filed])
      .when(cmd('ProposeResolution', { proposal: 'p', partial: false }))
      .thenFails('WrongState')
    spec
      .given([filed])
      .when(cmd('AcknowledgeComplaint', { gesture: 'sympathy', note: 'heard you' }, staff, later(5)))
      .then([
        {
          type: 'ComplaintAcknowledged',
          data: { complaintId, gesture: 'sympathy', note: 'heard you', at: later(5) },
        },
      ])
  })

  it('proposes a resolution before dispatching, except in an emergency', () => {
    const dispatch = cmd('DispatchComplaint', { department: 'engineering', dueBy: later(900) })
    spec
      .given([filed, acknowledged])
      .when(dispatch)
      .thenFails({ _tag: 'RuleViolated', rule: 'proposal-first' })
    expect(spec.given([filed, acknowledged, proposed]).when(dispatch).outcome._tag).toBe('Right')
    const emergency: ComplaintEvent = {
      type: 'ComplaintFiled',
      data: { ...filed.data, category: 'emergency', subject: 'flooding', dispatchDueBy: later(30) },
    }
    expect(spec.given([emergency, acknowledged]).when(dispatch).outcome._tag).toBe('Right')
  })

  it('sets a department deadline in the future', () => {
    spec
      .given([filed, acknowledged, proposed])
      .when(cmd('DispatchComplaint', { department: 'engineering', dueBy: later(100) }))
      .thenFails({ rule: 'deadline-ahead' })
  })

  it('resolves only what was dispatched', () => {
    spec
      .given([filed, acknowledged, proposed])
      .when(cmd('ResolveComplaint', { cause: 'c' }))
      .thenFails('WrongState')
    expect(
      spec.given([filed, acknowledged, proposed, dispatched]).when(cmd('ResolveComplaint', { cause: 'c' }))
        .outcome._tag,
    ).toBe('Right')
  })

  it('resolves an emergency only once a resolution was proposed', () => {
    const emergency: ComplaintEvent = {
      type: 'ComplaintFiled',
      data: { ...filed.data, category: 'emergency', subject: 'flooding', dispatchDueBy: later(30) },
    }
    spec
      .given([emergency, acknowledged, dispatched])
      .when(cmd('ResolveComplaint', { cause: 'c' }))
      .thenFails({
        rule: 'proposal-first',
      })
  })

  it('rejects an unfounded complaint, which is still answered and closed after notice', () => {
    const reject = cmd('RejectComplaint', { reason: 'no fault found' })
    expect(spec.given([filed, acknowledged]).when(reject).outcome._tag).toBe('Right')
    spec
      .given([filed, acknowledged, rejected])
      .when(cmd('CloseComplaint', { rating: 3 }))
      .thenFails('WrongState')
    expect(
      spec
        .given([filed, acknowledged, rejected])
        .when(cmd('NotifyComplaintOutcome', { via: 'letter', summary: 'inspection report' })).outcome._tag,
    ).toBe('Right')
  })

  it('closes only after the owner was told the outcome', () => {
    const close = cmd('CloseComplaint', { rating: 5 }, owner)
    spec.given([filed, acknowledged, proposed, dispatched, resolved]).when(close).thenFails('WrongState')
    expect(
      spec.given([filed, acknowledged, proposed, dispatched, resolved, notified]).when(close).outcome._tag,
    ).toBe('Right')
  })

  it('takes the rating from the owner who complained, or staff recording it', () => {
    const history = [filed, acknowledged, proposed, dispatched, resolved, notified]
    spec
      .given(history)
      .when(cmd('CloseComplaint', { rating: 2 }, stranger))
      .thenFails('NotAllowed')
    expect(spec.given(history).when(cmd('CloseComplaint', { rating: 2 }, manager)).outcome._tag).toBe('Right')
  })

  it('reopens a handled complaint and starts the procedure again', () => {
    const history = [filed, acknowledged, proposed, dispatched, resolved, notified, closed]
    spec
      .given(history)
      .when(cmd('ReopenComplaint', { reason: 'lift stopped again' }, owner, later(800)))
      .then([
        { type: 'ComplaintReopened', data: { complaintId, reason: 'lift stopped again', at: later(800) } },
      ])
    const reopened: ComplaintEvent = {
      type: 'ComplaintReopened',
      data: { complaintId, reason: 'again', at: later(800) },
    }
    const state = [...history, reopened].reduce(decider.evolve, decider.initialState)
    expect(state).toMatchObject({ status: 'reopened', proposed: false, notified: false, reopenCount: 1 })
    spec
      .given([...history, reopened])
      .when(cmd('CloseComplaint', { rating: 5 }, staff, later(900)))
      .thenFails('WrongState')
  })

  it('does not reopen what is still being handled', () => {
    spec
      .given([filed, acknowledged])
      .when(cmd('ReopenComplaint', { reason: 'r' }))
      .thenFails('WrongState')
  })

  it('records when the owner was first answered', () => {
    const state = [filed, acknowledged, proposed].reduce(decider.evolve, decider.initialState)
    expect(state).toMatchObject({ repliedAt: later(20) })
  })
})
