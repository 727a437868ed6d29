/**
 * Arbitraries of command sequences per aggregate, and the history they produce. Each step picks a
 * command that fits the aggregate's current state (mode `valid`) or any command of the aggregate by any
 * actor (mode `any`, for properties that must hold whatever is attempted); the decider then accepts or
 * refuses it. Time moves forward between steps. Everything derives from the random steps, so fast-check
 * can shrink a failing history.
 */
import {
  type AggregateName,
  type Aggregates,
  aggregates,
  type Command,
  type CommandType,
  type DecisionContext,
  type Event,
  type Policies,
} from '@property-services/domain'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { communityScript } from './communities.js'
import { complaintScript } from './complaints.js'
import { feeAccountScript, sharedCostScript } from './fees.js'
import { meetingScript } from './meetings.js'
import { ownerScript, unitScript } from './ownersAndUnits.js'
import { correctiveActionScript } from './quality.js'
import {
  type Attempt,
  castContext,
  type Env,
  type History,
  pickOf,
  plusMinutes,
  type Script,
  type Step,
  stepArbitrary,
} from './script.js'
import { serviceOrderScript, servicePackageScript, serviceScript } from './services.js'
import { courseScript, staffMemberScript } from './staffAndTraining.js'
import { staffSurveyScript, surveyScript } from './surveys.js'

export { type Attempt, cast, castContext, type History, type Step, stepArbitrary } from './script.js'

const scripts: { readonly [K in AggregateName]: Script<never> } = {
  community: communityScript,
  unit: unitScript,
  owner: ownerScript,
  service: serviceScript,
  servicePackage: servicePackageScript,
  serviceOrder: serviceOrderScript,
  complaint: complaintScript,
  feeAccount: feeAccountScript,
  sharedCost: sharedCostScript,
  survey: surveyScript,
  meeting: meetingScript,
  staffSurvey: staffSurveyScript,
  staffMember: staffMemberScript,
  course: courseScript,
  correctiveAction: correctiveActionScript,
} as unknown as { readonly [K in AggregateName]: Script<never> }

/** Every command type an aggregate handles, for mode `any`. */
const allTypes = (all: Aggregates, name: AggregateName): readonly CommandType[] => all[name].commandTypes

export interface HistoryOptions {
  /** `valid`: commands that fit the state; `any`: any command of the aggregate by any actor. */
  readonly mode?: 'valid' | 'any'
  readonly maxSteps?: number
  readonly policies?: Policies
}

/** Runs steps against an aggregate's decider, from a start time. Deterministic. */
export const runHistory = (
  name: AggregateName,
  start: string,
  steps: readonly Step[],
  options: HistoryOptions = {},
): History => {
  const all = aggregates(options.policies)
  const { decider } = all[name] as unknown as {
    decider: {
      initialState: unknown
      decide: (
        c: Command,
        s: unknown,
        ctx?: DecisionContext,
      ) => E.Either<{ _tag: string; message: string }, readonly Event[]>
      evolve: (s: unknown, e: Event) => unknown
    }
  }
  const script = scripts[name] as unknown as Script<unknown>
  const any = options.mode === 'any'
  let state = decider.initialState
  let at = start
  const attempts: Attempt[] = []
  const accepted: Command[] = []
  const events: Event[] = []
  steps.forEach((step, index) => {
    const proposed = plusMinutes(at, step.advanceMinutes)
    at = any || script.timeOf === undefined ? proposed : script.timeOf(state, at, proposed, step)
    const candidates = any ? allTypes(all, name) : script.next(state, at)
    if (candidates.length === 0) return
    const type = pickOf(candidates, step.pick >> 7)
    const env: Env = { step, at, index, any }
    const built = script.build(type, state, env)
    const command = {
      type: built.type,
      meta: {
        commandId: `cmd-${index}`,
        correlationId: `cmd-${index}`,
        actor: built.actor,
        occurredAt: at,
        recordedAt: at,
      },
      data: built.data,
    } as unknown as Command
    const outcome = decider.decide(command, state, castContext)
    if (E.isRight(outcome)) {
      for (const event of outcome.right) state = decider.evolve(state, event)
      accepted.push(command)
      events.push(...outcome.right)
    }
    attempts.push({ command, outcome, stateAfter: state })
  })
  return { aggregate: name, attempts, accepted, events, finalState: state }
}

const startArbitrary = fc
  .integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') })
  .map((ms) => new Date(ms).toISOString())

/** An arbitrary history of one aggregate: the commands tried, accepted, and the events produced. */
export const historyArbitrary = (name: AggregateName, options: HistoryOptions = {}): fc.Arbitrary<History> =>
  fc
    .tuple(startArbitrary, fc.array(stepArbitrary, { minLength: 1, maxLength: options.maxSteps ?? 30 }))
    .map(([start, steps]) => runHistory(name, start, steps, options))

/** An arbitrary sequence of commands a decider accepts, one after the other, for one aggregate. */
export const validCommandsArbitrary = (name: AggregateName, options: Omit<HistoryOptions, 'mode'> = {}) =>
  historyArbitrary(name, { ...options, mode: 'valid' }).map((history) => history.accepted)
