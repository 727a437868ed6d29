/** Corrective actions: completed, reviewed for effectiveness only when due, reopened by a new complaint once. */
import { type CorrectiveActionEvent, correctiveActionDecider } from '@property-services/domain'
import { cast, specification } from '@property-services/domain/testing'
import { describe, it } from 'vitest'
import { manager, meta, staff } from './support.js'

const spec = specification(correctiveActionDecider)
const t0 = '2026-03-02T01:00:00.000Z'
const days = (n: number) => new Date(Date.parse(t0) + n * 86_400_000).toISOString()
const opened: CorrectiveActionEvent = {
  type: 'CorrectiveActionOpened',
  data: {
    actionId: 'a1',
    complaintId: 'k1',
    unitId: 'u1',
    communityId: 'community-1',
    category: 'facilities',
    subject: 'lift-stoppage',
    rootCause: 'worn door sensor',
    action: 'replace sensors in all lifts',
    department: 'engineering',
    dueBy: days(14),
    reviewAfterDays: 30,
    at: t0,
  },
}
const completed: CorrectiveActionEvent = {
  type: 'CorrectiveActionCompleted',
  data: { actionId: 'a1', outcome: 'replaced', reviewDueAt: days(40), at: days(10) },
}

describe('a corrective action', () => {
  it('sets its review date on completion', () => {
    spec
      .given([opened])
      .when({
        type: 'CompleteCorrectiveAction',
        meta: meta(staff, days(10)),
        data: { actionId: 'a1', outcome: 'replaced' },
      })
      .then([completed])
  })

  it('is reviewed by a manager, not before the review date', () => {
    const review = (at: string, actor = manager) => ({
      type: 'ReviewCorrectiveAction' as const,
      meta: meta(actor, at),
      data: { actionId: 'a1', effective: false, note: 'stopped again' },
    })
    spec
      .given([opened, completed])
      .when(review(days(39)))
      .thenFails({ rule: 'review-due' })
    spec
      .given([opened, completed])
      .when(review(days(40), staff))
      .thenFails('NotAllowed')
    spec
      .given([opened, completed])
      .when(review(days(40)))
      .then([
        {
          type: 'CorrectiveActionReviewed',
          data: { actionId: 'a1', effective: false, note: 'stopped again', at: days(40) },
        },
      ])
  })

  it('is reopened by a new complaint once, and not while open', () => {
    const reopen = (complaintId: string, at = days(20)) => ({
      type: 'ReopenCorrectiveAction' as const,
      meta: meta(cast.system, at),
      data: { actionId: 'a1', complaintId, reason: 'repeat complaint', dueBy: days(40) },
    })
    spec.given([opened]).when(reopen('k2')).thenFails('WrongState')
    spec.given([opened, completed]).when(reopen('k1')).thenFails({ rule: 'new-complaint' })
    const reopened: CorrectiveActionEvent = {
      type: 'CorrectiveActionReopened',
      data: { actionId: 'a1', complaintId: 'k2', reason: 'repeat complaint', dueBy: days(40), at: days(20) },
    }
    spec.given([opened, completed]).when(reopen('k2')).then([reopened])
    const again: CorrectiveActionEvent = {
      type: 'CorrectiveActionCompleted',
      data: { actionId: 'a1', outcome: 'rewired', reviewDueAt: days(55), at: days(25) },
    }
    spec
      .given([opened, completed, reopened, again])
      .when(reopen('k2', days(26)))
      .thenFails({ rule: 'new-complaint' })
  })
})
