/**
 * What one projection's runner knows of its documents without asking the store: the documents it last
 * read or wrote (as stored, while it holds the lease), what a rebuild holds unwritten, and, when it
 * started its generation from nothing, which documents cannot exist yet. Most lookups of a rebuild are
 * for documents that do not exist yet, and most of the rest for documents a recent batch wrote: both
 * are answered here, and only the others are read from the store.
 *
 * A rebuild writes a generation that readers do not see until it is complete and that a crash throws
 * away, so its writes may wait: each document is then written once however many batches replaced it,
 * and each counter once however many batches added to it.
 */
import type { Document, ReadModelCollection, WriteOperation } from '../readModelStore/port.js'
import { keyOf, type ProjectedBatch } from './batch.js'
import type { Increment } from './projection.js'
import { recentDocuments } from './recentDocuments.js'
import { type WrittenDocuments, writtenDocuments } from './writtenDocuments.js'

/**
 * How many documents a runner remembers writing, to skip lookups of absent ones: 8 to 16 bytes each
 * outside V8's heap, at most 32 MiB (48 while it grows). A rebuild of the bench's events writes about
 * one document for every three events, so ten million events stay within it.
 */
const knownDocumentsLimit = 4_000_000

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
  /**
   * Holds a rebuild's increments unwritten, summed per counter, each stamped with the end of the last
   * batch that added to it. (Projections never read what they count, nor replace it.)
   */
  readonly holdIncrements: (increments: ProjectedBatch['increments'], batch: string) => void
  /** How many documents and counters are held unwritten. */
  readonly unwrittenCount: () => number
  /** Writes what is held unwritten: documents, then counters, one request per collection each. */
  readonly writeUnwritten: () => Promise<void>
}

/** Groups operations by collection, in the order they come. */
const byCollection = (held: Iterable<{ readonly collection: string; readonly op: WriteOperation }>) => {
  const grouped = new Map<string, WriteOperation[]>()
  for (const { collection, op } of held) {
    const ops = grouped.get(collection)
    if (ops === undefined) grouped.set(collection, [op])
    else ops.push(op)
  }
  return grouped
}

interface HeldIncrement {
  readonly collection: string
  readonly id: string
  readonly by: Record<string, number>
  readonly onInsert: Increment['onInsert']
  batch: string
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
  // One increment per counter (what the batches added), by key.
  const incrementsHeld = new Map<string, HeldIncrement>()

  const peek = (key: string): Document | null | undefined => {
    const held = unwritten.get(key)?.op
    if (held !== undefined) return held.kind === 'put' || held.kind === 'insert' ? held.doc : null
    const doc = recent.get(key)
    if (doc !== undefined) return doc
    return known !== undefined && !known.mayHold(key) ? null : undefined
  }

  const writeReplacements = async () => {
    const grouped = byCollection(unwritten.values())
    unwritten.clear()
    for (const [name, ops] of grouped) await collection(name).write(ops)
  }

  const writeIncrements = async () => {
    const grouped = byCollection(
      [...incrementsHeld.values()].map((held) => ({
        collection: held.collection,
        op: {
          kind: 'increment',
          id: held.id,
          by: held.by,
          onInsert: held.onInsert,
          batch: held.batch,
        } as const,
      })),
    )
    incrementsHeld.clear()
    for (const [name, ops] of grouped) await collection(name).write(ops)
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
      // Not for what projections do (they never read what they count), but the store is never asked
      // for a counter short of what is held.
      if (missing.some((id) => incrementsHeld.has(keyOf(name, id)))) await writeIncrements()
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
    holdIncrements: (increments, batch) => {
      for (const [name, list] of increments)
        for (const inc of list) {
          const key = keyOf(name, inc.id)
          const held = incrementsHeld.get(key)
          if (held === undefined) {
            incrementsHeld.set(key, {
              collection: name,
              id: inc.id,
              by: { ...inc.by },
              onInsert: inc.onInsert,
              batch,
            })
            continue
          }
          // for-in, not Object.entries: this runs for every counter of every batch of a rebuild.
          for (const field in inc.by) held.by[field] = (held.by[field] ?? 0) + inc.by[field]!
          held.batch = batch
        }
    },
    unwrittenCount: () => unwritten.size + incrementsHeld.size,
    writeUnwritten: async () => {
      await writeReplacements()
      await writeIncrements()
    },
  }
}
