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
  constructor(readonly slot: Slot) {
    super(`document ${slot.key} not loaded`)
  }
}

// A document's key where one string names it (what the runner knows of its documents, documents.ts):
// collection names are code's identifiers (never a NUL), so the first NUL ends the collection, and an
// id (which may hold any text, NULs included) follows whole.
export const keyOf = (collection: string, id: string) => `${collection}\u0000${id}`

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

/** Counters summed over a batch, for one document. */
type Sum = Omit<Increment, 'collection'>

const sumOf = (change: Increment): Sum => ({ id: change.id, by: { ...change.by }, onInsert: change.onInsert })
const addTo = (sum: Sum, change: Increment) => {
  const by = sum.by as Record<string, number>
  // for-in, not Object.entries: this runs for every counter of every increment of a rebuild.
  for (const field in change.by) by[field] = (by[field] ?? 0) + change.by[field]!
}

/**
 * One document the batch reads, replaces or counts in: everything the batch knows of it, found by one
 * lookup (a rebuild looks documents up several times a change; most of its bookkeeping was lookups).
 */
interface Slot {
  readonly key: string
  readonly collection: string
  readonly id: string
  /** Whether the document as stored before the batch is known (loaded, or known to the caller). */
  known: boolean
  /** As stored before the batch (null: absent): the before-image. */
  original: Document | null
  /** As the batch has left it so far. */
  current: Document | null
  /** Whether the batch replaced it (then it is in `replaced`, once). */
  replaced: boolean
  /** What the batch adds to its counters (then it is in `incremented`, once). */
  sum: Sum | undefined
  /**
   * Whether projecting read or replaced it. A projection never counts in a document it reads or
   * replaces, nor reads or replaces one it counts in, in either order: the runner writes counters
   * without reading them.
   */
  touched: boolean
  /** The trial run the fields below belong to: those of an earlier round are stale. */
  trial: number
  /** Whether the trial run replaced it, with `scratch`. */
  scratched: boolean
  scratch: Document | null
  trialSum: Sum | undefined
  trialTouched: boolean
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
  // By collection, then id: the collection's name is one of a few constants, and the id is hashed
  // once, not joined to it into a new key for every lookup.
  const slotsByCollection = new Map<string, Map<string, Slot>>()
  const slotOf = (collection: string, id: string): Slot => {
    let slots = slotsByCollection.get(collection)
    if (slots === undefined) {
      slots = new Map()
      slotsByCollection.set(collection, slots)
    }
    let slot = slots.get(id)
    if (slot === undefined) {
      slot = {
        key: keyOf(collection, id),
        collection,
        id,
        known: false,
        original: null,
        current: null,
        replaced: false,
        sum: undefined,
        touched: false,
        trial: -1,
        scratched: false,
        scratch: null,
        trialSum: undefined,
        trialTouched: false,
      }
      slots.set(id, slot)
    }
    return slot
  }
  const replaced: Slot[] = []
  const incremented: Slot[] = []
  const replace = (slot: Slot, doc: Document | null) => {
    slot.current = doc
    if (!slot.replaced) {
      slot.replaced = true
      replaced.push(slot)
    }
  }

  /**
   * Whether the document is known, taking it in from what the caller knows when it can: then a trial
   * run reads it at once, instead of missing it and running again after a load.
   */
  const held = (slot: Slot): boolean => {
    if (slot.known) return true
    const known = peek(slot.key)
    if (known === undefined) return false
    slot.known = true
    slot.original = known
    slot.current = known
    return true
  }

  const loadSlots = async (slots: Iterable<Slot>) => {
    const byCollection = new Map<string, Set<Slot>>()
    for (const slot of slots) {
      if (held(slot)) continue
      const list = byCollection.get(slot.collection)
      if (list === undefined) byCollection.set(slot.collection, new Set([slot]))
      else list.add(slot)
    }
    for (const [collection, list] of byCollection) {
      const docs = await load(
        collection,
        [...list].map((slot) => slot.id),
      )
      const found = new Map(docs.map((doc) => [doc._id, doc]))
      for (const slot of list) {
        const doc = found.get(slot.id) ?? null
        slot.known = true
        slot.original = doc
        slot.current = doc
      }
    }
  }

  const readsOf = (read: (slot: Slot) => Document | undefined): View => ({
    get: (collection, id) => {
      const slot = slotOf(collection, id)
      if (slot.sum !== undefined)
        throw new Error(`projection ${projection.name} reads ${collection}/${id}, which it increments`)
      return read(slot)
    },
  })

