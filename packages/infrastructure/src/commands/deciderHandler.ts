/**
 * Command handling for one decider, generic: it names no command or event of the domain. What a
 * decision needs from elsewhere and what must follow an append come in as hooks, registered by the
 * domain's wiring (`commandHandler` wires every aggregate of the domain and routes to them).
 */
import {
  Actor,
  type Aggregate,
  type Command,
  type DecisionContext,
  type DecodeError,
  type DecodeIssue,
  type DomainError,
  decodeError,
  decodeGuardFirst,
  decodeIssues,
  decodeRequest,
  defaultPolicies,
  type Event,
  inTimeRange,
  type Policies,
  personalDataFields,
  requestCodecs,
  toCommand,
} from '@property-services/domain'
import * as E from 'fp-ts/lib/Either.js'
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../eventStore/errors.js'
import type { EventStore, Position, StoredEvent } from '../eventStore/port.js'
import { storedHash } from '../integrity/hashChain.js'
import type { KeyStore } from '../keys/port.js'
import { assertMilliseconds, assertWholeNumber } from '../options.js'
import { serde as defaultSerde, type Serde } from '../serialization/serde.js'
import { unstorableIssues } from '../serialization/storable.js'
import { countCommand, countConflict, inSpan, inSyncSpan } from '../telemetry/telemetry.js'
import { backoffDelay, sleep as defaultSleep, type RetryPolicy } from './retry.js'

/** Every attempt met a newer stream than it had read: too much contention on one stream. */
export interface ConcurrencyConflict {
  readonly _tag: 'ConcurrencyConflict'
  readonly streamName: string
  readonly attempts: number
  readonly message: string
}

/** The command id was already used for another aggregate: command ids are unique across streams. */
export interface DuplicateCommandId {
  readonly _tag: 'DuplicateCommandId'
  readonly commandId: string
  /** The stream the id was first used on. */
  readonly existingStreamName: string
  readonly message: string
}

/**
 * The decision produced an event that could not be read back as it is (a computed deadline out of
 * range, an amount beyond the bounds): nothing was appended. A bug or a gap in a bound, never the
 * caller's fault alone; reported rather than stored, because a stored event is forever.
 */
export interface UnstorableEvent {
  readonly _tag: 'UnstorableEvent'
  readonly eventType: string
  readonly issues: readonly DecodeIssue[]
  readonly message: string
}

/** Why a command was not applied: bad input, a refusal of the domain, a reused id, or lasting contention. */
export type HandleError =
  | DecodeError
  | DomainError
  | DuplicateCommandId
  | UnstorableEvent
  | ConcurrencyConflict

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

/** Who is acting, as the embedding backend authenticated them. Never read from the request body. */
export interface Principal {
  readonly actor: Actor
}

export interface HandlerOptions {
  readonly store: EventStore
  /**
   * Owners' data keys: personal data is stored encrypted under them, and an erasure deletes the key
   * (crypto-shredding, on every store). Without it, personal data is stored in plain text and an
   * erasure rewrites it in place, which SQLite and the in-memory store allow and EventStoreDB refuses.
   */
  readonly keys?: KeyStore
  /** Chain each stream's events by hash (tamper evidence); default true. Off only to measure its cost. */
  readonly hashChain?: boolean
  readonly policies?: Policies
  readonly serde?: Serde
  readonly retry?: RetryPolicy
  /** The time of recording; default the system clock. Business time is checked against it. */
  readonly clock?: () => Date
  /** Jitter source, in [0, 1); default Math.random. */
  readonly random?: () => number
  readonly sleep?: (ms: number) => Promise<void>
  /**
   * How many streams' folded state the handler keeps (least recently used out); default 10,000 per
   * aggregate, 0 for none. A command on a cached stream is decided without reading it. Safe with other
   * writers: what they stored since shows as a refused append (the expected revision, the command's
   * event ids), after which the stream is read on from the cached revision; a refusal or a repeat is
   * answered again on a fresh read.
   */
  readonly stateCacheSize?: number
}

export interface CommandHandler {
  /**
   * Handles one request from `principal`: decodes it (exact and bounded), stamps it with the principal
   * and the clock, reads the stream, decides, checks that every new event reads back, and appends with
   * the revision read. Retries with backoff when another writer got there first. The same command id
   * twice appends once and answers the same events; the same id on another stream is refused.
   * Expected failures are a `Left`; only the store's own I/O failures throw.
   */
  readonly handle: (request: unknown, principal: Principal) => Promise<E.Either<HandleError, Handled>>
}

