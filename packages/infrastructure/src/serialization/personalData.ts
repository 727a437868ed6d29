import { erasedContact } from '@property-services/domain'
import type { EventStore } from '../eventStore/port.js'

/** The stored events that carry an owner's contact details. */
const carriesContact = new Set(['OwnerRegistered', 'OwnerContactChanged'])

/**
 * Erases an owner's contact details from the stored events of their stream, leaving the erased marker
 * the codecs accept, so replays and audits keep working. Idempotent; the command handler runs it when
 * it appends `OwnerPersonalDataErased`, and it can be run again after a crash in between.
 */
export const eraseStoredPersonalData = (store: EventStore, ownerId: string): Promise<number> =>
  store.redact(`owner-${ownerId}`, (event) => {
    if (!carriesContact.has(event.type)) return undefined
    const data = event.data as { contact?: unknown }
    return JSON.stringify(data.contact) === JSON.stringify(erasedContact)
      ? undefined
      : { ...data, contact: erasedContact }
  })
