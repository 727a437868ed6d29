import {
  assertCollectionName,
  assertFieldNames,
  type Condition,
  type Document,
  type Filter,
  type FindOptions,
  type ReadModelStore,
} from './port.js'

const valueAt = (doc: Document, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      doc,
    )

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

const compare = (a: unknown, b: unknown): number => {
  if (a === b) return 0
  if (a === undefined || a === null) return -1
  if (b === undefined || b === null) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a) < String(b) ? -1 : 1
}

const matches = (doc: Document, filter: Filter): boolean =>
  Object.entries(filter).every(([path, condition]: [string, Condition]) => {
    const value = valueAt(doc, path)
    if ('$eq' in condition) return same(value, condition.$eq)
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

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/**
 * Read models in memory, with the semantics of the MongoDB adapter for what the port offers
 * (documents are copied in and out, so callers cannot change what is stored).
 */
export const inMemoryReadModelStore = (): ReadModelStore => {
  const collections = new Map<string, Map<string, string>>()
  const docsOf = (name: string) => {
    let docs = collections.get(name)
    if (docs === undefined) {
      docs = new Map()
      collections.set(name, docs)
    }
    return docs
  }
  return {
    collection: (name) => {
      assertCollectionName(name)
      return {
        find: async (filter: Filter = {}, options: FindOptions = {}) => {
          assertFieldNames([...Object.keys(filter), ...Object.keys(options.sort ?? {})])
          const found = [...docsOf(name).values()]
            .map((json) => JSON.parse(json) as Document)
            .filter((d) => matches(d, filter))
          const sort = Object.entries(options.sort ?? { _id: 1 })
          found.sort((a, b) => {
            for (const [path, direction] of sort) {
              const order = compare(valueAt(a, path), valueAt(b, path))
              if (order !== 0) return order * direction
            }
            return compare(a._id, b._id)
          })
          return options.limit === undefined ? found : found.slice(0, options.limit)
        },
        findByIds: async (ids) => {
          const docs = docsOf(name)
          return ids.flatMap((id) => {
            const json = docs.get(id)
            return json === undefined ? [] : [JSON.parse(json) as Document]
          })
        },
        write: async (operations) => {
          const docs = docsOf(name)
          for (const op of operations) {
            if (op.kind === 'delete') docs.delete(op.id)
            else if (op.kind === 'insert' && docs.has(op.doc._id))
              throw new Error(`duplicate key ${op.doc._id} in ${name}`)
            else docs.set(op.doc._id, JSON.stringify(copy(op.doc)))
          }
        },
        drop: async () => {
          collections.delete(name)
        },
      }
    },
    close: async () => undefined,
  }
}
