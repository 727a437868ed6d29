import type { CommandMeta, Role } from './actor.js'
import type { DecisionContext } from './decider.js'
import { type DomainError, notAllowed } from './errors.js'

interface Commanded {
  readonly type: string
  readonly meta: CommandMeta
}

const isStaff = (role: Role): boolean => role === 'staff' || role === 'manager'

/** Staff and managers handle complaints, orders, units and bills. */
export const staffOnly = (command: Commanded): DomainError | undefined =>
  isStaff(command.meta.actor.role)
    ? undefined
    : notAllowed(command.type, command.meta.actor.role, `only staff may ${command.type}`)

/** Managers alone publish services, waive fees and erase personal data on an owner's behalf. */
export const managerOnly = (command: Commanded): DomainError | undefined =>
  command.meta.actor.role === 'manager'
    ? undefined
    : notAllowed(command.type, command.meta.actor.role, `only a manager may ${command.type}`)

/** The owner themself, or staff acting for them. */
export const selfOrStaff = (command: Commanded, ownerId: string): DomainError | undefined => {
  const { actor } = command.meta
  if (isStaff(actor.role)) return undefined
  if (actor.role === 'owner' && actor.id === ownerId) return undefined
  return notAllowed(command.type, actor.role, `${actor.role} ${actor.id} may not act for owner ${ownerId}`)
}

/**
 * An owner acts only for units they own (as the context, read from the unit's stream, says), and only
 * as themself; staff act for any owner.
 */
export const unitOwnerOrStaff = (
  command: Commanded,
  ownerId: string,
  unitId: string,
  context: DecisionContext | undefined,
): DomainError | undefined => {
  const denied = selfOrStaff(command, ownerId)
  if (denied !== undefined || isStaff(command.meta.actor.role)) return denied
  return context?.unitOwner === ownerId
    ? undefined
    : notAllowed(command.type, command.meta.actor.role, `owner ${ownerId} does not own unit ${unitId}`)
}

/** The owner themself and nobody else (a rating is the owner's own word). */
export const ownerThemself = (command: Commanded, ownerId: string): DomainError | undefined => {
  const { actor } = command.meta
  return actor.role === 'owner' && actor.id === ownerId
    ? undefined
    : notAllowed(command.type, actor.role, `only owner ${ownerId} may ${command.type}`)
}
