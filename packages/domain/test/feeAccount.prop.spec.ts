import { arrearsOf, balanceOf, type FeeAccountState } from '@property-services/domain'
import { historyArbitrary } from '@property-services/domain/testing'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'

describe('fee account properties', () => {
  it('keeps the balance equal to charges + adjustments - payments - waivers after every event', () => {
    fc.assert(
      fc.property(historyArbitrary('feeAccount', { mode: 'valid', maxSteps: 40 }), (history) => {
        let expected = 0
        const accepted = history.attempts.filter((a) => a.outcome._tag === 'Right')
        for (const attempt of accepted) {
          for (const event of attempt.outcome._tag === 'Right' ? attempt.outcome.right : []) {
            if (event.type === 'BillIssued') expected += event.data.totalFen
            if (event.type === 'BillAdjusted') expected += event.data.amountFen
            if (event.type === 'PaymentRecorded') expected -= event.data.amountFen
            if (event.type === 'ChargeWaived') expected -= event.data.amountFen
          }
          expect(balanceOf(attempt.stateAfter as FeeAccountState)).toBe(expected)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('never owes a negative amount on a bill, and holds credit only when every bill is settled', () => {
    fc.assert(
      fc.property(historyArbitrary('feeAccount', { mode: 'any', maxSteps: 40 }), (history) => {
        for (const attempt of history.attempts) {
          const state = attempt.stateAfter as FeeAccountState
          expect(state.bills.every((b) => b.outstandingFen >= 0)).toBe(true)
          expect(state.creditFen).toBeGreaterThanOrEqual(0)
          if (state.creditFen > 0) expect(state.bills.every((b) => b.outstandingFen === 0)).toBe(true)
          const arrears = arrearsOf(state, '2099-01-01')
          expect(arrears.reduce((s, a) => s + a.outstandingFen, 0)).toBe(
            Math.max(0, balanceOf(state) + state.creditFen),
          )
        }
      }),
      { numRuns: 200 },
    )
  })
})
