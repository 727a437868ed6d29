import * as E from 'fp-ts/lib/Either.js'
import type { WorkingCalendar } from './calendar.js'
import { type DomainError, ruleViolated, wrongState } from './errors.js'
import { isoMillis } from './isoTime.js'

/**
 * Facts from outside the aggregate that a decision needs. The application looks them up before
 * deciding (the domain does no I/O), from the stream of the unit named by the command's `data.unitId`:
 * - `unitOwner`: the unit's current owner, or undefined when it has none;
 * - `unitCommunity`: the community the unit belongs to, or undefined when the unit is not registered;
 * - `communityRegistered`: whether the community named by the command's `data.communityId` is
 *   registered (false refuses what would be created in a community nobody registered; undefined when
 *   it was not looked up).
 */
export interface DecisionContext {
  readonly unitOwner?: string | undefined
  readonly unitCommunity?: string | undefined
  readonly communityRegistered?: boolean | undefined
  /**
   * The working calendar of the unit's community at the command's business time (its time zone,
   * weekend, holidays and make-up days), when it has one registered; the policies' calendar otherwise.
   */
  readonly communityCalendar?: WorkingCalendar | undefined
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

/** How one command is decided: the command, the state, the facts from elsewhere. */
export type CommandDecision<C, Ev, S> = (
  command: C,
  state: S,
  context?: DecisionContext,
) => E.Either<DomainError, readonly Ev[]>

/** One named function per command type: a type without one does not compile (the exhaustiveness check). */
export type DecisionsByCommand<C extends { readonly type: string }, Ev, S> = {
  readonly [T in C['type']]: CommandDecision<Extract<C, { readonly type: T }>, Ev, S>
}

/** A `decide` that hands each command to the function named after its type. */
export const decideByCommand =
  <C extends { readonly type: string }, Ev, S>(
    decisions: DecisionsByCommand<C, Ev, S>,
  ): CommandDecision<C, Ev, S> =>
  (command, state, context) =>
    (decisions[command.type as C['type']] as CommandDecision<C, Ev, S>)(command, state, context)

/** The state of an aggregate that exists: any but `none`. */
export type Existing<S> = Exclude<S, { readonly status: 'none' }>

/** A decision that is also handed the command's business time, `at`. */
export type TimedDecision<C, Ev, S> = (
  command: C,
  state: S,
  at: string,
  context?: DecisionContext,
) => E.Either<DomainError, readonly Ev[]>

/**
 * For a command about an aggregate that must exist: refused as `WrongState` (`none`, saying `missing`)
 * when it does not; otherwise decided on the existing state.
 */
export const onExisting =
  <C extends Timed, Ev, S extends { readonly status: string }>(
    missing: string | ((command: C) => string),
    decide: TimedDecision<C, Ev, Existing<S>>,
  ): CommandDecision<C, Ev, S> =>
  (command, state, context) =>
    state.status === 'none'
      ? E.left(wrongState(command.type, 'none', typeof missing === 'string' ? missing : missing(command)))
      : decide(command, state as Existing<S>, command.meta.occurredAt, context)

/** Rebuilds state by folding events over the decider's initial state. */
export const replay = <C, E, S>(decider: Decider<C, E, S>, events: Iterable<E>): S => {
  let state = decider.initialState
  for (const event of events) state = decider.evolve(state, event)
  return state
}

/** The time of the aggregate's last event, kept by {@link timeOrdered}. */
export interface TimeOrdered {
  readonly lastEventAt: string | null
}

interface Timed {
  readonly type: string
  readonly meta: { readonly occurredAt: string }
}

/**
 * Time moves forward in every aggregate: a command whose business time is earlier than the aggregate's
 * last event is refused (`RuleViolated`, rule `time-order`), so no history says a complaint was
 * acknowledged before it was filed. Every event of the domain records its business time as `data.at`.
 */
export const timeOrdered = <C extends Timed, Ev extends { readonly data: { readonly at: string } }, S>(
  decider: Decider<C, Ev, S>,
): Decider<C, Ev, S & TimeOrdered> => ({
  initialState: { ...decider.initialState, lastEventAt: null },
  decide: (command, state, context) =>
    state.lastEventAt !== null && isoMillis(command.meta.occurredAt) < isoMillis(state.lastEventAt)
      ? E.left(
          ruleViolated(
            command.type,
            'time-order',
            `business time ${command.meta.occurredAt} is before the last event, at ${state.lastEventAt}`,
          ),
        )
      : decider.decide(command, state, context),
  evolve: (state, event) => ({ ...decider.evolve(state, event), lastEventAt: event.data.at }),
})
