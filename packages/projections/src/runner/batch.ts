/**
 * Batch projection: one projection over one batch of decoded events, from the documents it reads to
 * the writes that carry the batch's effect. The documents it replaces are loaded once per batch (with
 * their before-images), counters are summed per document and never read, and nothing is written here.
 */
import type { RecordedEvent, StoredEvent } from '@property-services/infrastructure'
import type { Document, WriteOperation } from '../readModelStore/port.js'
import type { BeforeImage } from './checkpoint.js'
import { type Increment, isIncrement, type Projection, type View } from './projection.js'

export interface BatchEvent {
  readonly recorded: RecordedEvent
  readonly stored: StoredEvent
}

/** Loads documents of one collection by id; absent ones are simply not returned. */
export type Loader = (collection: string, ids: readonly string[]) => Promise<readonly Document[]>

export interface ProjectedBatch {
  /** Per collection, the whole documents to write (put, insert or delete), in a stable order. */
  readonly replacements: ReadonlyMap<string, readonly WriteOperation[]>
  /** The documents replaced, as they were before the batch: the undo record. */
  readonly before: readonly BeforeImage[]
  /** Per collection, the summed increments of the batch, one per document. */
  readonly increments: ReadonlyMap<string, ReadonlyArray<Omit<Increment, 'collection'>>>
}

class Missing extends Error {
  constructor(readonly key: string) {
    super(`document ${key} not loaded`)
  }
}

// A document's key in the batch's maps: collection names are code's identifiers (never a NUL), so the
// first NUL ends the collection, and an id (which may hold any text, NULs included) follows whole.
export const keyOf = (collection: string, id: string) => `${collection}\u0000${id}`
const splitKey = (key: string): [string, string] => {
  const at = key.indexOf('\u0000')
  return [key.slice(0, at), key.slice(at + 1)]
}

/** The document with `_id` first, as MongoDB stores it, so documents compare equal across stores. */
const withId = (id: string, doc: Document): Document => {
  const { _id, ...fields } = doc
  return { _id: id, ...fields }
}

/**
 * Projects a batch. `failed` is told of each event the projection throws on (it may rethrow to stop
 * the batch); the batch goes on without that event's changes.
 */
