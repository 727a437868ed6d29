import { assertWholeNumber } from '@property-services/infrastructure'
import type { AnyBulkWriteOperation, Db } from 'mongodb'
import { openWithNewClient } from '../mongoClient.js'
import {
  assertCollectionName,
  assertFieldNames,
  batchStampField,
  type Document,
  type Filter,
  type FindOptions,
  type ReadModelStore,
  type WriteOperation,
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
  /**
   * How whole documents are replaced: `update` (one replace statement each, atomic per document),
   * `reinsert` (deleted and inserted again in bulk: two commands per batch, but a reader may briefly
   * miss a document being replaced), or `auto` (default): `reinsert` on FerretDB, whose update
   * statements cost about 8 ms each against 0.04 ms per inserted document, `update` elsewhere.
   */
  readonly replaceBy?: 'update' | 'reinsert' | 'auto'
}

// Ids per `$in` lookup or delete: a batch's worth in one request (FerretDB 1.24 scans the collection for
// each, MongoDB looks each up in the index); 10,000 ids stay far below the 16 MiB command limit.
const idsPerQuery = 10_000

const toMongoFilter = (filter: Filter): Record<string, unknown> => {
  assertFieldNames(Object.keys(filter))
  return { ...filter }
}

/** Read models in MongoDB (or FerretDB) through the official driver. */
export const mongoReadModelStore = async (options: MongoReadModelStoreOptions): Promise<ReadModelStore> => {
  // Checked again below, but before connecting: a refused option leaves no client open.
  assertWholeNumber('mongoReadModelStore', 'maxOperationsPerBulk', options.maxOperationsPerBulk, 1)
  return openWithNewClient('mongoReadModelStore', options, async (client) => {
    let replaceBy = options.replaceBy ?? 'auto'
    if (replaceBy === 'auto') {
      const build = await client.db('admin').command({ buildInfo: 1 })
      replaceBy = 'ferretdbVersion' in build ? 'reinsert' : 'update'
    }
    return mongoReadModelStoreOf(
      client.db(options.database),
      () => client.close(),
      options.maxOperationsPerBulk,
      replaceBy,
    )
  })
}

/** The final state of each document an ordered list of operations touches (increments aside). */
const finalStates = (operations: readonly WriteOperation[]) => {
  const final = new Map<string, Document | null>()
  // Ids first written by `insert`: they must not exist, so they are not deleted first.
  const inserted = new Set<string>()
  for (const op of operations) {
    const id = op.kind === 'put' || op.kind === 'insert' ? op.doc._id : op.id
    if (op.kind === 'insert' && !final.has(id)) inserted.add(id)
    final.set(id, op.kind === 'delete' ? null : op.kind === 'increment' ? (final.get(id) ?? null) : op.doc)
  }
  return { final, inserted }
}

/** Read models in a database of a client the caller manages. */
export const mongoReadModelStoreOf = (
  db: Db,
  close: () => Promise<void> = async () => undefined,
  maxOperationsPerBulk = 64,
  replaceBy: 'update' | 'reinsert' = 'update',
): ReadModelStore => {
  // 0 looped for ever over the operations, NaN wrote none of them.
  assertWholeNumber('mongoReadModelStore', 'maxOperationsPerBulk', maxOperationsPerBulk, 1)
  // One write command in flight per store: FerretDB 1.24 has been seen to stall for good when several
  // bulk updates arrive at once (a runner writes its read models side by side). Reads stay concurrent.
  let writing: Promise<unknown> = Promise.resolve()
  const serially = <T>(write: () => Promise<T>): Promise<T> => {
    const next = writing.then(write, write)
    writing = next.catch(() => undefined)
    return next
  }
  return {
    incrementsInPlace: replaceBy === 'update',
    collection: (name) => {
      assertCollectionName(name)
      const collection = db.collection<Stored>(name)
      return {
        find: async (filter: Filter = {}, options: FindOptions = {}) => {
          const sort = options.sort ?? { _id: 1 }
          assertFieldNames(Object.keys(sort))
          assertWholeNumber('find', 'limit', options.limit, 1)
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
        write: (operations) =>
          serially(async () => {
            if (operations.length === 0) return
            if (replaceBy === 'reinsert' && operations.every((op) => op.kind !== 'increment')) {
              // Delete what is replaced or deleted, then insert the final documents: a crash in between is
              // undone by the runner's before-images, as any partial batch is.
              const { final, inserted } = finalStates(operations)
              const replaced = [...final.keys()].filter((id) => !inserted.has(id))
              for (let i = 0; i < replaced.length; i += idsPerQuery)
                await collection.deleteMany({ _id: { $in: replaced.slice(i, i + idsPerQuery) } })
              const docs = [...final.values()].filter((doc): doc is Document => doc !== null)
              for (let i = 0; i < docs.length; i += idsPerQuery)
                await collection.insertMany(docs.slice(i, i + idsPerQuery) as Stored[], { ordered: true })
              return
            }
            const bulk = operations.map(
              (op): AnyBulkWriteOperation<Stored> =>
                op.kind === 'put'
                  ? {
                      replaceOne: {
                        filter: { _id: op.doc._id },
                        replacement: op.doc as Stored,
                        upsert: true,
                      },
                    }
                  : op.kind === 'insert'
                    ? { insertOne: { document: op.doc as Stored } }
                    : op.kind === 'increment'
                      ? {
                          // Absent, or stamped by an earlier batch: add. Stamped by this batch or a later one:
                          // the filter misses and the upsert's insert fails on the key (code 11000).
                          updateOne: {
                            // $not also matches a counter without a stamp (written before stamps).
                            filter: { _id: op.id, [batchStampField]: { $not: { $gte: op.batch } } },
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
          }),
        compareAndSet: (doc, expected) =>
          serially(async () => {
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
          }),
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
  }
}
