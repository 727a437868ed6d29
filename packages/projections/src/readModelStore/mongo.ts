import { type AnyBulkWriteOperation, type Db, MongoClient } from 'mongodb'
import {
  assertCollectionName,
  assertFieldNames,
  batchStampField,
  type Document,
  type Filter,
  type FindOptions,
  type ReadModelStore,
} from './port.js'

type Stored = { _id: string } & Record<string, unknown>

export interface MongoReadModelStoreOptions {
  /** e.g. `mongodb://localhost:27017/` */
  readonly url: string
  readonly database: string
  /** How long to look for a server before failing; default 5 s. */
  readonly serverSelectionTimeoutMS?: number
  /**
   * Operations per bulk request; default 64. FerretDB 1.24 (SQLite) never answers an update command
   * with 100 or more statements, so writes are sent in smaller ordered chunks; MongoDB takes any size.
   */
  readonly maxOperationsPerBulk?: number
}

const idsPerQuery = 1000

const toMongoFilter = (filter: Filter): Record<string, unknown> => {
  assertFieldNames(Object.keys(filter))
  return { ...filter }
}

/** Read models in MongoDB (or FerretDB) through the official driver. */
export const mongoReadModelStore = async (options: MongoReadModelStoreOptions): Promise<ReadModelStore> => {
  const client = new MongoClient(options.url, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
  })
  await client.connect()
  return mongoReadModelStoreOf(
    client.db(options.database),
    () => client.close(),
    options.maxOperationsPerBulk,
  )
}

/** Read models in a database of a client the caller manages. */
export const mongoReadModelStoreOf = (
  db: Db,
  close: () => Promise<void> = async () => undefined,
  maxOperationsPerBulk = 64,
): ReadModelStore => ({
  collection: (name) => {
    assertCollectionName(name)
    const collection = db.collection<Stored>(name)
    return {
      find: async (filter: Filter = {}, options: FindOptions = {}) => {
        const sort = options.sort ?? { _id: 1 }
        assertFieldNames(Object.keys(sort))
        let cursor = collection
          .find(toMongoFilter(filter) as never)
          .sort({ ...sort, ...(Object.hasOwn(sort, '_id') ? {} : { _id: 1 }) })
        if (options.limit !== undefined) cursor = cursor.limit(options.limit)
        return (await cursor.toArray()) as unknown as Document[]
      },
      findByIds: async (ids) => {
        const found: Document[] = []
        for (let i = 0; i < ids.length; i += idsPerQuery) {
          const chunk = ids.slice(i, i + idsPerQuery)
          const docs = await collection.find({ _id: { $in: chunk } }).toArray()
          found.push(...(docs as unknown as Document[]))
        }
        return found
      },
      write: async (operations) => {
        if (operations.length === 0) return
        const bulk = operations.map(
          (op): AnyBulkWriteOperation<Stored> =>
            op.kind === 'put'
              ? { replaceOne: { filter: { _id: op.doc._id }, replacement: op.doc as Stored, upsert: true } }
              : op.kind === 'insert'
                ? { insertOne: { document: op.doc as Stored } }
                : op.kind === 'increment'
                  ? {
                      // Absent, or stamped by an earlier batch: add. Stamped by this batch or a later one:
                      // the filter misses and the upsert's insert fails on the key (code 11000).
                      updateOne: {
                        filter: { _id: op.id, [batchStampField]: { $lt: op.batch } },
                        update: {
                          $inc: op.by as never,
                          $set: { [batchStampField]: op.batch },
                          ...(Object.keys(op.onInsert).length === 0 ? {} : { $setOnInsert: op.onInsert }),
                        },
                        upsert: true,
                      },
                    }
                  : { deleteOne: { filter: { _id: op.id } } },
        )
        for (let i = 0; i < bulk.length; i += maxOperationsPerBulk) {
          await collection.bulkWrite(bulk.slice(i, i + maxOperationsPerBulk), { ordered: true })
        }
      },
      compareAndSet: async (doc, expected) => {
        if (expected === 'absent') {
          try {
            await collection.insertOne(doc as Stored)
            return true
          } catch (error) {
            if ((error as { code?: unknown }).code === 11000) return false
            throw error
          }
        }
        const result = await collection.replaceOne(
          { ...toMongoFilter(expected), _id: doc._id } as never,
          doc as Stored,
        )
        return result.matchedCount === 1
      },
      drop: async () => {
        try {
          await collection.drop()
        } catch (error) {
          if (!/ns not found|NamespaceNotFound/i.test(String(error))) throw error
        }
      },
    }
  },
  close,
})
