/**
 * The dead letters of the projection runner: stored events a projection could not decode or project,
 * set aside under the `quarantine` policy so the read model goes on. Each names the event (stream,
 * revision, type, global position) and the error; none holds the event's data, which may be personal.
 */
import type { Document, ReadModelStore } from '../readModelStore/port.js'

/** What a runner does with an event it cannot decode or project. */
export type PoisonPolicy = 'stop' | 'quarantine'

export const quarantineCollection = 'projection_quarantine'

export interface QuarantinedEvent extends Document {
  readonly projection: string
  readonly generation: number
  readonly position: string
  readonly streamName: string
  readonly revision: number
  readonly eventType: string
  readonly eventId: string
  /** Why it could not be read or projected (at most 2,000 characters). */
  readonly error: string
}

/** The quarantine entry's id: one per projection generation and position, so a replayed batch rewrites it. */
export const quarantineId = (projection: string, generation: number, position: string): string =>
  `${projection}_g${generation}@${position}`

/** The events quarantined by every projection (or one), oldest position first. */
export const quarantinedEvents = async (
  readModels: ReadModelStore,
  projection?: string,
): Promise<QuarantinedEvent[]> =>
  (await readModels
    .collection(quarantineCollection)
    .find(projection === undefined ? {} : { projection: { $eq: projection } })) as QuarantinedEvent[]
