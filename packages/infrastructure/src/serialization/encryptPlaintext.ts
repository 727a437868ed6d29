/**
 * A migration for stores written before personal data was encrypted: it encrypts, in place, the
 * personal-data fields still stored in plain text, under each owner's key, so that erasure by deleting
 * the key reaches them too. It rewrites only events from before hash chains (a chained event is never
 * rewritten: that is what the chain exists to show), through the store's `redact`, which SQLite and the
 * in-memory store allow (SQLite then vacuums the plain text out of the file). EventStoreDB cannot
 * rewrite: see docs/eventstoredb.md for copying its streams instead. Idempotent.
 */
import {
  aggregates,
  type EventType,
  isErased,
  personalDataFields,
  personalDataOwner,
} from '@property-services/domain'
import { aggregateOfStream } from '../commands/commandHandler.js'
import type { EventStore, Position } from '../eventStore/port.js'
import { storedHash } from '../integrity/hashChain.js'
import type { KeyStore } from '../keys/port.js'
import { encryptField, isEncrypted } from './encryption.js'
import { serde as makeSerde } from './serde.js'

export interface PlaintextMigration {
  /** Events whose plain-text personal data was encrypted. */
  readonly encrypted: number
  /** Events that hold plain text but carry a hash, left as they are (written without a key store). */
  readonly skippedChained: number
}

export const encryptPlaintextPersonalData = async (options: {
  readonly store: EventStore
  readonly keys: KeyStore
}): Promise<PlaintextMigration> => {
  const { store, keys } = options
  const all = aggregates()
  const codec = makeSerde()
  const plainFields = (type: string, data: unknown): string[] =>
    (personalDataFields[type as EventType] ?? []).filter((field) => {
      const value = (data as Record<string, unknown> | null)?.[field]
      return value !== undefined && !isEncrypted(value) && !isErased(value)
    })
  // The streams holding plain text, and the owners already erased (whose plain text must go with them).
  const streams = new Set<string>()
  const erasedOwners = new Set<string>()
  for (let after: Position | undefined; ; ) {
    const page = await store.readAll(after === undefined ? { maxCount: 1000 } : { after, maxCount: 1000 })
    for (const event of page.events) {
      if (plainFields(event.type, event.data).length > 0) streams.add(event.streamName)
      if (event.type === 'OwnerPersonalDataErased') {
        const ownerId = personalDataOwner(event.data)
        if (ownerId !== undefined) erasedOwners.add(ownerId)
      }
    }
    after = page.lastPosition
    if (page.isEnd) break
  }
  let encrypted = 0
  let skippedChained = 0
  for (const streamName of streams) {
    const aggregate = aggregateOfStream(all, streamName)?.aggregate
    if (aggregate === undefined) continue
    // Whose each event's personal data is: the aggregate's owner after it.
    const owners = new Map<number, string>()
    let state = aggregate.decider.initialState
    for (const stored of (await store.readStream(streamName)).events) {
      state = aggregate.decider.evolve(state, codec.decode(stored, { personalData: false }).event as never)
      const owner = personalDataOwner(state)
      if (owner !== undefined && plainFields(stored.type, stored.data).length > 0) {
        if (storedHash(stored) !== undefined) skippedChained++
        else {
          owners.set(stored.revision, owner)
          await keys.keyFor(owner)
        }
      }
    }
    encrypted += await store.redact(streamName, (stored) => {
      const owner = owners.get(stored.revision)
      if (owner === undefined) return undefined
      const key = keys.keyOf(owner)
      if (key === undefined) return undefined
      const data = { ...(stored.data as Record<string, unknown>) }
      for (const field of plainFields(stored.type, data))
        data[field] = encryptField(data[field], owner, key, stored.eventId, field)
      return data
    })
  }
  // An owner erased before this migration: what was left in plain text is now sealed, and the key goes.
  for (const ownerId of erasedOwners) await keys.deleteKey(ownerId)
  return { encrypted, skippedChained }
}
