import { addWorkingDays, defaultPolicies, isWorkingDay, localDate } from '@property-services/domain'
import { historyArbitrary } from '@property-services/domain/testing'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'

describe('complaint properties', () => {
  it('never closes a complaint whose owner was not told the outcome, whatever is attempted', () => {
    fc.assert(
      fc.property(historyArbitrary('complaint', { mode: 'any', maxSteps: 60 }), (history) => {
        let toldSinceOpened = false
        for (const event of history.events) {
          if (event.type === 'ComplaintFiled' || event.type === 'ComplaintReopened') toldSinceOpened = false
          if (event.type === 'ComplaintOutcomeNotified') toldSinceOpened = true
          if (event.type === 'ComplaintClosed') expect(toldSinceOpened).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('never closes without the procedure: acknowledged, and resolved after dispatch or rejected', () => {
    fc.assert(
      fc.property(historyArbitrary('complaint', { mode: 'valid', maxSteps: 40 }), (history) => {
        let steps: string[] = []
        for (const event of history.events) {
          if (event.type === 'ComplaintReopened') steps = []
          steps.push(event.type)
          if (event.type === 'ComplaintClosed') {
            expect(steps).toContain('ComplaintAcknowledged')
            const handled =
              steps.includes('ComplaintRejected') ||
              (steps.includes('ComplaintDispatched') &&
                steps.includes('ResolutionProposed') &&
                steps.indexOf('ComplaintDispatched') < steps.indexOf('ComplaintResolved'))
            expect(handled).toBe(true)
          }
        }
      }),
      { numRuns: 200 },
    )
  })

  it('gives every verbal complaint a reply deadline on a working day, at most one working day on', () => {
    fc.assert(
      fc.property(historyArbitrary('complaint', { mode: 'valid', maxSteps: 1 }), (history) => {
        const filed = history.events.find((e) => e.type === 'ComplaintFiled')
        if (filed?.type !== 'ComplaintFiled') return
        const { channel, replyDueBy, at } = filed.data
        const verbal = channel === 'phone' || channel === 'visit'
        expect(replyDueBy !== null).toBe(verbal)
        if (replyDueBy === null) return
        const { calendar } = defaultPolicies
        expect(replyDueBy).toBe(addWorkingDays(at, 1, calendar))
        expect(isWorkingDay(localDate(replyDueBy, calendar), calendar)).toBe(true)
        expect(Date.parse(replyDueBy)).toBeGreaterThan(Date.parse(at))
        expect(Date.parse(replyDueBy) - Date.parse(at)).toBeLessThanOrEqual(4 * 86_400_000)
      }),
      { numRuns: 300 },
    )
  })
})
