import { randomBytes } from 'node:crypto'
import {
  CorruptDataKeyError,
  checkedDataKey,
  type DataKey,
  type KeyStore,
} from '@property-services/infrastructure'
import type { Binary, Collection } from 'mongodb'
import { openWithNewClient } from '../mongoClient.js'

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
  return openWithNewClient(
    'mongoKeyStore',
    options,
    async (client, { Binary: BinaryValue, MongoServerError }) => {
      const collection: Collection<StoredKey> = client
        .db(options.database)
        .collection<StoredKey>(options.collection ?? 'data_keys')
      const clock = options.clock ?? (() => new Date())
      const journaled = { writeConcern: { w: 1, j: true } } as const
      // A corrupt key is kept as its error, which only that owner's reads and writes meet.
      const cache = new Map<string, DataKey | CorruptDataKeyError>()
      const where = `MongoDB key store ${options.database}.${options.collection ?? 'data_keys'}`
      const toKey = (doc: StoredKey): DataKey | CorruptDataKeyError => {
        try {
          return checkedDataKey(where, doc._id, {
            id: doc.keyId,
            key: doc.key instanceof BinaryValue ? doc.key.buffer : doc.key,
            createdAt: doc.createdAt,
          })
        } catch (error) {
          if (error instanceof CorruptDataKeyError) return error
          throw error
        }
      }
      const usable = (found: DataKey | CorruptDataKeyError | undefined) => {
        if (found instanceof CorruptDataKeyError) throw found
        return found
      }
      const refresh = async () => {
        cache.clear()
        for (const doc of await collection.find().toArray()) cache.set(doc._id, toKey(doc))
      }
      await refresh()
      return {
        keyOf: (ownerId) => usable(cache.get(ownerId)),
        keyFor: async (ownerId) => {
          const cached = usable(cache.get(ownerId))
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
          if (doc === null)
            throw new Error(`the data key of ${ownerId} was deleted while it was being created`)
          const key = toKey(doc)
          cache.set(ownerId, key)
          if (key instanceof CorruptDataKeyError) throw key
          return key
        },
        deleteKey: async (ownerId) => {
          await collection.deleteOne({ _id: { $eq: ownerId } }, journaled)
          const deleted = cache.get(ownerId)
          if (!(deleted instanceof CorruptDataKeyError)) deleted?.key.fill(0)
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
    },
  )
}
