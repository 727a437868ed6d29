import type * as E from 'fp-ts/lib/Either.js'
import type { DomainError } from './errors.js'

/**
 * Facts from outside the aggregate that a decision needs. The application looks them up before
 * deciding (the domain does no I/O): `unitOwner` is the current owner of the unit named by the
 * command's `data.unitId`, read from that unit's stream, or undefined when it has none.
 */
export interface DecisionContext {
  readonly unitOwner?: string | undefined
}

/**
 * An aggregate's behaviour as three pure functions (the Emmett/Chassaing decider):
 * `decide` turns a command into events or a {@link DomainError}; `evolve` folds one event into state.
 */
export interface Decider<Command, Event, State> {
  readonly initialState: State
  readonly decide: (
    command: Command,
    state: State,
    context?: DecisionContext,
  ) => E.Either<DomainError, readonly Event[]>
  readonly evolve: (state: State, event: Event) => State
}

/** Rebuilds state by folding events over the decider's initial state. */
export const replay = <C, E, S>(decider: Decider<C, E, S>, events: Iterable<E>): S => {
  let state = decider.initialState
  for (const event of events) state = decider.evolve(state, event)
  return state
}
