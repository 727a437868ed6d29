import {
  serde as defaultSerde,
  type EventStore,
  type Position,
  positionFromString,
  positionToString,
  type RecordedEvent,
  type Serde,
  type StoredEvent,
} from '@property-services/infrastructure'
import { bufferTime, concatMap, filter, type Subscription } from 'rxjs'
import type { Document, ReadModelStore, WriteOperation } from '../readModelStore/port.js'
import { checkpointsCollection, currentGeneration, physicalName } from './generations.js'
import type { Projection, Put, View } from './projection.js'
import { type PoisonPolicy, type QuarantinedEvent, quarantineCollection, quarantineId } from './quarantine.js'

/** A projection stopped on an event it cannot handle. Its checkpoint stays before that event. */
export class ProjectionError extends Error {
  readonly code = 'ProjectionFailed'
  constructor(
    readonly projection: string,
    readonly streamName: string,
    readonly revision: number,
    readonly eventType: string,
    readonly position: string,
    readonly reason: unknown,
  ) {
    super(
      `projection ${projection} stopped at ${streamName} revision ${revision} (${eventType}, position ${position}): ${
        reason instanceof Error ? reason.message : String(reason)
      }`,
    )
    this.name = 'ProjectionError'
  }
}

export interface Progress {
  readonly projection: string
  readonly eventsProcessed: number
  readonly eventsPerSecond: number
  /** Events stored after the checkpoint. */
  readonly lagEvents: number
  /** Events set aside under the `quarantine` policy by this runner so far. */
  readonly quarantined: number
  readonly position: string | null
}

export interface RunnerOptions {
  readonly events: EventStore
  readonly readModels: ReadModelStore
  readonly projection: Projection
  /** Events per batch; default 500. */
  readonly batchSize?: number
  /** When live, the longest an event waits for its batch to fill; default 50 ms. */
  readonly batchMs?: number
  /** Which generation of the read model to write; default the one readers currently use. */
  readonly generation?: number
  readonly serde?: Serde
  /**
   * What to do with a stored event that cannot be decoded or projected: `stop` (default) rejects with a
   * {@link ProjectionError} and keeps the checkpoint before it; `quarantine` records it in the
   * `projection_quarantine` collection (see `quarantinedEvents`), reports it through progress, and goes on.
   */
  readonly onPoison?: PoisonPolicy
  /** Called after every batch; a returned promise is awaited before the next batch. */
  readonly onProgress?: (progress: Progress) => void | Promise<void>
}

interface Checkpoint extends Document {
  readonly position: string | null
  /** Before-images of a batch being written: present only between the two checkpoint writes. */
  readonly pending: { readonly position: string; readonly before: readonly BeforeImage[] } | null
}
interface BeforeImage {
  readonly collection: string
  readonly id: string
  readonly doc: Document | null
}

class Missing extends Error {
  constructor(readonly keys: readonly string[]) {
    super('missing documents')
  }
}

/** The document with `_id` first, as MongoDB stores it, so documents compare equal across stores. */
const withId = (id: string, doc: Document): Document => {
  const { _id, ...fields } = doc
  return { _id: id, ...fields }
}

// A document's key in the batch's maps. JSON, so no id (which may hold any text) can be mistaken for
// a separator: splitKey(keyOf(c, id)) is [c, id] whatever the characters of id.
const keyOf = (collection: string, id: string) => JSON.stringify([collection, id])
const splitKey = (key: string) => JSON.parse(key) as [string, string]

/**
 * Runs a projection over the event store with an exactly-once effect over at-least-once delivery.
 *
 * A batch is projected in memory (documents loaded once, changes coalesced), then written as whole
 * documents in three steps: (1) the checkpoint document records the before-images of every document
 * the batch changes, (2) one ordered bulk write per collection, (3) the checkpoint moves and the
 * before-images are dropped. Each step is a single-document write or idempotent, so a crash anywhere
 * leaves either the old read model or a recorded undo: on start, the runner restores the before-images
 * and resumes from the checkpoint. Replaying from zero, resuming after any crash, and any batch size
 * all give the read model of one clean pass. No transactions are needed (FerretDB v1 has none).
 */
