/**
 * The documents a runner last read or wrote, by key (`keyOf(collection, id)`), absent ones as `null`:
 * while it holds the lease it is their one writer, so they are as stored, and a batch that needs one
 * again reads it here instead of from the store. Bounded: the least recently used go first. A runner
 * that fails a batch gives up its leases and, with them, these: what the batch left in the store is
 * for recovery to say, and the next catch-up starts with nothing kept.
 */
export interface RecentDocuments<D> {
  /** The document as last read or written; `null` when known absent; undefined when not kept. */
  readonly get: (key: string) => D | null | undefined
  readonly set: (key: string, doc: D | null) => void
  /** Forgets one document (changed in the store in a way not kept here, such as an increment). */
  readonly forget: (key: string) => void
}

export const recentDocuments = <D>(limit: number): RecentDocuments<D> => {
  // A Map keeps insertion order: re-inserting on use keeps the least recently used first.
  const docs = new Map<string, D | null>()
  return {
    get: (key) => {
      const doc = docs.get(key)
      if (doc !== undefined) {
        docs.delete(key)
        docs.set(key, doc)
      }
      return doc
    },
    set: (key, doc) => {
      docs.delete(key)
      docs.set(key, doc)
      if (docs.size > limit) docs.delete(docs.keys().next().value as string)
    },
    forget: (key) => {
      docs.delete(key)
    },
  }
}
