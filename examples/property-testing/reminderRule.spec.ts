import { type ComplaintEvent, complaintDecider } from '@property-services/domain'
import { historyArbitrary, specification } from '@property-services/domain/testing'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { needsReminder } from './reminderRule.js'

describe('example: property-testing your own rule with the domain arbitraries', () => {
  const histories = historyArbitrary('complaint', { mode: 'valid', maxSteps: 20 })

  it('never asks for a reminder about a resolved or closed complaint', () => {
    fc.assert(
      fc.property(histories, fc.integer({ min: 0, max: 30 }), (history, days) => {
        const events = history.events as ComplaintEvent[]
        const last = events[events.length - 1]
        if (last === undefined) return
        const now = new Date(Date.parse(last.data.at) + days * 86_400_000).toISOString()
        const status = (history.finalState as { status: string }).status
        if (['resolved', 'notified', 'closed'].includes(status))
          expect(needsReminder(events, now)).toBe(false)
      }),
    )
  })

  it('asks for one 48 hours after a dispatch that was not resolved', () => {
    const spec = specification(complaintDecider())
    const filed: ComplaintEvent = {
      type: 'ComplaintFiled',
      data: {
        complaintId: 'k1',
        ownerId: 'o1',
        unitId: 'u1',
        communityId: 'community-1',
        category: 'emergency',
        subject: 'flooding',
        channel: 'phone',
        description: 'water',
        replyDueBy: null,
        dispatchDueBy: '2026-03-02T01:30:00.000Z',
        at: '2026-03-02T01:00:00.000Z',
      },
    }
    const acknowledged: ComplaintEvent = {
      type: 'ComplaintAcknowledged',
      data: { complaintId: 'k1', gesture: 'sympathy', note: 'on our way', at: '2026-03-02T01:05:00.000Z' },
    }
    const dispatch = spec.given([filed, acknowledged]).when({
      type: 'DispatchComplaint',
      meta: {
        commandId: 'c1',
        correlationId: 'c1',
        actor: { id: 'staff-1', role: 'staff' },
        occurredAt: '2026-03-02T01:10:00.000Z',
        recordedAt: '2026-03-02T01:10:00.000Z',
      },
      data: { complaintId: 'k1', department: 'security', dueBy: '2026-03-02T05:00:00.000Z' },
    })
    if (dispatch.outcome._tag === 'Left') throw new Error(dispatch.outcome.left.message)
    const history = [filed, acknowledged, ...dispatch.outcome.right]
    expect(needsReminder(history, '2026-03-04T01:09:00.000Z')).toBe(false)
    expect(needsReminder(history, '2026-03-04T01:11:00.000Z')).toBe(true)
  })
})
