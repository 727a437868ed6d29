import { Id, IsoDateTime, Role } from '@property-services/domain'
import * as t from 'io-ts'

/**
 * The metadata stored with every event: its id, the command that caused it, the conversation it
 * belongs to, who acted (the authenticated principal), when it happened (business time) and when it was
 * recorded (the handler's clock), the schema version of its data, and its place in the stream's hash
 * chain (see `integrity/hashChain.ts`). Events stored before recording
 * times were kept have no `recordedAt`; read them as recorded when they happened.
 *
 * `community` is the community the event belongs to, so that projection workers can share the work by
 * community without decoding (see `partitionOf` in the projections package). Events of the company
 * (services, staff, courses) and events stored before communities have none: they belong to the
 * default community.
 */
export const EventMetadata = t.readonly(
  t.intersection([
    t.type({
      eventId: t.string,
      commandId: Id,
      correlationId: Id,
      actor: t.readonly(t.type({ id: Id, role: Role })),
      occurredAt: IsoDateTime,
      schemaVersion: t.number,
    }),
    t.partial({ recordedAt: IsoDateTime, hash: t.string, community: Id }),
  ]),
  'EventMetadata',
)
export type EventMetadata = t.TypeOf<typeof EventMetadata>

/** When an event was recorded: its `recordedAt`, or its business time for events stored before that was kept. */
export const recordedAtOf = (metadata: EventMetadata): string => metadata.recordedAt ?? metadata.occurredAt
