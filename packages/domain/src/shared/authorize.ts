import * as E from 'fp-ts/lib/Either.js'
import type { CommandType } from '../aggregates.js'
import { grantOf } from '../permissions.js'
import type { Actor, CommandMeta, Role } from './actor.js'
import type { CommandDecision, DecisionContext } from './decider.js'
import { type DomainError, notAllowed } from './errors.js'

interface Commanded {
  readonly type: string
  readonly meta: CommandMeta
}

/** What the command is about, as far as who may issue it goes. */
export interface Subject {
  /** The owner the command is about (from its data or the aggregate's state). */
  readonly owner?: string | undefined
  /** The person a `self` grant is about when it is not an owner (a staff member answering a survey). */
  readonly self?: string | undefined
  /** The unit the command names, for `own-unit` grants; the context says who owns it. */
  readonly unitId?: string | undefined
  readonly context?: DecisionContext | undefined
  /**
   * The community the command acts in: the one it names when it creates something there, else that of
   * the aggregate it is about, else that of its unit. Undefined for what belongs to no community.
   */
  readonly community?: string | undefined
}

/**
 * The role the actor holds where the command acts: a principal scoped to communities holds the role
 * given for that community, and none in any other; elsewhere (and for what belongs to no community) its
 * company-level role.
 */
export const roleIn = (actor: Actor, community: string | undefined): Role | undefined => {
  if (actor.communities === undefined || community === undefined) return actor.role
  return Object.hasOwn(actor.communities, community) ? actor.communities[community] : undefined
}

/**
 * Whether the actor may issue the command, by the table in `permissions.ts`: undefined when allowed, a
 * `NotAllowed` naming the reason otherwise. `within-limit` grants pass here; the decider checks the limit.
 */
export const authorize = (command: Commanded, subject: Subject = {}): DomainError | undefined => {
  const { actor } = command.meta
  const role = roleIn(actor, subject.community)
  if (role === undefined)
    return notAllowed(
      command.type,
      actor.role,
      `${actor.role} ${actor.id} does not act in community ${subject.community}`,
    )
  const grant = grantOf(command.type as CommandType, role)
  const refuse = (why: string) => notAllowed(command.type, role, why)
  switch (grant) {
    case undefined:
      return refuse(`a ${role} may not ${command.type}`)
    case 'always':
    case 'within-limit':
      return undefined
    case 'self': {
      const person = subject.self ?? subject.owner
      return person !== undefined && actor.id === person
        ? undefined
        : refuse(`${role} ${actor.id} may ${command.type} only for themself, not for ${person}`)
    }
    case 'own-unit':
      if (subject.owner !== undefined && actor.id !== subject.owner)
        return refuse(`${role} ${actor.id} may not act for owner ${subject.owner}`)
      return subject.context?.unitOwner === actor.id
        ? undefined
        : refuse(`owner ${actor.id} does not own unit ${subject.unitId}`)
  }
}

/**
 * The community a command acts in: the one its data names when it creates something there, else the
 * aggregate's (every aggregate of a community records it when created), else that of the unit it names.
 * Undefined for what belongs to no community (services, staff, courses).
 */
export const communityActedIn = (
  command: { readonly data: unknown },
  state: unknown,
  context: DecisionContext | undefined,
): string | undefined =>
  (command.data as { readonly communityId?: string }).communityId ??
  (state as { readonly communityId?: string }).communityId ??
  ((command.data as { readonly unitId?: string }).unitId === undefined ? undefined : context?.unitCommunity)

/**
 * A decision made only when the table lets the actor issue the command: for aggregates whose every
 * command is granted by role alone (no owner or unit to check), before anything else is looked at. The
 * role is the one the actor holds in the community the command names or the aggregate belongs to.
 */
export const authorizedFirst =
  <C extends Commanded & { readonly data: unknown }, Ev, S>(
    decide: CommandDecision<C, Ev, S>,
  ): CommandDecision<C, Ev, S> =>
  (command, state, context) => {
    const denied = authorize(command, { community: communityActedIn(command, state, context) })
    return denied === undefined ? decide(command, state, context) : E.left(denied)
  }
