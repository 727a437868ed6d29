/**
 * What every aggregate's script shares: the random material of a step, the cast every generated
 * history is about, and the shape of a script (which commands fit a state, and how to build each).
 */
import type {
  Actor,
  AggregateName,
  Command,
  CommandType,
  DecisionContext,
  Event,
} from '@property-services/domain'
import * as fc from 'fast-check'
import type * as E from 'fp-ts/lib/Either.js'

/** The random material of one step. */
export interface Step {
  readonly pick: number
  readonly advanceMinutes: number
  readonly amount: number
  readonly flag: boolean
}

export const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  pick: fc.nat({ max: 1_000_000 }),
  // Short steps too, so that windows of minutes (a warning before a deadline) are hit as well as days.
  advanceMinutes: fc.oneof(fc.integer({ min: 1, max: 4 * 24 * 60 }), fc.integer({ min: 1, max: 90 })),
  amount: fc.integer({ min: 1, max: 200_000 }),
  flag: fc.boolean(),
})

/** The owner, unit and staff every generated history is about. */
export const cast = {
  owner: { id: 'owner-1', role: 'owner' } as Actor,
  otherOwner: { id: 'owner-2', role: 'owner' } as Actor,
  staff: { id: 'staff-1', role: 'staff' } as Actor,
  manager: { id: 'manager-1', role: 'manager' } as Actor,
  system: { id: 'system', role: 'system' } as Actor,
  /** A manager of community-1 only (a clerk at company level). */
  communityManager: { id: 'manager-2', role: 'staff', communities: { 'community-1': 'manager' } } as Actor,
  /** Staff of another community only: refused everything about community-1. */
  outsider: { id: 'staff-2', role: 'manager', communities: { 'community-2': 'staff' } } as Actor,
  unitId: 'unit-1',
  communityId: 'community-1',
} as const

/** The context the application would look up: unit-1 belongs to owner-1, in community-1. */
export const castContext: DecisionContext = { unitOwner: cast.owner.id, unitCommunity: cast.communityId }

/** One attempted command, what it was decided into, and the state after it. */
export interface Attempt<S = unknown> {
  readonly command: Command
  readonly outcome: E.Either<{ readonly _tag: string; readonly message: string }, readonly Event[]>
  readonly stateAfter: S
}

export interface History<S = unknown> {
  readonly aggregate: AggregateName
  readonly attempts: readonly Attempt<S>[]
  /** The commands the decider accepted, in order. */
  readonly accepted: readonly Command[]
  /** Every event produced, in order. */
  readonly events: readonly Event[]
  readonly finalState: S
}

export interface Env {
  readonly step: Step
  readonly at: string
  readonly index: number
  readonly any: boolean
}

export type Data<T extends CommandType> = Extract<Command, { type: T }>['data']
export type Built = { readonly type: CommandType; readonly data: unknown; readonly actor: Actor }

export const pickOf = <A>(items: readonly A[], n: number): A => items[n % items.length] as A
export const anyActor = (env: Env): Actor =>
  pickOf(
    [
      cast.owner,
      cast.otherOwner,
      cast.staff,
      cast.manager,
      cast.system,
      cast.communityManager,
      cast.outsider,
    ],
    env.step.pick >> 3,
  )
export const actorFor = (env: Env, valid: Actor): Actor => (env.any ? anyActor(env) : valid)
export const plusMinutes = (iso: string, minutes: number) =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString()
export const text = (what: string, env: Env) => `${what} ${env.index}`
export const build = <T extends CommandType>(type: T, data: Data<T>, actor: Actor): Built => ({
  type,
  data,
  actor,
})

/** For one aggregate: which commands fit a state, and how to build each from a step. */
export interface Script<S> {
  /** The commands that fit the state at the step's time. */
  readonly next: (state: S, at: string) => readonly CommandType[]
  /**
   * Where a step may take time instead of `proposed` (later than `previous`): into a window of minutes
   * that steps of random length would rarely hit.
   */
  readonly timeOf?: (state: S, previous: string, proposed: string, step: Step) => string
  readonly build: (type: CommandType, state: S, env: Env) => Built
}
