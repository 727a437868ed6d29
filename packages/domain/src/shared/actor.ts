import * as t from 'io-ts'
import { boundedRecord, StrictType, strict } from './structure.js'
import { Id, IsoDateTime, refine } from './values.js'

/** Who may act: owners act for themselves and their own units; staff handle; managers also waive and publish. */
export const Role = t.keyof({ owner: null, staff: null, manager: null, system: null }, 'Role')
export type Role = t.TypeOf<typeof Role>

/** The role a member of staff holds in one community. */
export const CommunityRole = t.keyof({ staff: null, manager: null }, 'CommunityRole')
export type CommunityRole = t.TypeOf<typeof CommunityRole>

/** At most this many communities in one principal's scope. */
export const maxScopedCommunities = 1_000

/** The communities a principal may act in, each with its role there; at least one. */
export const CommunityRoles = refine(
  'CommunityRoles',
  boundedRecord(Id, CommunityRole, maxScopedCommunities),
  (roles) => Object.keys(roles).length >= 1,
)

/**
 * The acting principal: who the embedding backend authenticated. It never comes from a request body;
 * the command handler takes it from its caller.
 * - `role`: the principal's role at company level, for what belongs to no community (services, staff,
 *   courses, communities themselves).
 * - `communities`: when present, the principal acts only in these communities, with the role given
 *   for each (a customer-service clerk of one community, the manager of two). When absent, `role`
 *   reaches every community: company-level roles such as a quality manager, automation, and owners
 *   (who act only for their own units anyway).
 */
export const Actor = strict(
  t.readonly(t.intersection([t.type({ id: Id, role: Role }), t.partial({ communities: CommunityRoles })])),
  'Actor',
)
export type Actor = t.TypeOf<typeof Actor>

/**
 * The metadata the command handler attaches to a request, from trusted sources only:
 * - `actor`: the authenticated principal;
 * - `recordedAt`: the handler's clock;
 * - `occurredAt`: the business time, when it happened. The recording time unless staff said otherwise,
 *   within the backdating window of the policies (see `commandFrom`).
 * Deciders read the time only from `occurredAt`; they have no clock.
 */
export const CommandMeta = strict(
  t.readonly(
    t.type({
      commandId: Id,
      correlationId: Id,
      actor: Actor,
      occurredAt: IsoDateTime,
      recordedAt: IsoDateTime,
    }),
  ),
  'CommandMeta',
)
export type CommandMeta = t.TypeOf<typeof CommandMeta>

/**
 * What a caller sends for one command: its type, its data, an id the caller chooses (the same id twice
 * is handled once), optionally the conversation it belongs to, and, for staff recording what happened
 * earlier, the business time. No actor, no recording time: those are the handler's.
 */
const requestOf = <T extends string, D extends t.Mixed>(type: T, data: D) =>
  strict(
    t.readonly(
      t.intersection([
        t.type({ type: t.literal(type), commandId: Id, data }),
        t.partial({ correlationId: Id, occurredAt: IsoDateTime }),
      ]),
    ),
    type,
  )

/** The codec of one command, with the codec of its request beside it. */
export class CommandCodec<T extends string, D extends t.Mixed> extends StrictType<
  t.ReadonlyC<t.TypeC<{ type: t.LiteralC<T>; meta: typeof CommandMeta; data: D }>>
> {
  readonly request: ReturnType<typeof requestOf<T, D>>
  constructor(type: T, data: D) {
    super(type, t.readonly(t.type({ type: t.literal(type), meta: CommandMeta, data })))
    this.request = requestOf(type, data)
  }
}

/**
 * Builds the codec of one command: `{ type, meta, data }`, refusing unknown fields. Its `request`
 * codec reads what a caller sends (`{ type, commandId, data, correlationId?, occurredAt? }`).
 */
export const command = <T extends string, D extends t.Mixed>(type: T, data: D) => new CommandCodec(type, data)

/** Builds the codec of one event: `{ type, data }`. Envelope metadata (ids, actor, times) is the store's. */
export const event = <T extends string, D extends t.Mixed>(type: T, data: D) =>
  t.readonly(t.type({ type: t.literal(type), data }), type)
