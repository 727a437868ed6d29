/**
 * Time moves forward in every aggregate: once an aggregate has events, a command whose business time
 * is earlier than its last event is refused with rule `time-order`, whatever the command and actor; at
 * or after the last event, the rule never refuses.
 */
import { type AggregateName, aggregates, type Command } from '@property-services/domain'
import { castContext, historyArbitrary } from '@property-services/domain/testing'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

const all = aggregates()
const at = (command: Command, occurredAt: string): Command =>
  ({ ...command, meta: { ...command.meta, occurredAt, recordedAt: occurredAt } }) as Command

describe.each(Object.keys(all) as AggregateName[])('%s', (name) => {
  const decider = all[name].decider as unknown as {
    decide: (
      c: Command,
      s: unknown,
      ctx: unknown,
    ) => E.Either<{ _tag: string; rule?: string }, readonly unknown[]>
  }

  it('refuses a command dated before the last event, and only then', () => {
    fc.assert(
      fc.property(
        historyArbitrary(name, { mode: 'any', maxSteps: 20 }),
        fc.integer({ min: 1, max: 10 * 365 * 24 * 60 }),
        (history, minutesEarlier) => {
          const last = history.events.at(-1)?.data.at
          fc.pre(last !== undefined)
          const lastMs = Date.parse(last as string)
          for (const attempt of history.attempts) {
            const early = decider.decide(
              at(attempt.command, new Date(lastMs - minutesEarlier * 60_000).toISOString()),
              history.finalState,
              castContext,
            )
            expect(E.isLeft(early) && early.left).toMatchObject({ _tag: 'RuleViolated', rule: 'time-order' })
            const onTime = decider.decide(
              at(attempt.command, last as string),
              history.finalState,
              castContext,
            )
            expect(E.isLeft(onTime) && onTime.left.rule === 'time-order').toBe(false)
          }
        },
      ),
      { numRuns: 80 },
    )
  })
})
