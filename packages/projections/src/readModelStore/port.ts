/**
 * The read-model store port: the part of MongoDB's collection API that projections and their queries
 * need, kept to what FerretDB v1 and MongoDB both do (no transactions, ordered bulk writes).
 */

/** A stored read-model document. Field names come from code, never from input. */
export type Document = { readonly _id: string } & { readonly [field: string]: unknown }

/**
 * A condition on one field. Values are always wrapped in an explicit operator, so a value that came
 * from outside (an owner's name, free text) can never act as an operator itself.
 */
export type Condition =
  | { readonly $eq: unknown }
  | { readonly $in: readonly unknown[] }
  | {
      readonly $gt?: string | number
      readonly $gte?: string | number
      readonly $lt?: string | number
      readonly $lte?: string | number
    }

export type Filter = { readonly [field: string]: Condition }

export interface FindOptions {
  readonly sort?: { readonly [field: string]: 1 | -1 }
  readonly limit?: number
}

/** The field in which an incremented document keeps the stamp of the last batch that changed it. */
export const batchStampField = '_batch'

/**
 * Write a whole document (insert or replace), insert one known to be absent (cheaper: sent in bulk as
 * one insert), delete one, or increment counters of one.
 *
 * An `increment` adds `by` to its fields (creating the document from `onInsert` and zeros when absent)
 * and sets `_batch` to `batch`, unless the document's `_batch` is already `batch` or later, in which
 * case it changes nothing: replaying a batch after a crash never counts twice. Stamps compare as text.
 */
export type WriteOperation =
  | { readonly kind: 'put'; readonly doc: Document }
  | { readonly kind: 'insert'; readonly doc: Document }
  | { readonly kind: 'delete'; readonly id: string }
  | {
      readonly kind: 'increment'
      readonly id: string
      readonly by: { readonly [field: string]: number }
      readonly onInsert: { readonly [field: string]: unknown }
      readonly batch: string
    }

export interface ReadModelCollection {
  find(filter?: Filter, options?: FindOptions): Promise<Document[]>
  findByIds(ids: readonly string[]): Promise<Document[]>
  /** Applies the operations in order, as one bulk request. */
  write(operations: readonly WriteOperation[]): Promise<void>
  /**
   * Replaces one document if it matches `expected` (or inserts it if `expected` is `'absent'` and no
   * document has its id), atomically; resolves whether it did. The runner's leases rest on it.
   */
  compareAndSet(doc: Document, expected: Filter | 'absent'): Promise<boolean>
  drop(): Promise<void>
}

export interface ReadModelStore {
  collection(name: string): ReadModelCollection
  /**
   * Whether the store applies increments itself, cheaply (in memory, MongoDB). When false (FerretDB 1.x,
   * where each update statement costs about 200 inserted documents), the runner reads the counters
   * and writes them as whole documents, which the store replaces by deleting and inserting in bulk.
   */
  readonly incrementsInPlace: boolean
  close(): Promise<void>
}

const fieldName = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/

/** Field names in filters and sorts come from code; anything else is refused before it reaches a store. */
export const assertFieldNames = (names: Iterable<string>): void => {
  for (const name of names) {
    if (name !== '_id' && !fieldName.test(name))
      throw new TypeError(`not a read-model field name: ${JSON.stringify(name)}`)
  }
}

const collectionName = /^[A-Za-z_][A-Za-z0-9_]{0,100}$/
export const assertCollectionName = (name: string): void => {
  if (!collectionName.test(name))
    throw new TypeError(`not a read-model collection name: ${JSON.stringify(name)}`)
}
