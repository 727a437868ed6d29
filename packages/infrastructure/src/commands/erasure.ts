/**
 * Erasing an owner's personal data (PIPL): the `OwnerPersonalDataErased` event is appended first, then
 * the owner's data key is deleted, one durable step. A crash in between leaves the event and the key;
 * a retry of the command (a duplicate), a repeat of it (refused as already erased) or a reconcile run
 * deletes the key then. Without a key store, the older path rewrites the stored contact details
 * (SQLite and in memory only).
 */
import { type Event, personalDataOwner } from '@property-services/domain'
import type { EventStore, Position } from '../eventStore/port.js'
import type { KeyStore } from '../keys/port.js'
import { recordedAtOf } from '../serialization/metadata.js'
import { eraseStoredPersonalData } from '../serialization/personalData.js'
import type { Serde } from '../serialization/serde.js'

/** The owners an erasure among these events is for. */
export const erasuresIn = (events: readonly Event[]): string[] =>
  events.flatMap((event) => (event.type === 'OwnerPersonalDataErased' ? [event.data.ownerId] : []))

/** Completes the erasure of an owner's personal data: deletes their key (or rewrites, without keys). */
export const completeErasure = async (
  ownerId: string,
  options: { readonly store: EventStore; readonly keys?: KeyStore | undefined },
): Promise<void> => {
  if (options.keys !== undefined) await options.keys.deleteKey(ownerId)
  else await eraseStoredPersonalData(options.store, ownerId)
}

/**
 * Finds erased owners whose data key is still there, created before their erasure, and deletes it: the
 * step a crash interrupted. Run it at start and on demand. Keys created after an erasure (new personal
 * data the owner gave later) are kept. Answers the owners whose erasure it completed.
 */
export const reconcileErasures = async (options: {
  readonly store: EventStore
  readonly keys: KeyStore
  readonly serde: Serde
}): Promise<string[]> => {
  const { store, keys, serde } = options
  const withKeys = new Map((await keys.owners()).map((o) => [o.ownerId, Date.parse(o.createdAt)]))
  if (withKeys.size === 0) return []
  const completed: string[] = []
  for (let after: Position | undefined; ; ) {
    const page = await store.readAll(after === undefined ? { maxCount: 1000 } : { after, maxCount: 1000 })
    for (const stored of page.events) {
      if (stored.type !== 'OwnerPersonalDataErased') continue
      const { event, metadata } = serde.decode(stored, { personalData: false })
      const ownerId = personalDataOwner(event.data)
      const createdAt = ownerId === undefined ? undefined : withKeys.get(ownerId)
      if (ownerId === undefined || createdAt === undefined) continue
      if (createdAt <= Date.parse(recordedAtOf(metadata))) {
        await keys.deleteKey(ownerId)
        withKeys.delete(ownerId)
        completed.push(ownerId)
      }
    }
    after = page.lastPosition
    if (page.isEnd) return completed
  }
}
