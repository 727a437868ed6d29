/** The procedure audit judges deadlines that are escalated when missed, and whether they were. */
import type { ComplaintEvent } from '@property-services/domain'
import { deviationsOf } from '@property-services/infrastructure'
import { describe, expect, it } from 'vitest'

const complaintId = 'k1'
const at = (hours: number) =>
  new Date(Date.parse('2026-03-02T01:00:00.000Z') + hours * 3_600_000).toISOString()
const filed = (category: 'emergency' | 'facilities'): ComplaintEvent => ({
  type: 'ComplaintFiled',
  data: {
    complaintId,
    ownerId: 'o1',
    unitId: 'u1',
    communityId: 'community-1',
    category,
    subject: category === 'emergency' ? 'flooding' : 'lift-stoppage',
    channel: 'letter',
    description: 'x',
    replyDueBy: null,
    dispatchDueBy: category === 'emergency' ? at(0.5) : null,
    at: at(0),
  },
})
const acknowledged: ComplaintEvent = {
  type: 'ComplaintAcknowledged',
  data: { complaintId, gesture: 'apology', note: 'heard', at: at(0.1) },
}
const proposed: ComplaintEvent = {
  type: 'ResolutionProposed',
  data: { complaintId, proposal: 'fitter', partial: false, at: at(0.2) },
}
const dispatched: ComplaintEvent = {
  type: 'ComplaintDispatched',
  data: { complaintId, department: 'engineering', dueBy: at(10), at: at(0.3) },
}
const resolvedAt = (hours: number): ComplaintEvent => ({
  type: 'ComplaintResolved',
  data: { complaintId, cause: 'seal', at: at(hours) },
})
const escalated = (deadline: 'dispatch' | 'department', dueBy: string): ComplaintEvent => ({
  type: 'ComplaintEscalated',
  data: {
    complaintId,
    deadline,
    dueBy,
    department: deadline === 'dispatch' ? null : 'engineering',
    at: dueBy,
  },
})
const steps = (events: ComplaintEvent[], asOf = at(100)) =>
  deviationsOf(complaintId, events, asOf).map((d) => d.step)

describe('the audit of deadlines that escalate', () => {
  it('finds a department late, and whether the manager was told', () => {
    const late = [filed('facilities'), acknowledged, proposed, dispatched, resolvedAt(12)]
    expect(steps(late)).toEqual(['resolved by the department deadline', 'escalated'])
    expect(steps([...late.slice(0, 4), escalated('department', at(10)), resolvedAt(12)])).toEqual([
      'resolved by the department deadline',
    ])
    expect(steps([filed('facilities'), acknowledged, proposed, dispatched, resolvedAt(9)])).toEqual([])
  })

  it('judges an unresolved dispatch as of the moment asked about', () => {
    const open = [filed('facilities'), acknowledged, proposed, dispatched]
    expect(steps(open, at(9))).toEqual([])
    expect(steps(open, at(11))).toEqual(['resolved by the department deadline', 'escalated'])
  })

  it('finds an emergency never dispatched in time', () => {
    expect(steps([filed('emergency'), acknowledged], at(1))).toEqual(['dispatched in time', 'escalated'])
    expect(steps([filed('emergency'), acknowledged, escalated('dispatch', at(0.5))], at(1))).toEqual([
      'dispatched in time',
    ])
    expect(steps([filed('emergency'), acknowledged, dispatched], at(1))).toEqual([])
  })
})