  const loaded = readsOf((slot) => slot.current ?? undefined)
  /** Whether a trial run gave the batch's changes whole, so that no real pass is needed. */
  let projected = false
  if (projection.prefetch !== undefined) {
    for (let round = 0; round < 4; round++) {
      const missing = new Set<Slot>()
      for (const { recorded } of events) {
        if (turnDue()) await turn()
        for (const [collection, id] of projection.prefetch(recorded, loaded)) {
          const slot = slotOf(collection, id)
          if (!held(slot)) missing.add(slot)
        }
      }
      if (missing.size === 0) break
      await loadSlots(missing)
    }
  } else {
    // Trial runs find what the batch reads through other documents (a complaint, then its owner's
    // history): each round loads, in one request per collection, what the previous round missed.
    // Documents a trial run only replaced need loading (for their before-images) but change nothing
    // it did. Projecting is pure: a run that missed no read and threw nothing gave the real pass's
    // changes, and they are taken as they are.
    for (let round = 0; round < 2; round++) {
      const missingReads = new Set<Slot>()
      const missingPuts = new Set<Slot>()
      const scratched: Slot[] = []
      const summed: Slot[] = []
      let clean = true
      /** The slot with this trial's fields, those of an earlier trial cleared. */
      const inTrial = (slot: Slot): Slot => {
        if (slot.trial !== round) {
          slot.trial = round
          slot.scratched = false
          slot.scratch = null
          slot.trialSum = undefined
          slot.trialTouched = false
        }
        return slot
      }
      const view = readsOf((found) => {
        const slot = inTrial(found)
        // As the real pass will: a read of what the batch increments fails the event.
        if (slot.trialSum !== undefined) throw new Error(`reads ${slot.key}, which it increments`)
        slot.trialTouched = true
        if (slot.scratched) return slot.scratch ?? undefined
        if (held(slot)) return slot.current ?? undefined
        missingReads.add(slot)
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
          const slot = inTrial(slotOf(change.collection, change.id))
          // What the real pass refuses is left to it (see `touched`).
          if (isIncrement(change)) {
            if (slot.trialTouched) clean = false
            if (slot.trialSum === undefined) {
              slot.trialSum = sumOf(change)
              summed.push(slot)
            } else addTo(slot.trialSum, change)
            continue
          }
          if (slot.trialSum !== undefined) clean = false
          slot.trialTouched = true
          if (!slot.scratched) {
            if (!held(slot)) missingPuts.add(slot)
            slot.scratched = true
            scratched.push(slot)
          }
          slot.scratch = change.doc === null ? null : withId(change.id, change.doc)
        }
      }
      if (missingReads.size === 0) {
        await loadSlots(missingPuts)
        if (clean) {
          for (const slot of scratched) replace(slot, slot.scratch)
          for (const slot of summed) {
            slot.sum = slot.trialSum
            incremented.push(slot)
          }
          projected = true
        }
        break
      }
      await loadSlots([...missingReads, ...missingPuts])
    }
  }

  const view = readsOf((slot) => {
    if (!held(slot)) throw new Missing(slot)
    slot.touched = true
    return slot.current ?? undefined
  })
  for (const event of events) {
    if (projected) break
    if (turnDue()) await turn()
    for (;;) {
      let changes: ReturnType<Projection['project']>
      try {
        changes = projection.project(event.recorded, view)
      } catch (error) {
        if (error instanceof Missing) {
          await loadSlots([error.slot])
          continue
        }
        failed(event, error)
        break
      }
      for (const change of changes) {
        const slot = slotOf(change.collection, change.id)
        if (isIncrement(change)) {
          if (slot.touched)
            throw new Error(
              `projection ${projection.name} increments ${change.collection}/${change.id}, which it reads or replaces`,
            )
          if (slot.sum === undefined) {
            slot.sum = sumOf(change)
            incremented.push(slot)
          } else addTo(slot.sum, change)
          continue
        }
        if (slot.sum !== undefined)
          throw new Error(
            `projection ${projection.name} replaces ${change.collection}/${change.id}, which it increments`,
          )
        if (!held(slot)) await loadSlots([slot])
        slot.touched = true
        replace(slot, change.doc === null ? null : withId(change.id, change.doc))
      }
      break
    }
  }

  if (!incrementsInPlace && incremented.length > 0) {
    await loadSlots(incremented)
    for (const slot of incremented) {
      const { id, by, onInsert } = slot.sum!
      const next: Record<string, unknown> =
        slot.current === null ? { _id: id, ...onInsert } : { ...slot.current }
      for (const [field, amount] of Object.entries(by)) next[field] = ((next[field] as number) ?? 0) + amount
      slot.sum = undefined
      replace(slot, next as Document)
    }
    incremented.length = 0
  }

  const replacements = new Map<string, WriteOperation[]>()
  const before: BeforeImage[] = []
  for (const { collection, id, current: doc, original: was } of replaced) {
    if (doc === null && was === null) continue
    before.push({ collection, id, doc: was })
    // A document absent when loaded is still absent (one writer; recovery ran first): insert it.
    const op: WriteOperation =
      doc === null ? { kind: 'delete', id } : was === null ? { kind: 'insert', doc } : { kind: 'put', doc }
    const ops = replacements.get(collection)
    if (ops === undefined) replacements.set(collection, [op])
    else ops.push(op)
  }
  const increments = new Map<string, Sum[]>()
  for (const { collection, sum } of incremented) {
    const list = increments.get(collection)
    if (list === undefined) increments.set(collection, [sum!])
    else list.push(sum!)
  }
  return { replacements, before, increments }
}
