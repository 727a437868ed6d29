import {
  type Aggregate,
  type AggregateName,
  aggregateFor,
  aggregates,
  type Command,
  type DecisionContext,
  type DecodeError,
  type DomainError,
  decodeCommand,
  defaultPolicies,
  type Event,
  type Policies,
  replay,
  streamOf,
  unitDecider,
  unitNamedBy,
} from '@property-services/domain'
import * as E from 'fp-ts/lib/Either.js'
import { WrongExpectedRevisionError } from '../eventStore/errors.js'
import type { EventStore, Position } from '../eventStore/port.js'
import { eraseStoredPersonalData } from '../serialization/personalData.js'
import { serde as defaultSerde, type RecordedEvent, type Serde } from '../serialization/serde.js'
import { backoffDelay, sleep as defaultSleep, type RetryPolicy } from './retry.js'

/** Every attempt met a newer stream than it had read: too much contention on one stream. */
export interface ConcurrencyConflict {
  readonly _tag: 'ConcurrencyConflict'
  readonly streamName: string
  readonly attempts: number
  readonly message: string
}

/** Why a command was not applied: bad input, a refusal of the domain, or lasting contention. */
export type HandleError = DecodeError | DomainError | ConcurrencyConflict

export interface Handled {
  readonly streamName: string
  /** The events the command caused: appended now, or found already stored for a repeated command. */
  readonly events: readonly Event[]
  /** The stream's last revision after the command. */
  readonly nextExpectedRevision: number
  /** The global position of the last event appended (absent for a repeat). */
  readonly position?: Position
  /** True when the command id had been handled before: nothing was appended this time. */
  readonly duplicate: boolean
}

export interface CommandHandlerOptions {
  readonly store: EventStore
  readonly policies?: Policies
  readonly serde?: Serde
  readonly retry?: RetryPolicy
  /** Jitter source, in [0, 1); default Math.random. */
  readonly random?: () => number
  readonly sleep?: (ms: number) => Promise<void>
}

export interface CommandHandler {
  /**
   * Decodes the input, reads the stream, decides, and appends with the revision read. Retries with
   * backoff when another writer got there first. The same command id twice appends once and answers
   * the same events.
   */
  readonly handle: (input: unknown) => Promise<E.Either<HandleError, Handled>>
}

interface Loaded {
  readonly state: unknown
  readonly revision: number
  readonly earlier: readonly RecordedEvent[]
}

export const commandHandler = (options: CommandHandlerOptions): CommandHandler => {
  const { store } = options
  const all = aggregates(options.policies ?? defaultPolicies)
  const codec = options.serde ?? defaultSerde()
  const maxAttempts = options.retry?.maxAttempts ?? 10
  const random = options.random ?? Math.random
  const sleep = options.sleep ?? defaultSleep

  /** Folds the stream into state and collects what the same command id already caused. */
  const load = async (streamName: string, aggregate: Aggregate, commandId: string): Promise<Loaded> => {
    const read = await store.readStream(streamName)
    let state = aggregate.decider.initialState
    const earlier: RecordedEvent[] = []
    for (const stored of read.events) {
      const recorded = codec.decode(stored)
      state = aggregate.decider.evolve(state, recorded.event as never)
      if (recorded.metadata.commandId === commandId) earlier.push(recorded)
    }
    return { state, revision: read.events.length - 1, earlier }
  }

  /**
   * Facts from other streams the decision needs: who owns the unit the command names. Only an owner's
   * command depends on it (staff act for any owner), so only then is the unit's stream read.
   */
  const contextFor = async (command: Command): Promise<DecisionContext> => {
    const unitId = unitNamedBy(command)
    if (unitId === undefined || command.meta.actor.role !== 'owner') return {}
    const read = await store.readStream(`${all.unit.category}-${unitId}`)
    const unit = replay(unitDecider, read.events.map((stored) => codec.decode(stored).event) as never)
    return { unitOwner: unit.status === 'registered' ? (unit.ownerId ?? undefined) : undefined }
  }

  const handle = async (input: unknown): Promise<E.Either<HandleError, Handled>> => {
    const decoded = decodeCommand(input)
    if (E.isLeft(decoded)) return decoded
    const command = decoded.right
    const aggregate = aggregateFor(all, command.type)
    const streamName = streamOf(all, command)
    const { commandId, correlationId, actor, issuedAt } = command.meta
    for (let attempt = 1; ; attempt++) {
      const { state, revision, earlier } = await load(streamName, aggregate, commandId)
      if (earlier.length > 0) {
        return E.right({
          streamName,
          events: earlier.map((r) => r.event),
          nextExpectedRevision: revision,
          duplicate: true,
        })
      }
      const decision = aggregate.decider.decide(command as never, state, await contextFor(command))
      if (E.isLeft(decision)) return decision
      const events = decision.right as readonly Event[]
      const causation = { commandId, correlationId: correlationId ?? commandId, actor, occurredAt: issuedAt }
      try {
        const result = await store.appendToStream(streamName, codec.toNewEvents(events, causation), {
          expectedRevision: revision === -1 ? 'no_stream' : revision,
        })
        if (events.some((event) => event.type === 'OwnerPersonalDataErased')) {
          await eraseStoredPersonalData(store, aggregate.idOf(command as never))
        }
        return E.right({
          streamName,
          events,
          nextExpectedRevision: result.nextExpectedRevision,
          position: result.position,
          duplicate: false,
        })
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error
        if (attempt >= maxAttempts) {
          return E.left({
            _tag: 'ConcurrencyConflict',
            streamName,
            attempts: attempt,
            message: `gave up on ${streamName} after ${attempt} attempts: it kept changing`,
          })
        }
        await sleep(backoffDelay(options.retry ?? {}, attempt, random))
      }
    }
  }

  return { handle }
}

/** The aggregate a stream belongs to, from its category (the part before the first `-`). */
export const aggregateOfStream = (
  all: ReturnType<typeof aggregates>,
  streamName: string,
): { readonly name: AggregateName; readonly aggregate: Aggregate } | undefined => {
  const category = streamName.slice(0, streamName.indexOf('-'))
  const entry = Object.entries(all).find(([, a]) => a.category === category)
  return entry === undefined
    ? undefined
    : { name: entry[0] as AggregateName, aggregate: entry[1] as unknown as Aggregate }
}