export const projectBatch = async (
  projection: Projection,
  events: readonly BatchEvent[],
  load: Loader,
  failed: (event: BatchEvent, error: unknown) => void,
  /** False when the store cannot increment cheaply: counters are then read and replaced whole. */
  incrementsInPlace = true,
): Promise<ProjectedBatch> => {
  const working = new Map<string, Document | null>()
  const original = new Map<string, Document | null>()
  const incremented = new Map<
    string,
    { collection: string; id: string; inc: Omit<Increment, 'collection'> }
  >()

  const loadKeys = async (keys: Iterable<string>) => {
    const byCollection = new Map<string, Set<string>>()
    for (const key of keys) {
      if (working.has(key)) continue
      const [collection, id] = splitKey(key)
      const ids = byCollection.get(collection)
      if (ids === undefined) byCollection.set(collection, new Set([id]))
      else ids.add(id)
    }
    for (const [collection, ids] of byCollection) {
      const found = new Map((await load(collection, [...ids])).map((doc) => [doc._id, doc]))
      for (const id of ids) {
        const doc = found.get(id) ?? null
        working.set(keyOf(collection, id), doc)
        original.set(keyOf(collection, id), doc)
      }
    }
  }

  const readsOf = (read: (key: string) => Document | undefined): View => ({
    get: (collection, id) => {
      const key = keyOf(collection, id)
      if (incremented.has(key))
        throw new Error(`projection ${projection.name} reads ${collection}/${id}, which it increments`)
      return read(key)
    },
  })

  const loaded = readsOf((key) => working.get(key) ?? undefined)
  if (projection.prefetch !== undefined) {
    for (let round = 0; round < 4; round++) {
      const keys = new Set<string>()
      for (const { recorded } of events)
        for (const [collection, id] of projection.prefetch(recorded, loaded)) {
          const key = keyOf(collection, id)
          if (!working.has(key)) keys.add(key)
        }
      if (keys.size === 0) break
      await loadKeys(keys)
    }
  } else {
    // Trial runs find what the batch reads through other documents (a complaint, then its owner's
    // history): each round loads, in one request per collection, what the previous round missed.
    for (let round = 0; round < 2; round++) {
      const missing = new Set<string>()
      const scratch = new Map<string, Document | null>()
      const view = readsOf((key) => {
        if (scratch.has(key)) return scratch.get(key) ?? undefined
        if (working.has(key)) return working.get(key) ?? undefined
        missing.add(key)
        return undefined
      })
      for (const { recorded } of events) {
        try {
          for (const change of projection.project(recorded, view)) {
            if (isIncrement(change)) continue
            const key = keyOf(change.collection, change.id)
            if (!scratch.has(key) && !working.has(key)) missing.add(key)
            scratch.set(key, change.doc)
          }
        } catch {
          // a trial run may fail on documents not loaded yet; the real pass reports real failures
        }
      }
      if (missing.size === 0) break
      await loadKeys(missing)
    }
  }

  const view = readsOf((key) => {
    if (!working.has(key)) throw new Missing(key)
    return working.get(key) ?? undefined
  })
  const replaced = new Set<string>()
  for (const event of events) {
    for (;;) {
      let changes: ReturnType<Projection['project']>
      try {
        changes = projection.project(event.recorded, view)
      } catch (error) {
        if (error instanceof Missing) {
          const keys = [error.key]
          await loadKeys(keys)
          continue
        }
        failed(event, error)
        break
      }
      for (const change of changes) {
        const key = keyOf(change.collection, change.id)
        if (isIncrement(change)) {
          if (working.has(key))
            throw new Error(
              `projection ${projection.name} increments ${change.collection}/${change.id}, which it reads`,
            )
          const sum = incremented.get(key)
          if (sum === undefined) {
            incremented.set(key, {
              collection: change.collection,
              id: change.id,
              inc: { id: change.id, by: { ...change.by }, onInsert: change.onInsert },
            })
          } else {
            const by = sum.inc.by as Record<string, number>
            for (const [field, amount] of Object.entries(change.by)) by[field] = (by[field] ?? 0) + amount
          }
          continue
        }
        if (!working.has(key)) await loadKeys([key])
        working.set(key, change.doc === null ? null : withId(change.id, change.doc))
        replaced.add(key)
      }
      break
    }
  }

  if (!incrementsInPlace && incremented.size > 0) {
    await loadKeys(incremented.keys())
    for (const [key, { id, inc }] of incremented) {
      const current = working.get(key) ?? null
      const next: Record<string, unknown> = current === null ? { _id: id, ...inc.onInsert } : { ...current }
      for (const [field, amount] of Object.entries(inc.by))
        next[field] = ((next[field] as number) ?? 0) + amount
      working.set(key, next as Document)
      replaced.add(key)
    }
    incremented.clear()
  }

  const replacements = new Map<string, WriteOperation[]>()
  const before: BeforeImage[] = []
  for (const key of replaced) {
    const [collection, id] = splitKey(key)
    const doc = working.get(key) ?? null
    const was = original.get(key) ?? null
    if (doc === null && was === null) continue
    before.push({ collection, id, doc: was })
    // A document absent when loaded is still absent (one writer; recovery ran first): insert it.
    const op: WriteOperation =
      doc === null ? { kind: 'delete', id } : was === null ? { kind: 'insert', doc } : { kind: 'put', doc }
    const ops = replacements.get(collection)
    if (ops === undefined) replacements.set(collection, [op])
    else ops.push(op)
  }
  const increments = new Map<string, Array<Omit<Increment, 'collection'>>>()
  for (const { collection, inc } of incremented.values()) {
    const list = increments.get(collection)
    if (list === undefined) increments.set(collection, [inc])
    else list.push(inc)
  }
  return { replacements, before, increments }
}