/** What the domain's wiring adds to handling one aggregate's commands. */
export interface DeciderHooks<C extends Command, S> {
  /** Facts from other streams the decision needs, looked up before deciding. */
  readonly contextFor?: (command: C) => Promise<DecisionContext>
  /** After the command's events are stored: appended now, or found stored for a repeated command id. */
  readonly afterAppend?: (events: readonly Event[]) => Promise<void>
  /** After a refusal, with the state the command was refused in. */
  readonly afterRefusal?: (command: C, state: S) => Promise<void>
  /** Whose personal data each new event holds (to seal it under their key), from the state before. */
  readonly personalDataOwners?: (state: S, events: readonly Event[]) => ReadonlyArray<string | undefined>
  /**
   * The community new events belong to, recorded in their metadata: from the state before, the events
   * and the context the decision was made in. Undefined for what belongs to no community.
   */
  readonly communityOf?: (state: S, events: readonly Event[], context: DecisionContext) => string | undefined
}

export interface DeciderCommandHandlerOptions<C extends Command, Ev extends Event, S> extends HandlerOptions {
  readonly aggregate: Aggregate<C, Ev, S>
  readonly hooks?: DeciderHooks<C, S>
}

export interface DeciderCommandHandler extends CommandHandler {
  /** Handles without a span of its own (for a router that made one). */
  readonly handleUntraced: (request: unknown, principal: Principal) => Promise<E.Either<HandleError, Handled>>
  /** Forgets every cached fold (after something rewrote stored events). */
  readonly forget: () => void
}

interface Loaded {
  readonly state: unknown
  /** Whether the store was read: false when the cached fold was trusted as it is. */
  readonly wasRead: boolean
  readonly revision: number
  /** The stored events the same command id already caused. */
  readonly earlier: readonly StoredEvent[]
  /** The hash chain so far: the last stored event's hash, null for a new stream (or one from before chains). */
  readonly lastHash: string | null
}

const noEvents: readonly StoredEvent[] = []

/** A stream folded up to a revision: its state, its hash chain, and the revisions each command id caused. */
interface Folded {
  state: unknown
  revision: number
  lastHash: string | null
  readonly commandIds: Map<string, number[]>
}

const decodePrincipal = (principal: unknown): E.Either<DecodeError, Actor> => {
  const actor = (principal as { actor?: unknown } | null | undefined)?.actor
  const decoded = decodeGuardFirst(Actor, actor)
  return E.isRight(decoded)
    ? decoded
    : E.left(
        decodeError(
          'principal',
          decodeIssues(decoded.left).map((i) => ({
            ...i,
            path: `actor.${i.path}`.replace(/\.\(root\)$/, ''),
          })),
        ),
      )
}

/**
 * Wraps handling in the `property_services.handle` span and counts its outcome. Only known command
 * types become attribute values: a hostile caller cannot grow the metrics' cardinality.
 */
export const traced =
  (handle: (input: unknown, principal: Principal) => Promise<E.Either<HandleError, Handled>>) =>
  (input: unknown, principal: Principal): Promise<E.Either<HandleError, Handled>> =>
    inSpan('property_services.handle', {}, async (span) => {
      const type = (input as { type?: unknown } | null)?.type
      const commandType = typeof type === 'string' && Object.hasOwn(requestCodecs, type) ? type : 'unknown'
      span.setAttribute('command.type', commandType)
      const result = await handle(input, principal)
      if (E.isLeft(result)) {
        span.setAttribute('command.outcome', 'refused')
        span.setAttribute('command.refusal', result.left._tag)
        countCommand(commandType, 'refused', result.left._tag)
      } else {
        const outcome = result.right.duplicate ? 'duplicate' : 'accepted'
        span.setAttribute('command.outcome', outcome)
        span.setAttribute('stream.name', result.right.streamName)
        countCommand(commandType, outcome)
      }
      return result
    })

/**
 * Handles the commands of one aggregate (like Emmett's `handleCommandWithDecider`): decodes the request
 * exactly, stamps it with the principal and the clock, folds the stream (from a bounded cache of folded
 * state, reading only what came after it), decides, checks every new event reads back, seals personal
 * data, and appends with the revision read, retrying when another writer got there first. The same
 * command id twice appends once. Expected failures are a `Left`; only the store's I/O failures throw.
 */
