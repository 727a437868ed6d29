import { Actor, Id, IsoDateTime } from '@property-services/domain'
import * as t from 'io-ts'

/**
 * The metadata stored with every event: its id, the command that caused it, the conversation it
 * belongs to, who acted, when it happened (business time, from the command), and the schema version of
 * its data.
 */
export const EventMetadata = t.readonly(
  t.type({
    eventId: t.string,
    commandId: Id,
    correlationId: Id,
    actor: Actor,
    occurredAt: IsoDateTime,
    schemaVersion: t.number,
  }),
  'EventMetadata',
)
export type EventMetadata = t.TypeOf<typeof EventMetadata>
