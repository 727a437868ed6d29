import {
  assertCollectionName,
  assertFieldNames,
  batchStampField,
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
            else if (op.kind === 'increment') {
              const json = docs.get(op.id)
              const current = json === undefined ? undefined : (JSON.parse(json) as Record<string, unknown>)
              const stamp = current?.[batchStampField]
              if (typeof stamp === 'string' && stamp >= op.batch)
                throw new Error(`E11000 duplicate key ${op.id} in ${name}: batch ${op.batch} already applied`)
              const next: Record<string, unknown> = current ?? { _id: op.id, ...op.onInsert }
              for (const [field, amount] of Object.entries(op.by))
                next[field] = ((next[field] as number | undefined) ?? 0) + amount
              next[batchStampField] = op.batch
              docs.set(op.id, JSON.stringify(next))
            } else if (op.kind === 'insert' && docs.has(op.doc._id))
              throw new Error(`duplicate key ${op.doc._id} in ${name}`)
            // Stored as JSON: what callers hold afterwards is never what is stored.
            else docs.set(op.doc._id, JSON.stringify(op.doc))
          }
        },
        compareAndSet: async (doc, expected) => {
          const docs = docsOf(name)
          const json = docs.get(doc._id)
          if (expected === 'absent' ? json !== undefined : json === undefined) return false
          if (expected !== 'absent') {
            assertFieldNames(Object.keys(expected))
            if (!matches(JSON.parse(json as string) as Document, expected)) return false
          }
          docs.set(doc._id, JSON.stringify(doc))
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