export const deciderCommandHandler = <C extends Command, Ev extends Event, S>(
  options: DeciderCommandHandlerOptions<C, Ev, S>,
): DeciderCommandHandler => {
  const { store, aggregate } = options
  const hooks: DeciderHooks<C, S> = options.hooks ?? {}
  const policies = options.policies ?? defaultPolicies
  const handles: ReadonlySet<string> = new Set(aggregate.commandTypes)
  const { keys } = options
  const codec = options.serde ?? defaultSerde({ ...(keys === undefined ? {} : { keys }) })
  assertWholeNumber('command handler', 'retry.maxAttempts', options.retry?.maxAttempts, 1)
  assertMilliseconds('command handler', 'retry.initialDelayMs', options.retry?.initialDelayMs, 0)
  assertMilliseconds('command handler', 'retry.maxDelayMs', options.retry?.maxDelayMs, 0)
  assertWholeNumber('command handler', 'stateCacheSize', options.stateCacheSize, 0)
  const maxAttempts = options.retry?.maxAttempts ?? 10
  const clock = options.clock ?? (() => new Date())
  const random = options.random ?? Math.random
  const sleep = options.sleep ?? defaultSleep

  const now = (): string => {
    const time = clock()
    if (!inTimeRange(time.getTime()))
      throw new RangeError(`the command handler's clock reads ${String(time)}, outside 2000-2199`)
    return time.toISOString()
  }

  // Folded streams, least recently used first (a Map keeps insertion order).
  const cacheSize = options.stateCacheSize ?? 10_000
  const folded = new Map<string, Folded>()
  const remember = (streamName: string, entry: Folded) => {
    if (cacheSize === 0) return
    folded.delete(streamName)
    folded.set(streamName, entry)
    if (folded.size > cacheSize) folded.delete(folded.keys().next().value as string)
  }

  /**
   * Folds the stream into state, from the cached fold on (reading only the events stored after it),
   * and finds what the same command id already caused. Unless `mustRead`, a cached fold is trusted
   * without reading at all: what another writer stored since shows up as a refused append (a newer
   * revision, or an event id already stored), and a refusal is decided again on a fresh read.
   */
  const load = async (streamName: string, commandId: string, mustRead: boolean): Promise<Loaded> => {
    const cached = folded.get(streamName)
    if (cached !== undefined && !mustRead) {
      remember(streamName, cached)
      return caused(streamName, cached, commandId, false)
    }
    const entry: Folded = cached ?? {
      state: aggregate.decider.initialState,
      revision: -1,
      lastHash: null,
      commandIds: new Map(),
    }
    const read = await store.readStream(streamName, { fromRevision: entry.revision + 1 })
    for (const stored of read.events) {
      // Another load of this stream may have folded these events while this one waited for the store.
      if (stored.revision <= entry.revision) continue
      if (stored.revision !== entry.revision + 1)
        throw new Error(`${streamName}: revision ${stored.revision} follows ${entry.revision}`)
      // Decisions never read personal data: it stays sealed here.
      const recorded = codec.decode(stored, { personalData: false })
      entry.state = aggregate.decider.evolve(entry.state as S, recorded.event as Ev)
      entry.revision = stored.revision
      entry.lastHash = storedHash(stored) ?? null
      const id = recorded.metadata.commandId
      const revisions = entry.commandIds.get(id)
      if (revisions === undefined) entry.commandIds.set(id, [stored.revision])
      else revisions.push(stored.revision)
    }
    remember(streamName, entry)
    return caused(streamName, entry, commandId, true)
  }

  /** The fold, with the stored events the same command id already caused. */
  const caused = async (
    streamName: string,
    entry: Folded,
    commandId: string,
    wasRead: boolean,
  ): Promise<Loaded> => {
    const causedBefore = entry.commandIds.get(commandId)
    const earlier =
      causedBefore === undefined
        ? noEvents
        : (
            await store.readStream(streamName, {
              fromRevision: causedBefore[0]!,
              toRevision: causedBefore[causedBefore.length - 1]!,
            })
          ).events.filter((stored) => causedBefore.includes(stored.revision))
    return { state: entry.state, revision: entry.revision, earlier, lastHash: entry.lastHash, wasRead }
  }

  const unstorable = (events: readonly Event[]): UnstorableEvent | undefined => {
    for (const event of events) {
      const issues = unstorableIssues(event)
      if (issues.length > 0)
        return {
          _tag: 'UnstorableEvent',
          eventType: event.type,
          issues,
          message: `${event.type} would not read back: ${issues
            .map((i) => `at ${i.path} expected ${i.expected}, got ${i.actual}`)
            .join('; ')}`,
        }
    }
    return undefined
  }

  const handleCommand = async (
    input: unknown,
    principal: Principal,
  ): Promise<E.Either<HandleError, Handled>> => {
    const actor = decodePrincipal(principal)
    if (E.isLeft(actor)) return actor
    const request = decodeRequest(input)
    if (E.isLeft(request)) return request
    if (!handles.has(request.right.type))
      return E.left(
        decodeError('command', [
          {
            path: 'type',
            expected: aggregate.commandTypes.join(' | '),
            actual: JSON.stringify(request.right.type),
          },
        ]),
      )
    const built = toCommand(request.right, actor.right, now(), policies)
    if (E.isLeft(built)) return built
    const command = built.right as C
    const streamName = `${aggregate.category}-${aggregate.idOf(command)}`
    const { commandId, correlationId, occurredAt, recordedAt } = command.meta
    let mustRead = false
    for (let attempt = 1; ; attempt++) {
      const { state, revision, earlier, lastHash, wasRead } = await inSpan(
        'property_services.read',
        { 'stream.name': streamName },
        () => load(streamName, commandId, mustRead),
      )
      if (earlier.length > 0) {
        // A repeat answers the stream's revision as stored now, which a cached fold may not know.
        if (!wasRead) {
          mustRead = true
          continue
        }
        const events = earlier.map((stored) => codec.decode(stored).event)
        // What follows an append runs again for a repeat: a crash may have interrupted it.
        await hooks.afterAppend?.(events)
        return E.right({ streamName, events, nextExpectedRevision: revision, duplicate: true })
      }
      const context = (await hooks.contextFor?.(command)) ?? {}
      const decision = inSyncSpan('property_services.decide', { 'command.type': command.type }, () =>
        aggregate.decider.decide(command, state as S, context),
      )
      if (E.isLeft(decision)) {
        // Refused on a cached fold: decided again on what the store holds now.
        if (!wasRead) {
          mustRead = true
          continue
        }
        await hooks.afterRefusal?.(command, state as S)
        return decision
      }
      const events = decision.right as readonly Event[]
      const refused = unstorable(events)
      if (refused !== undefined) return E.left(refused)
      // Whose personal data each event holds, worked out only when there are keys to seal it with; an
      // owner's key is made the first time it seals something.
      const owners =
        keys === undefined || hooks.personalDataOwners === undefined
          ? undefined
          : hooks.personalDataOwners(state as S, events)
      for (const [i, owner] of (owners ?? []).entries()) {
        const seals = owner !== undefined && personalDataFields[(events[i] as Event).type] !== undefined
        if (seals && keys?.keyOf(owner) === undefined) await keys?.keyFor(owner)
      }
      // The events record who acted, not the whole scope they acted under.
      const { id, role } = actor.right
      const community = hooks.communityOf?.(state as S, events, context)
      const causation =
        community === undefined
          ? { commandId, correlationId, actor: { id, role }, occurredAt, recordedAt }
          : { commandId, correlationId, actor: { id, role }, occurredAt, recordedAt, community }
      try {
        // (An absent field and an undefined one are the same to the serde: no sealing, no chaining.)
        const sealed = codec.toNewEvents(events, causation, {
          owners,
          previousHash: options.hashChain === false ? undefined : lastHash,
        })
        const result = await inSpan(
          'property_services.append',
          { 'stream.name': streamName, 'events.count': sealed.length },
          () =>
            store.appendToStream(streamName, sealed, {
              expectedRevision: revision === -1 ? 'no_stream' : revision,
            }),
        )
        // What was just stored folds into the cached state (read back as a load would read it, personal
        // data sealed), unless another load has gone further.
        const entry = folded.get(streamName)
        if (entry !== undefined && entry.revision === revision) {
          sealed.forEach((stored, i) => {
            const decided = events[i] as Event
            // Without sealed personal data, the event reads back as it is (checked before appending).
            const event =
              keys === undefined || personalDataFields[decided.type] === undefined
                ? decided
                : codec.decode(
                    { ...stored, streamName, revision: revision + 1 + i, position: result.position },
                    { personalData: false },
                  ).event
            entry.state = aggregate.decider.evolve(entry.state as S, event as Ev)
          })
          entry.revision = result.nextExpectedRevision
          entry.lastHash = storedHash(sealed[sealed.length - 1]!) ?? null
          entry.commandIds.set(
            commandId,
            events.map((_, i) => revision + 1 + i),
          )
        }
        await hooks.afterAppend?.(events)
        return E.right({
          streamName,
          events,
          nextExpectedRevision: result.nextExpectedRevision,
          position: result.position,
          duplicate: false,
        })
      } catch (error) {
        // Another writer stored this command on this stream since the cached fold: read, and answer it.
        if (error instanceof DuplicateEventIdError && !wasRead && error.existingStreamName === streamName) {
          mustRead = true
          continue
        }
        if (error instanceof DuplicateEventIdError)
          return E.left({
            _tag: 'DuplicateCommandId',
            commandId,
            existingStreamName: error.existingStreamName,
            message: `command id ${commandId} was already used on ${error.existingStreamName}`,
          })
        if (!(error instanceof WrongExpectedRevisionError)) throw error
        countConflict(streamName)
        mustRead = true
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

  return { handle: traced(handleCommand), handleUntraced: handleCommand, forget: () => folded.clear() }
}
