import { assertWholeNumber } from '@property-services/infrastructure'
import { type DocumentText, documentText } from './documentText.js'
import {
  assertCollectionName,
  assertFieldNames,
  batchStampField,
  type Document,
  type Filter,
  type FindOptions,
  type ReadModelStore,
} from './port.js'

/** A field's path, split once per query rather than once per document. */
type Path = readonly string[]

const valueAt = (doc: Document, path: Path): unknown => {
  let value: unknown = doc
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

const same = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b))

const compare = (a: unknown, b: unknown): number => {
  if (a === b) return 0
  if (a === undefined || a === null) return -1
  if (b === undefined || b === null) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a) < String(b) ? -1 : 1
}

const matcher = (filter: Filter): ((doc: Document) => boolean) => {
  const conditions = Object.entries(filter).map(([path, condition]) => [path.split('.'), condition] as const)
  return (doc) =>
    conditions.every(([path, condition]) => {
      const value = valueAt(doc, path)
      // As in MongoDB, `$eq: null` also matches a missing field.
      if ('$eq' in condition) return condition.$eq === null ? value == null : same(value, condition.$eq)
      if ('$in' in condition) return condition.$in.some((candidate) => same(value, candidate))
      if (value === undefined || value === null || typeof value === 'object') return false
      const v = value as string | number
      return (
        (condition.$gt === undefined || compare(v, condition.$gt) > 0) &&
        (condition.$gte === undefined || compare(v, condition.$gte) >= 0) &&
        (condition.$lt === undefined || compare(v, condition.$lt) < 0) &&
        (condition.$lte === undefined || compare(v, condition.$lte) <= 0)
      )
    })
}

/**
 * The same text, stored by V8 in one piece. `JSON.stringify` builds a long result as a tree of the
 * pieces it wrote, each with a header of its own, and V8 joins them only when the text is read (as
 * `JSON.parse` does). A rebuild writes most documents without reading them again, so kept as built a
 * million events' read models held about a quarter more heap than their text (281 MiB live against 217,
 * `bench/millionEvents.ts`). Converting to a number makes V8 join the pieces in place (for text that
 * starts with `{` or `[` the conversion stops at once), and its next collection drops the tree.
 */
const flattened = (text: string): string => {
  Number(text)
  return text
}

/**
 * One collection: each document as text (what is stored; callers get their own copies: see
 * {@link DocumentText}), and the
 * documents that queries have parsed, kept until the document changes, so that a query scans without
 * parsing every document again (a process manager polls its collection; a demo at 20 communities ran
 * 1.45 x as fast). A collection that is queried costs about as much memory again; the documents a
 * rebuild writes and looks up by id are never parsed for it. The parsed ones never leave the store.
 */
interface StoredCollection {
  readonly json: Map<string, string>
  readonly parsed: Map<string, Document>
  readonly format: DocumentText
}

/**
 * Read models in memory, with the semantics of the MongoDB adapter for what the port offers
 * (documents are copied in and out, so callers cannot change what is stored).
 */
