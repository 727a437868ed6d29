import * as t from 'io-ts'
import { Id, IsoDateTime } from './values.js'

/** Who may act: owners act for their own units; staff handle; managers also waive; the system automates. */
export const Role = t.keyof({ owner: null, staff: null, manager: null, system: null }, 'Role')
export type Role = t.TypeOf<typeof Role>

export const Actor = t.readonly(t.type({ id: Id, role: Role }), 'Actor')
export type Actor = t.TypeOf<typeof Actor>

/**
 * Metadata every command carries. Deciders read the time only from `issuedAt`; they have no clock.
 * `correlationId` ties together the commands of one business conversation (defaults to the command id).
 */
export const CommandMeta = t.readonly(
  t.intersection([
    t.type({ commandId: Id, actor: Actor, issuedAt: IsoDateTime }),
    t.partial({ correlationId: Id }),
  ]),
  'CommandMeta',
)
export type CommandMeta = t.TypeOf<typeof CommandMeta>

/**
 * Builds the codec of one command: `{ type, meta, data }`. The `type` literal is the discriminant that
 * {@link decodeCommand} uses to pick the codec and report errors against the right shape.
 */
export const command = <T extends string, D extends t.Mixed>(type: T, data: D) =>
  t.readonly(t.type({ type: t.literal(type), meta: CommandMeta, data }), type)

/** Builds the codec of one event: `{ type, data }`. Envelope metadata (ids, actor) is the store's. */
export const event = <T extends string, D extends t.Mixed>(type: T, data: D) =>
  t.readonly(t.type({ type: t.literal(type), data }), type)
