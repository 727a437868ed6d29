/**
 * Given / when / then for deciders: given the events so far, when a command arrives, then these events
 * (or this error). Framework-free: a failed expectation throws an AssertionError with a diff.
 */
import { deepStrictEqual, fail } from 'node:assert/strict'
import type { Decider, DecisionContext, DomainError } from '@property-services/domain'
import * as E from 'fp-ts/lib/Either.js'

export interface Then<Ev> {
  /** Expects exactly these events. */
  readonly then: (expected: readonly Ev[]) => void
  /** Expects a refusal; `expected` is its tag or a part of the error to match. */
  readonly thenFails: (expected: DomainError['_tag'] | Partial<DomainError>) => DomainError
  /** The raw outcome, for custom assertions. */
  readonly outcome: E.Either<DomainError, readonly Ev[]>
}

export interface Given<C, Ev> {
  readonly when: (command: C, context?: DecisionContext) => Then<Ev>
}

/**
 * Builds a specification for a decider: `spec.given(events).when(command).then(events)`. `context` is
 * what `when` decides with when it is given none (the unit's community, for a fee account's commands).
 */
export const specification = <C, Ev, S>(
  decider: Decider<C, Ev, S>,
  defaults: { readonly context?: DecisionContext } = {},
) => ({
  given: (events: readonly Ev[]): Given<C, Ev> => ({
    when: (command, context = defaults.context) => {
      const state = events.reduce(decider.evolve, decider.initialState)
      const outcome = decider.decide(command, state, context)
      return {
        outcome,
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the vocabulary; nobody awaits a spec.
        then: (expected) => {
          if (E.isLeft(outcome)) fail(`expected events, got ${outcome.left._tag}: ${outcome.left.message}`)
          deepStrictEqual(outcome.right, expected)
        },
        thenFails: (expected) => {
          if (E.isRight(outcome)) fail(`expected a refusal, got events ${JSON.stringify(outcome.right)}`)
          const error = outcome.left
          if (typeof expected === 'string') deepStrictEqual(error._tag, expected, error.message)
          else
            for (const [key, value] of Object.entries(expected))
              deepStrictEqual(error[key as keyof DomainError], value)
          return error
        },
      }
    },
  }),
})
