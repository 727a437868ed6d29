import type { Actor, CommandMeta } from '@property-services/domain'

export const staff: Actor = { id: 'staff-1', role: 'staff' }
export const manager: Actor = { id: 'manager-1', role: 'manager' }
export const owner: Actor = { id: 'owner-1', role: 'owner' }
export const stranger: Actor = { id: 'owner-9', role: 'owner' }

let counter = 0
/** Command metadata: `actor` acted at `occurredAt`, recorded at the same moment. */
export const meta = (actor: Actor, occurredAt: string): CommandMeta => {
  const commandId = `cmd-${++counter}`
  return { commandId, correlationId: commandId, actor, occurredAt, recordedAt: occurredAt }
}
