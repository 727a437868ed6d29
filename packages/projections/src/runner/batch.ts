/**
 * Batch projection: one projection over one batch of decoded events, from the documents it reads to
 * the writes that carry the batch's effect. The documents it replaces are loaded once per batch (with
 * their before-images), counters are summed per document and never read, and nothing is written here.
 */
import { nextTurn, type RecordedEvent, type StoredEvent } from '@property-services/infrastructure'
import type { Document, WriteOperation } from '../readModelStore/port.js'
import type { BeforeImage } from './checkpoint.js'
import { type Change, type Increment, isIncrement, type Projection, type View } from './projection.js'

export interface BatchEvent {
  readonly recorded: RecordedEvent
  readonly stored: StoredEvent
}

/** Loads documents of one collection by id; absent ones are simply not returned. */
export type Loader = (collection: string, ids: readonly string[]) => Promise<readonly Document[]>

/**
 * What the caller already knows of a document without asking the store, by key (`keyOf`): the
 * document, `null` when it is known absent, undefined when only the store can tell.
 */
export type Peek = (key: string) => Document | null | undefined

export interface ProjectedBatch {
  /** Per collection, the whole documents to write (put, insert or delete), in a stable order. */
  readonly replacements: ReadonlyMap<string, readonly WriteOperation[]>
  /** The documents replaced, as they were before the batch: the undo record. */
  readonly before: readonly BeforeImage[]
  /** Per collection, the summed increments of the batch, one per document. */
  readonly increments: ReadonlyMap<string, ReadonlyArray<Omit<Increment, 'collection'>>>
}

/**
 * How long projecting goes on before the event loop turns: one read model's part of a batch of
 * thousands does not keep a process that embeds the runner from its requests and timers for long,
 * however slow its projecting (see `nextTurn`). Projecting is pure and the batch's working set its
 * own, so nothing changes meanwhile.
 */
const turnAfterMs = 20

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
  // Most projections build their documents so already: those are taken as they are.
  if (firstKey(doc) === '_id' && doc._id === id) return doc
  const { _id, ...fields } = doc
  return { _id: id, ...fields }
}
const firstKey = (doc: Document): string | undefined => {
  for (const key in doc) return key
  return undefined
}

/** A batch's increments summed per document, by key. */
type Sums = Map<string, { collection: string; id: string; inc: Omit<Increment, 'collection'> }>

const addIncrement = (sums: Sums, key: string, change: Increment) => {
  const sum = sums.get(key)
  if (sum === undefined) {
    sums.set(key, {
      collection: change.collection,
      id: change.id,
      inc: { id: change.id, by: { ...change.by }, onInsert: change.onInsert },
    })
    return
  }
  const by = sum.inc.by as Record<string, number>
  // for-in, not Object.entries: this runs for every counter of every increment of a rebuild.
  for (const field in change.by) by[field] = (by[field] ?? 0) + change.by[field]!
}

const someKey = (map: ReadonlyMap<string, unknown>, test: (key: string) => boolean) => {
  for (const key of map.keys()) if (test(key)) return true
  return false
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
  peek: Peek = () => undefined,
): Promise<ProjectedBatch> => {
  let turnedAt = performance.now()
  const turnDue = () => performance.now() - turnedAt >= turnAfterMs
  const turn = async () => {
    await nextTurn()
    turnedAt = performance.now()
  }
  const working = new Map<string, Document | null>()
  const original = new Map<string, Document | null>()
  const incremented: Sums = new Map()
  const replaced = new Set<string>()

  /**
   * Whether the document is in the working set, taking it in from what the caller knows when it can:
   * then a trial run reads it at once, instead of missing it and running again after a load.
   */
  const held = (key: string): boolean => {
    if (working.has(key)) return true
    const known = peek(key)
    if (known === undefined) return false
    working.set(key, known)
    original.set(key, known)
    return true
  }

  const loadKeys = async (keys: Iterable<string>) => {
    const byCollection = new Map<string, Set<string>>()
    for (const key of keys) {
      if (held(key)) continue
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
  /** Whether a trial run gave the batch's changes whole, so that no real pass is needed. */
  let projected = false
  if (projection.prefetch !== undefined) {
    for (let round = 0; round < 4; round++) {
      const keys = new Set<string>()
      for (const { recorded } of events) {
        if (turnDue()) await turn()
        for (const [collection, id] of projection.prefetch(recorded, loaded)) {
          const key = keyOf(collection, id)
          if (!held(key)) keys.add(key)
        }
      }
      if (keys.size === 0) break
      await loadKeys(keys)
    }
  } else {
    // Trial runs find what the batch reads through other documents (a complaint, then its owner's
    // history): each round loads, in one request per collection, what the previous round missed.
    // Documents a trial run only replaced need loading (for their before-images) but change nothing
    // it did. Projecting is pure: a run that missed no read and threw nothing gave the real pass's
    // changes, and they are taken as they are.
    for (let round = 0; round < 2; round++) {
      const missingReads = new Set<string>()
      const missingPuts = new Set<string>()
      const scratch = new Map<string, Document | null>()
      const sums: Sums = new Map()
      let clean = true
      const view = readsOf((key) => {
        // As the real pass will: a read of what the batch increments fails the event.
        if (sums.has(key)) throw new Error(`reads ${key}, which it increments`)
        if (scratch.has(key)) return scratch.get(key) ?? undefined
        if (held(key)) return working.get(key) ?? undefined
        missingReads.add(key)
        return undefined
      })
      for (const { recorded } of events) {
        if (turnDue()) await turn()
        let changes: readonly Change[]
        try {
          changes = projection.project(recorded, view)
        } catch {
          // a trial run may fail on documents not loaded yet; the real pass reports real failures
          clean = false
          continue
        }
        for (const change of changes) {
          const key = keyOf(change.collection, change.id)
          if (isIncrement(change)) {
            addIncrement(sums, key, change)
            continue
          }
          if (!scratch.has(key) && !held(key)) missingPuts.add(key)
          scratch.set(key, change.doc === null ? null : withId(change.id, change.doc))
        }
      }
      if (missingReads.size === 0) {
        await loadKeys(missingPuts)
        // Incrementing what the batch reads or replaces is refused by the real pass: left to it.
        if (clean && !someKey(sums, (key) => working.has(key))) {
          for (const [key, doc] of scratch) {
            working.set(key, doc)
            replaced.add(key)
          }
          for (const [key, sum] of sums) incremented.set(key, sum)
          projected = true
        }
        break
      }
      await loadKeys([...missingReads, ...missingPuts])
    }
  }

  const view = readsOf((key) => {
    if (!held(key)) throw new Missing(key)
    return working.get(key) ?? undefined
  })
  for (const event of projected ? [] : events) {
    if (turnDue()) await turn()
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
          addIncrement(incremented, key, change)
          continue
        }
        if (!held(key)) await loadKeys([key])
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
