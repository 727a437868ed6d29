/**
 * The command handler of the whole domain: one `deciderCommandHandler` per aggregate, routed by the
 * request's type, with the domain's wiring as hooks: who owns the unit a command names (an owner acts
 * only for their own units), whose personal data a new event holds, and the erasure that must follow
 * an `EraseOwnerPersonalData`, also when a crash interrupted it.
 */
import {
  type Aggregate,
  type AggregateName,
  aggregates,
  type Command,
  communityDecider,
  DEFAULT_COMMUNITY,
  type DecisionContext,
  defaultPolicies,
  type Event,
  personalDataOwner,
  replay,
  unitDecider,
  unitNamedBy,
  workingCalendarOf,
} from '@property-services/domain'
import { serde as defaultSerde } from '../serialization/serde.js'
import {
  type CommandHandler,
  type DeciderCommandHandler,
  type DeciderHooks,
  deciderCommandHandler,
  type HandlerOptions,
  traced,
} from './deciderHandler.js'
import { completeErasure, erasuresIn } from './erasure.js'

export * from './deciderHandler.js'

/** Options of the whole-domain handler: those of each aggregate's handler, under one set of policies. */
export type CommandHandlerOptions = HandlerOptions

/** How many units' communities the handler keeps. */
const unitCommunityCacheSize = 100_000

export const commandHandler = (options: CommandHandlerOptions): CommandHandler => {
  const { store, keys } = options
  const all = aggregates(options.policies ?? defaultPolicies)
  const codec = options.serde ?? defaultSerde({ ...(keys === undefined ? {} : { keys }) })
  const handlers: DeciderCommandHandler[] = []

  // A unit never changes community, so what was read once is kept (the most recently used, bounded).
  const unitCommunities = new Map<string, string>()
  const rememberCommunity = (unitId: string, communityId: string) => {
    unitCommunities.delete(unitId)
    unitCommunities.set(unitId, communityId)
    if (unitCommunities.size > unitCommunityCacheSize)
      unitCommunities.delete(unitCommunities.keys().next().value as string)
  }

  // A community once registered stays registered: what was found once is kept.
  const registeredCommunities = new Set<string>()
  /** Whether the community a command creates something in was registered (read once, then kept). */
  const communityRegistered = async (communityId: string): Promise<boolean> => {
    if (communityId === DEFAULT_COMMUNITY || registeredCommunities.has(communityId)) return true
    const read = await store.readStream(`${all.community.category}-${communityId}`, { toRevision: 0 })
    if (read.events.length === 0) return false
    if (registeredCommunities.size < unitCommunityCacheSize) registeredCommunities.add(communityId)
    return true
  }

  /**
   * The community of the unit the command names (who may act on it depends on it) and, for an owner's
   * command, who owns the unit (an owner acts only for their own units); or, for a command that creates
   * something in a community it names, whether that community was registered. The unit's stream is
   * read when its community is not known yet, and for every owner's command.
   */
  const contextFor = async (command: Command): Promise<DecisionContext> => {
    const named = (command.data as { communityId?: string }).communityId
    if (named !== undefined && !all.community.commandTypes.includes(command.type as never))
      return { communityRegistered: await communityRegistered(named) }
    const unit = await unitContext(command)
    // A new complaint's reply deadline counts the working days of its community's calendar.
    if (command.type !== 'FileComplaint' || unit.unitCommunity === undefined) return unit
    const calendar = await calendarOf(unit.unitCommunity, command.meta.occurredAt)
    return calendar === undefined ? unit : { ...unit, communityCalendar: calendar }
  }

  const unitContext = async (command: Command): Promise<DecisionContext> => {
    const unitId = unitNamedBy(command)
    if (unitId === undefined) return {}
    const known = unitCommunities.get(unitId)
    if (known !== undefined && command.meta.actor.role !== 'owner') return { unitCommunity: known }
    const read = await store.readStream(`${all.unit.category}-${unitId}`)
    const unit = replay(
      unitDecider,
      read.events.map((stored) => codec.decode(stored, { personalData: false }).event) as never,
    )
    if (unit.status !== 'registered') return {}
    rememberCommunity(unitId, unit.communityId)
    return { unitOwner: unit.ownerId ?? undefined, unitCommunity: unit.communityId }
  }

  /** The working calendar of a registered community at a moment (read each time: a profile may change). */
  const calendarOf = async (communityId: string, at: string) => {
    if (communityId === DEFAULT_COMMUNITY) return undefined
    const read = await store.readStream(`${all.community.category}-${communityId}`)
    const community = replay(
      communityDecider,
      read.events.map((stored) => codec.decode(stored, { personalData: false }).event) as never,
    )
    return community.status === 'registered'
      ? workingCalendarOf(community.profile, at, (options.policies ?? defaultPolicies).calendar)
      : undefined
  }

  /** An erasure rewrites stored events of other streams: every cached fold is dropped, then it completes. */
  const afterAppend = async (events: readonly Event[]) => {
    const erased = erasuresIn(events)
    if (erased.length === 0) return
    for (const handler of handlers) handler.forget()
    for (const ownerId of erased) await completeErasure(ownerId, { store, keys })
  }

  const hooksFor = (aggregate: Aggregate): DeciderHooks<Command, unknown> => ({
    contextFor,
    afterAppend,
    // A repeat of the erasure, refused as already done, completes an erasure a crash interrupted.
    afterRefusal: async (command, state) => {
      if (command.type === 'EraseOwnerPersonalData' && (state as { status?: string }).status === 'erased')
        await completeErasure(command.data.ownerId, { store, keys })
    },
    // The community the first event names (every event that starts something of a community does),
    // else the aggregate's, else the unit's.
    communityOf: (state, events, context) =>
      (events[0]?.data as { communityId?: string } | undefined)?.communityId ??
      (state as { communityId?: string }).communityId ??
      context.unitCommunity,
    // The owner of the aggregate after each event holds its personal data.
    personalDataOwners: (state, events) => {
      let current = state
      return events.map((event) => {
        current = aggregate.decider.evolve(current, event as never)
        return personalDataOwner(current)
      })
    },
  })

  const byType = new Map<string, DeciderCommandHandler>()
  for (const aggregate of Object.values(all) as unknown as Aggregate[]) {
    const handler = deciderCommandHandler({
      ...options,
      serde: codec,
      aggregate,
      hooks: hooksFor(aggregate),
    })
    handlers.push(handler)
    for (const type of aggregate.commandTypes) byType.set(type, handler)
  }

  return {
    handle: traced(async (input, principal) => {
      const type = (input as { type?: unknown } | null)?.type
      // A missing or unknown type goes to any handler: it checks the principal, then its request
      // decoder names what is wrong, as for any other bad request.
      const handler =
        (typeof type === 'string' ? byType.get(type) : undefined) ?? (handlers[0] as DeciderCommandHandler)
      return handler.handleUntraced(input, principal)
    }),
  }
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