export const projectionRunner = (options: RunnerOptions) => {
  const { events, readModels, projection } = options
  const batchSize = options.batchSize ?? 500
  const codec = options.serde ?? defaultSerde()
  const checkpoints = readModels.collection(checkpointsCollection)
  let generation = options.generation
  let checkpointId = ''
  let position: Position | undefined
  let processed = 0
  let quarantinedCount = 0
  const onPoison = options.onPoison ?? 'stop'
  const started = performance.now()

  const physical = (collection: string) =>
    readModels.collection(physicalName(projection.name, collection, generation ?? 1))

  const saveCheckpoint = (doc: Omit<Checkpoint, '_id'>) =>
    checkpoints.write([{ kind: 'put', doc: { _id: checkpointId, ...doc } }])

  /** Loads the checkpoint, undoing a batch a crash interrupted. */
  const recover = async () => {
    generation ??= Math.max(1, await currentGeneration(readModels, projection.name))
    checkpointId = `${projection.name}_g${generation}`
    const [stored] = (await checkpoints.findByIds([checkpointId])) as Checkpoint[]
    if (stored?.pending) {
      const byCollection = new Map<string, WriteOperation[]>()
      for (const image of stored.pending.before) {
        const ops = byCollection.get(image.collection) ?? []
        ops.push(image.doc === null ? { kind: 'delete', id: image.id } : { kind: 'put', doc: image.doc })
        byCollection.set(image.collection, ops)
      }
      for (const [collection, ops] of byCollection) await physical(collection).write(ops)
      await saveCheckpoint({ position: stored.position, pending: null })
    }
    position = stored?.position ? positionFromString(stored.position) : undefined
  }

  /** A poisoned event: stops the runner, or is set aside, by policy. */
  const poisoned = (stored: StoredEvent, error: unknown, quarantine: QuarantinedEvent[]): void => {
    const failure = new ProjectionError(
      projection.name,
      stored.streamName,
      stored.revision,
      stored.type,
      positionToString(stored.position),
      error,
    )
    if (onPoison === 'stop') throw failure
    const position = positionToString(stored.position)
    quarantine.push({
      _id: quarantineId(projection.name, generation ?? 1, position),
      projection: projection.name,
      generation: generation ?? 1,
      position,
      streamName: stored.streamName,
      revision: stored.revision,
      eventType: stored.type,
      eventId: stored.eventId,
      error: failure.message.slice(0, 2_000),
    })
  }

  const processBatch = async (batch: readonly StoredEvent[]) => {
    if (batch.length === 0) return
    const quarantine: QuarantinedEvent[] = []
    const byPosition = new Map<RecordedEvent, StoredEvent>()
    const recorded: RecordedEvent[] = []
    for (const stored of batch) {
      try {
        // Read models hold no personal data: projections see it sealed, as erased.
        const r = codec.decode(stored, { personalData: false })
        recorded.push(r)
        byPosition.set(r, stored)
      } catch (error) {
        poisoned(stored, error, quarantine)
      }
    }
    const working = new Map<string, Document | null>()
    const original = new Map<string, Document | null>()
    const load = async (keys: Iterable<string>) => {
      const byCollection = new Map<string, string[]>()
      for (const key of keys) {
        if (working.has(key)) continue
        const [collection, id] = splitKey(key)
        const ids = byCollection.get(collection)
        if (ids === undefined) byCollection.set(collection, [id])
        else ids.push(id)
      }
      for (const [collection, ids] of byCollection) {
        const found = new Map((await physical(collection).findByIds(ids)).map((doc) => [doc._id, doc]))
        for (const id of ids) {
          const doc = found.get(id) ?? null
          working.set(keyOf(collection, id), doc)
          original.set(keyOf(collection, id), doc)
        }
      }
    }
    // Discovery: run the batch against what is loaded, noting every document read or written that is
    // not loaded, and load them in bulk. Two rounds cover documents found through other documents (a
    // complaint, then its bucket); the real pass below loads any stragglers one by one.
    for (let round = 0; round < 2; round++) {
      const missing = new Set<string>()
      const scratch = new Map<string, Document | null>()
      const view: View = {
        get: (collection, id) => {
          const key = keyOf(collection, id)
          if (scratch.has(key)) return scratch.get(key) ?? undefined
          if (working.has(key)) return working.get(key) ?? undefined
          missing.add(key)
          return undefined
        },
      }
      for (const r of recorded) {
        try {
          for (const put of projection.project(r, view)) {
            const key = keyOf(put.collection, put.id)
            // Written documents need their before-images too, even when never read.
            if (!scratch.has(key) && !working.has(key)) missing.add(key)
            scratch.set(key, put.doc)
          }
        } catch {
          // a speculative run may fail on documents not loaded yet; the real pass reports real failures
        }
      }
      if (missing.size === 0) break
      await load(missing)
    }
    const dirty = new Set<string>()
    for (const r of recorded) {
      for (;;) {
        const view: View = {
          get: (collection, id) => {
            const key = keyOf(collection, id)
            if (!working.has(key)) throw new Missing([key])
            return working.get(key) ?? undefined
          },
        }
        let puts: readonly Put[]
        try {
          puts = projection.project(r, view)
        } catch (error) {
          if (error instanceof Missing) {
            await load(error.keys)
            continue
          }
          poisoned(byPosition.get(r) as StoredEvent, error, quarantine)
          break
        }
        for (const put of puts) {
          const key = keyOf(put.collection, put.id)
          if (!working.has(key)) await load([key])
          working.set(key, put.doc === null ? null : withId(put.id, put.doc))
          dirty.add(key)
        }
        break
      }
    }
    // Quarantine entries are keyed by position: a batch replayed after a crash rewrites the same ones.
    if (quarantine.length > 0)
      await readModels.collection(quarantineCollection).write(quarantine.map((doc) => ({ kind: 'put', doc })))
    const last = batch[batch.length - 1] as StoredEvent
    const changed = [...dirty].filter(
      (key) => JSON.stringify(working.get(key)) !== JSON.stringify(original.get(key)),
    )
    if (changed.length > 0) {
      const before = changed.map((key) => {
        const [collection, id] = splitKey(key)
        return { collection, id, doc: original.get(key) ?? null }
      })
      const current = position === undefined ? null : positionToString(position)
      await saveCheckpoint({
        position: current,
        pending: { position: positionToString(last.position), before },
      })
      const byCollection = new Map<string, WriteOperation[]>()
      for (const key of changed) {
        const [collection, id] = splitKey(key)
        const doc = working.get(key) ?? null
        // A document absent when loaded is still absent (one writer; recovery ran first): insert it.
        const op: WriteOperation =
          doc === null
            ? { kind: 'delete', id }
            : original.get(key) === null
              ? { kind: 'insert', doc }
              : { kind: 'put', doc }
        const ops = byCollection.get(collection)
        if (ops === undefined) byCollection.set(collection, [op])
        else ops.push(op)
      }
      for (const [collection, ops] of byCollection) await physical(collection).write(ops)
    }
    await saveCheckpoint({ position: positionToString(last.position), pending: null })
    position = last.position
    processed += batch.length
    quarantinedCount += quarantine.length
  }

  const report = async () => {
    if (options.onProgress === undefined) return
    const seconds = (performance.now() - started) / 1000
    await options.onProgress({
      projection: projection.name,
      eventsProcessed: processed,
      eventsPerSecond: seconds > 0 ? processed / seconds : 0,
      lagEvents: await events.countAfter(position),
      quarantined: quarantinedCount,
      position: position === undefined ? null : positionToString(position),
    })
  }

  /** Processes every stored event after the checkpoint, in batches, then returns. */
  const catchUp = async (shouldStop: () => boolean = () => false): Promise<void> => {
    await recover()
    while (!shouldStop()) {
      const page = await events.readAll(
        position === undefined ? { maxCount: batchSize } : { after: position, maxCount: batchSize },
      )
      await processBatch(page.events)
      // A page of nothing but skipped events (EventStoreDB system events) still moves the reading on.
      if (page.events.length === 0) position = page.lastPosition ?? position
      await report()
      if (page.isEnd) return
    }
  }

  /** Catches up, then follows new events live in batches (by size and time) until stopped. */
  const start = () => {
    let subscription: Subscription | undefined
    let stopped = false
    // The batch being written, if any: stopping waits for it, so a stopped runner writes nothing more.
    let inFlight: Promise<void> = Promise.resolve()
    let fail: (error: unknown) => void = () => undefined
    let finish: () => void = () => undefined
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve
      fail = reject
    })
    const running = (async () => {
      await catchUp(() => stopped)
      if (stopped) return finish()
      subscription = events
        .subscribeToAll(position === undefined ? {} : { after: position })
        .pipe(
          bufferTime(options.batchMs ?? 50, null, batchSize),
          filter((batch) => batch.length > 0 && !stopped),
          concatMap((batch) => {
            inFlight = processBatch(batch).then(report)
            return inFlight
          }),
        )
        .subscribe({ error: fail, complete: finish })
    })().catch(fail)
    return {
      done,
      /** Stops following, and resolves once the batch being written (if any) is written. */
      stop: async () => {
        stopped = true
        subscription?.unsubscribe()
        await running
        await inFlight.catch(() => undefined)
        finish()
        await done.catch(() => undefined)
      },
    }
  }

  return {
    catchUp,
    start,
    get position() {
      return position
    },
  }
}
