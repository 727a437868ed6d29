import { type AggregateName, aggregates, decodeEvent, replay } from '@property-services/domain'
import { historyArbitrary } from '@property-services/domain/testing'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

const names = Object.keys(aggregates()) as AggregateName[]

describe.each(names)('%s histories', (name) => {
  const { decider } = aggregates()[name] as unknown as { decider: Parameters<typeof replay>[0] }

  it('accept every command the valid-sequence arbitrary generates', () => {
    fc.assert(
      fc.property(historyArbitrary(name, { mode: 'valid' }), (history) => {
        const refused = history.attempts.filter((a) => a.outcome._tag === 'Left')
        expect(refused.map((a) => (a.outcome as E.Left<{ message: string }>).left.message)).toEqual([])
      }),
      { numRuns: 100 },
    )
  })

  it('rebuild, from the stored events alone, the state the decider decided from', () => {
    fc.assert(
      fc.property(
        historyArbitrary(name, { mode: 'any' }),
        historyArbitrary(name, { mode: 'valid' }),
        (...histories) => {
          for (const history of histories) {
            const stored = JSON.parse(JSON.stringify(history.events)) as unknown[]
            const decoded = stored.map(decodeEvent)
            expect(decoded.every(E.isRight)).toBe(true)
            const events = decoded.map((d) => (d as E.Right<never>).right)
            expect(replay(decider, events)).toEqual(history.finalState)
          }
        },
      ),
      { numRuns: 100 },
    )
  })
})
