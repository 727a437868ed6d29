import { randomBytes } from 'node:crypto'
import type { DataKey, KeyStore } from '@property-services/infrastructure'
import type { Binary, Collection } from 'mongodb'

interface StoredKey {
  readonly _id: string
  readonly keyId: string
  readonly key: Binary
  readonly createdAt: string
}

export interface MongoKeyStoreOptions {
  /** e.g. `mongodb://localhost:27017/` */
  readonly url: string
  readonly database: string
  /** The collection; default `data_keys`. */
  readonly collection?: string
  readonly serverSelectionTimeoutMS?: number
  readonly clock?: () => Date
}

/**
 * Owners' data keys in a MongoDB collection, one document per owner. Reads are synchronous, as the
 * key-store port needs, from a cache loaded when the store opens and kept in step with this process's
 * writes; `refresh()` reloads it (another process may have created or deleted keys). Writes are
 * journaled. Delete the key document and the data it sealed is unreadable on every event store.
 */
export const mongoKeyStore = async (
  options: MongoKeyStoreOptions,
): Promise<KeyStore & { readonly refresh: () => Promise<void> }> => {
  // The driver is loaded when a store is opened: a process that never opens one never loads it.
  const { Binary: BinaryValue, MongoClient, MongoServerError } = await import('mongodb')
  const client = new MongoClient(options.url, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
  })
  await client.connect()
  const collection: Collection<StoredKey> = client
    .db(options.database)
    .collection<StoredKey>(options.collection ?? 'data_keys')
  const clock = options.clock ?? (() => new Date())
  const journaled = { writeConcern: { w: 1, j: true } } as const
  const cache = new Map<string, DataKey>()
  const toKey = (doc: StoredKey): DataKey => ({
    id: doc.keyId,
    key: new Uint8Array(doc.key.buffer),
    createdAt: doc.createdAt,
  })
  const refresh = async () => {
    cache.clear()
    for (const doc of await collection.find().toArray()) cache.set(doc._id, toKey(doc))
  }
  await refresh()
  return {
    keyOf: (ownerId) => cache.get(ownerId),
    keyFor: async (ownerId) => {
      const cached = cache.get(ownerId)
      if (cached !== undefined) return cached
      try {
        await collection.insertOne(
          {
            _id: ownerId,
            keyId: randomBytes(8).toString('hex'),
            key: new BinaryValue(randomBytes(32)),
            createdAt: clock().toISOString(),
          },
          journaled,
        )
      } catch (error) {
        // Another writer created it first: use theirs.
        if (!(error instanceof MongoServerError && error.code === 11000)) throw error
      }
      const doc = await collection.findOne({ _id: { $eq: ownerId } })
      if (doc === null) throw new Error(`the data key of ${ownerId} was deleted while it was being created`)
      const key = toKey(doc)
      cache.set(ownerId, key)
      return key
    },
    deleteKey: async (ownerId) => {
      await collection.deleteOne({ _id: { $eq: ownerId } }, journaled)
      cache.get(ownerId)?.key.fill(0)
      cache.delete(ownerId)
    },
    owners: async () =>
      (await collection.find({}, { projection: { key: 0 } }).toArray()).map((doc) => ({
        ownerId: doc._id,
        createdAt: doc.createdAt,
      })),
    refresh,
    close: () => client.close(),
  }
}