export const inMemoryReadModelStore = (): ReadModelStore => {
  const collections = new Map<string, StoredCollection>()
  const collectionOf = (name: string) => {
    let collection = collections.get(name)
    if (collection === undefined) {
      collection = { json: new Map(), parsed: new Map(), format: documentText() }
      collections.set(name, collection)
    }
    return collection
  }
  const parsedOf = ({ json, parsed, format }: StoredCollection, id: string): Document | undefined => {
    let doc = parsed.get(id)
    if (doc === undefined) {
      const text = json.get(id)
      if (text === undefined) return undefined
      doc = format.decode(id, text)
      parsed.set(id, doc)
    }
    return doc
  }
  const store = (collection: StoredCollection, id: string, doc: Document) => {
    // Stored as text: what callers hold afterwards is never what is stored.
    collection.json.set(id, flattened(collection.format.encode(id, doc)))
    collection.parsed.delete(id)
  }
  return {
    collection: (name) => {
      assertCollectionName(name)
      return {
        find: async (filter: Filter = {}, options: FindOptions = {}) => {
          assertFieldNames([...Object.keys(filter), ...Object.keys(options.sort ?? {})])
          // MongoDB reads a limit of 0 as none at all: a computed 0 would answer differently from store to store.
          assertWholeNumber('find', 'limit', options.limit, 1)
          const collection = collectionOf(name)
          const matches = matcher(filter)
          const sort = Object.entries(options.sort ?? { _id: 1 }).map(
            ([path, direction]) => [path.split('.'), direction] as const,
          )
          // A total order: ties are broken by _id, so a limit takes the same documents as sorting all.
          const order = (a: Document, b: Document) => {
            for (const [path, direction] of sort) {
              const order = compare(valueAt(a, path), valueAt(b, path))
              if (order !== 0) return order * direction
            }
            return compare(a._id, b._id)
          }
          const { limit } = options
          // With a limit, only the first `limit` are kept in order as the scan goes (a process manager
          // asks for its next due command on every tick): no sort of every match.
          const found: Document[] = []
          const consider = (doc: Document) => {
            if (!matches(doc)) return
            if (limit === undefined) found.push(doc)
            else if (limit > 0 && (found.length < limit || order(doc, found[found.length - 1]!) < 0)) {
              let low = 0
              for (let high = found.length; low < high; ) {
                const middle = (low + high) >>> 1
                if (order(found[middle]!, doc) < 0) low = middle + 1
                else high = middle
              }
              found.splice(low, 0, doc)
              if (found.length > limit) found.pop()
            }
          }
          // Once every document has been parsed (the order of the scan does not matter: the answer is
          // put in order), scan those without looking each up.
          if (collection.parsed.size === collection.json.size)
            for (const doc of collection.parsed.values()) consider(doc)
          else for (const id of collection.json.keys()) consider(parsedOf(collection, id) as Document)
          if (limit === undefined) found.sort(order)
          return found.map((doc) => collection.format.decode(doc._id, collection.json.get(doc._id) as string))
        },
        findByIds: async (ids) => {
          const { json, format } = collectionOf(name)
          return ids.flatMap((id) => {
            const text = json.get(id)
            return text === undefined ? [] : [format.decode(id, text)]
          })
        },
        write: async (operations) => {
          const collection = collectionOf(name)
          const { json } = collection
          for (const op of operations) {
            if (op.kind === 'delete') {
              json.delete(op.id)
              collection.parsed.delete(op.id)
            } else if (op.kind === 'increment') {
              const text = json.get(op.id)
              const current =
                text === undefined
                  ? undefined
                  : (collection.format.decode(op.id, text) as Record<string, unknown>)
              const stamp = current?.[batchStampField]
              if (typeof stamp === 'string' && stamp >= op.batch)
                throw new Error(`E11000 duplicate key ${op.id} in ${name}: batch ${op.batch} already applied`)
              const next: Record<string, unknown> = current ?? { _id: op.id, ...op.onInsert }
              for (const [field, amount] of Object.entries(op.by))
                next[field] = ((next[field] as number | undefined) ?? 0) + amount
              next[batchStampField] = op.batch
              store(collection, op.id, next as Document)
            } else if (op.kind === 'insert' && json.has(op.doc._id))
              throw new Error(`duplicate key ${op.doc._id} in ${name}`)
            else store(collection, op.doc._id, op.doc)
          }
        },
        compareAndSet: async (doc, expected) => {
          const collection = collectionOf(name)
          const exists = collection.json.has(doc._id)
          if (expected === 'absent' ? exists : !exists) return false
          if (expected !== 'absent') {
            assertFieldNames(Object.keys(expected))
            if (!matcher(expected)(parsedOf(collection, doc._id) as Document)) return false
          }
          store(collection, doc._id, doc)
          return true
        },
        drop: async () => {
          collections.delete(name)
        },
      }
    },
    incrementsInPlace: true,
    close: async () => undefined,
  }
}
