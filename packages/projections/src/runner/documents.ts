/**
 * What one projection's runner knows of its documents without asking the store: the documents it last
 * read or wrote (as stored, while it holds the lease), those a rebuild holds unwritten, and, when it
 * started its generation from nothing, which documents cannot exist yet. Most lookups of a rebuild are
 * for documents that do not exist yet, and most of the rest for documents a recent batch wrote: both
 * are answered here, and only the others are read from the store.
 */
import type { Document, ReadModelCollection, WriteOperation } from '../readModelStore/port.js'
import { keyOf, type ProjectedBatch } from './batch.js'
import { recentDocuments } from './recentDocuments.js'
import { type WrittenDocuments, writtenDocuments } from './writtenDocuments.js'

/** How many documents a runner remembers writing, to skip lookups of absent ones (about 21 bytes each). */
const knownDocumentsLimit = 1_000_000

/**
 * How many documents a runner keeps as it last read or wrote them, per projection: enough for the
 * documents a few batches share (a complaint's summary, rewritten at each step of its handling), a few
 * tens of MiB at most.
 */
const recentDocumentsLimit = 5_000

export interface RunnerDocuments {
  /**
   * A document as known without asking the store: as last read or written (or held unwritten), `null`
   * when known absent, undefined when only the store can tell.
   */
  readonly peek: (key: string) => Document | null | undefined
  /**
   * Documents of one collection by id, absent ones left out: those known from memory, those known to be
   * absent not at all, the rest from the store (and then kept).
   */
  readonly load: (collection: string, ids: readonly string[]) => Promise<readonly Document[]>
  /** Notes what a batch wrote, or holds unwritten: the documents as they now are. */
  readonly remember: (projected: ProjectedBatch) => void
  /**
   * Holds a rebuild's replacements unwritten, one operation per document: what the store has of it
   * decides the operation (never written: insert; written before: put, or delete), and the document's
   * last change its content.
   */
  readonly holdUnwritten: (replacements: ProjectedBatch['replacements']) => void
  /** How many documents are held unwritten. */
  readonly unwrittenCount: () => number
  /** Writes what is held unwritten, one request per collection. */
  readonly writeUnwritten: () => Promise<void>
}

export const runnerDocuments = (options: {
  /** The collection of the projection's generation, by its logical name. */
  readonly collection: (name: string) => ReadModelCollection
  /**
   * Whether the runner starts its generation from nothing (no checkpoint, no batch pending): then
   * every document will be its own, and any it has not written is known to be absent.
   */
  readonly fromNothing: boolean
}): RunnerDocuments => {
  const { collection } = options
  // Dropped past `knownDocumentsLimit`; absent when not starting afresh.
  let known: WrittenDocuments | undefined = options.fromNothing ? writtenDocuments() : undefined
  const recent = recentDocuments<Document>(recentDocumentsLimit)
  // One write per document (the last change decides), by key.
  const unwritten = new Map<string, { readonly collection: string; readonly op: WriteOperation }>()

  const peek = (key: string): Document | null | undefined => {
    const held = unwritten.get(key)?.op
    if (held !== undefined) return held.kind === 'put' || held.kind === 'insert' ? held.doc : null
    const doc = recent.get(key)
    if (doc !== undefined) return doc
    return known !== undefined && !known.mayHold(key) ? null : undefined
  }

  return {
    peek,
    load: async (name, ids) => {
      const found: Document[] = []
      const missing: string[] = []
      for (const id of ids) {
        const doc = peek(keyOf(name, id))
        if (doc === undefined) missing.push(id)
        else if (doc !== null) found.push(doc)
      }
      if (missing.length === 0) return found
      const loaded = await collection(name).findByIds(missing)
      const byId = new Map(loaded.map((doc) => [doc._id, doc]))
      for (const id of missing) recent.set(keyOf(name, id), byId.get(id) ?? null)
      return [...found, ...loaded]
    },
    remember: (projected) => {
      for (const [name, ops] of projected.replacements)
        for (const op of ops) {
          if (op.kind === 'increment') continue
          const key = keyOf(name, op.kind === 'delete' ? op.id : op.doc._id)
          recent.set(key, op.kind === 'delete' ? null : op.doc)
          // A deletion stays noted: the document is then looked up when needed, and found absent.
          known?.add(key)
        }
      // Counters added to in the store are not kept as they now are; they exist, though.
      for (const [name, increments] of projected.increments)
        for (const inc of increments) {
          recent.forget(keyOf(name, inc.id))
          known?.add(keyOf(name, inc.id))
        }
      if (known !== undefined && known.size() > knownDocumentsLimit) known = undefined
    },
    holdUnwritten: (replacements) => {
      for (const [name, ops] of replacements)
        for (const op of ops) {
          const key = keyOf(name, op.kind === 'put' || op.kind === 'insert' ? op.doc._id : op.id)
          const held = unwritten.get(key)?.op
          // Inserted and not yet written: the store has nothing of it.
          const storeHasNone = held === undefined ? op.kind === 'insert' : held.kind === 'insert'
          if (op.kind === 'delete') {
            if (storeHasNone) unwritten.delete(key)
            else unwritten.set(key, { collection: name, op })
          } else if (op.kind === 'put' || op.kind === 'insert')
            unwritten.set(key, {
              collection: name,
              op: { kind: storeHasNone ? 'insert' : 'put', doc: op.doc },
            })
        }
    },
    unwrittenCount: () => unwritten.size,
    writeUnwritten: async () => {
      if (unwritten.size === 0) return
      const byCollection = new Map<string, WriteOperation[]>()
      for (const { collection: name, op } of unwritten.values()) {
        const ops = byCollection.get(name)
        if (ops === undefined) byCollection.set(name, [op])
        else ops.push(op)
      }
      unwritten.clear()
      for (const [name, ops] of byCollection) await collection(name).write(ops)
    },
  }
}
