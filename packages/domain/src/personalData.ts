/**
 * Which stored fields are personal data (PIPL): contact details, and free text written by or about an
 * owner. The event store encrypts each with the data key of the owner the aggregate is about, and an
 * erasure deletes that key: the fields then read as `{ erased: true }` everywhere, while every event
 * still decodes and replays. Read models copy none of these fields.
 *
 * The owner of the personal data in an event is the owner its aggregate is about, after the event:
 * the owner themself, the complainant, the owner who ordered the service.
 */
import type { EventType } from './aggregates.js'

export const personalDataFields: Readonly<Partial<Record<EventType, readonly string[]>>> = {
  OwnerRegistered: ['contact'],
  OwnerContactChanged: ['contact'],
  OwnerVisited: ['needs'],
  ComplaintFiled: ['description'],
  ComplaintAcknowledged: ['note'],
  ResolutionProposed: ['proposal'],
  ComplaintResolved: ['cause'],
  ComplaintRejected: ['reason'],
  ComplaintOutcomeNotified: ['summary'],
  ComplaintReopened: ['reason'],
  ServiceOrderRequested: ['description'],
  ServiceOrderRated: ['comment'],
  ServiceOrderCancelled: ['reason'],
}

/** The owner whose personal data an aggregate holds, from its state; undefined when it holds none. */
export const personalDataOwner = (state: unknown): string | undefined => {
  const ownerId = (state as { readonly ownerId?: unknown } | null)?.ownerId
  return typeof ownerId === 'string' ? ownerId : undefined
}
