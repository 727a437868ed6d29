/**
 * The checkpoint protocol of one projection generation: where it has read to, the undo record of a
 * batch being written, and the lease that makes its runner the only writer.
 *
 * A batch is written in three steps: (1) the checkpoint records the batch's end and the before-images
 * of the documents it replaces; (2) the documents are written: replaced ones as whole documents,
 * counters as increments stamped with the batch (see `batchStamp`); (3) the checkpoint moves to the
 * batch's end and drops the before-images. After a crash anywhere, the next runner restores the
 * before-images and replays exactly that batch: replaced documents are written again from the same
 * state, and increments already stamped with the batch are skipped. So the effect is exactly once,
 * without transactions (FerretDB v1 has none).
 *
 * Step (3) of a batch waits for step (1) of the projection's next batch, which records both (the
 * position written to, and the new batch), or for the runner to go idle, stop or need its lease
 * renewed: one checkpoint write per batch instead of two. A crash in between finds the earlier batch
 * pending and replays it, as above. The before-images are stored as one JSON text: FerretDB 1.24 decodes
 * every field of every document in the collection on each checkpoint update, and a batch's
 * before-images are many fields (a checkpoint stored by an earlier version, with them as an array, is
 * read as well).
 *
 * Every checkpoint write is a compare-and-set on the lease token, and renews the lease. A runner that
 * has lost its lease (it paused past the lease's expiry and another took over) finds out at its next
 * checkpoint write, before writing any document of its next batch, and stops with `LeaseLost`.
 */
import { randomUUID } from 'node:crypto'
import {
  comparePositions,
  type EventStore,
  type Position,
  positionFromString,
} from '@property-services/infrastructure'
import type { Document, ReadModelStore, WriteOperation } from '../readModelStore/port.js'
import { checkpointsCollection, readersGeneration } from './generations.js'
import { partitionCountOf } from './partitions.js'

export interface BeforeImage {
  readonly collection: string
  readonly id: string
  readonly doc: Document | null
}

export interface Lease {
  /** Who holds it: a runner's `owner` name (by default a random id per runner). */
  readonly owner: string
  /** Grows by one with every acquisition; checkpoint writes are conditional on it. */
  readonly token: number
  /** Milliseconds since the epoch, by the holder's clock. */
  readonly expiresAt: number
}

export interface Checkpoint extends Document {
  readonly position: string | null
  /** The batch being written, or written but not yet checkpointed: from step (1) to step (3). */
  readonly pending: { readonly position: string; readonly before: readonly BeforeImage[] } | null
  readonly lease: Lease | null
  /**
   * The id of the first event of the log the read model was built from, which tells one log from
   * another; absent in checkpoints written before it was recorded, null while unknown.
   */
  readonly log?: string | null
}

/** A stored checkpoint whose undo record cannot be read: nothing is written until it is repaired. */
export class CorruptCheckpointError extends Error {
  readonly code = 'ProjectionCheckpointCorrupt'
  constructor(
    readonly checkpoint: string,
    readonly reason: string,
  ) {
    super(`checkpoint ${checkpoint} in ${checkpointsCollection}: ${reason}`)
    this.name = 'CorruptCheckpointError'
  }
}

/** As stored: the before-images as one JSON text (or, from earlier versions, as an array). */
const toStored = (checkpoint: Checkpoint): Document =>
  checkpoint.pending === null
    ? checkpoint
    : {
        ...checkpoint,
        pending: { position: checkpoint.pending.position, before: JSON.stringify(checkpoint.pending.before) },
      }

const fromStored = (id: string, stored: Document | undefined): Checkpoint | undefined => {
  const pending = stored?.pending as { position: unknown; before: unknown } | null | undefined
  if (stored === undefined || pending === null || pending === undefined)
    return stored as Checkpoint | undefined
  if (typeof pending.position !== 'string')
    throw new CorruptCheckpointError(id, 'the pending batch has no position')
  let before = pending.before
  if (typeof before === 'string') {
    try {
      before = JSON.parse(before)
    } catch {
      throw new CorruptCheckpointError(id, "the pending batch's before-images are not JSON text")
    }
  }
  const valid =
    Array.isArray(before) &&
    before.every(
      (image) =>
        typeof image === 'object' &&
        image !== null &&
        typeof image.collection === 'string' &&
        typeof image.id === 'string' &&
        (image.doc === null || (typeof image.doc === 'object' && typeof image.doc._id === 'string')),
    )
  if (!valid)
    throw new CorruptCheckpointError(
      id,
      "the pending batch's before-images are not a list of { collection, id, doc }",
    )
  return {
    ...(stored as Checkpoint),
    pending: { position: pending.position, before: before as BeforeImage[] },
  }
}

/** Another runner holds the projection's lease. */
export class LeaseHeldError extends Error {
  readonly code = 'ProjectionLeaseHeld'
  constructor(
    readonly projection: string,
    readonly holder: Lease,
  ) {
    super(
      `projection ${projection} is being written by runner ${holder.owner} (lease ${holder.token}, until ${new Date(holder.expiresAt).toISOString()})`,
    )
    this.name = 'LeaseHeldError'
  }
}

/** This runner's lease was taken over by another runner: it wrote nothing more and stopped. */
export class LeaseLostError extends Error {
  readonly code = 'ProjectionLeaseLost'
  constructor(
    readonly projection: string,
    readonly token: number,
  ) {
    super(`projection ${projection} lost its lease ${token} to another runner; this runner stopped writing`)
    this.name = 'LeaseLostError'
  }
}

const pad = (n: bigint) => n.toString().padStart(20, '0')

/** A position as text that sorts in the global order: the stamp of the batch that ends there. */
export const batchStamp = (position: Position): string => `${pad(position.commit)}/${pad(position.prepare)}`

/**
 * A runner pointed at another log than the one the read model was built from (another file or server,
 * a log made again): projecting it on top would mix two histories without an error. Nothing is written.
 */
export class ForeignLogError extends Error {
  readonly code = 'ProjectionForeignLog'
  constructor(
    readonly checkpoint: string,
    /** The first event id of the log the read model was built from. */
    readonly builtFrom: string,
    /** The first event id of the log the runner reads; undefined when that log is empty. */
    readonly given: string | undefined,
  ) {
    super(
      `checkpoint ${checkpoint}: its read model was built from a log whose first event is ${builtFrom}, and the log given ${
        given === undefined ? 'is empty' : `begins with ${given}`
      }: rebuild the read models from this log, or give the runner theirs`,
    )
    this.name = 'ForeignLogError'
  }
}

export interface LeaseOptions {
  /** This runner's name; a runner restarting under the same name takes its lease back at once. */
  readonly owner?: string
  /** How long a lease lasts without a checkpoint write; default 30 s. */
  readonly ttlMs?: number
  /** Milliseconds since the epoch; default `Date.now`. */
  readonly now?: () => number
  /**
   * The first event id of the log this runner reads (undefined: an empty log), recorded in the
   * checkpoint and checked against what it recorded: {@link ForeignLogError} when they differ. Not
   * given: nothing checked, what is recorded kept.
   */
  readonly log?: { readonly firstEventId: string | undefined }
}

const logOf = (checkpoint: Checkpoint | undefined): string | undefined =>
  typeof checkpoint?.log === 'string' ? checkpoint.log : undefined

/** Which log this is: the id of its first event (undefined while it is empty). */
export const firstEventIdOf = async (events: EventStore): Promise<string | undefined> =>
  (await events.readAll({ maxCount: 1 })).events[0]?.eventId

/** The checkpoint of one projection generation, held under a lease. */
export const checkpointOf = (
  readModels: ReadModelStore,
  projection: string,
  generation: number,
  options: LeaseOptions = {},
) => {
  const id = `${projection}_g${generation}`
  const checkpoints = readModels.collection(checkpointsCollection)
  const owner = options.owner ?? randomUUID()
  const ttlMs = options.ttlMs ?? 30_000
  const now = options.now ?? Date.now
  let token = 0
  let stored: Checkpoint | undefined

  const log = options.log
  /**
   * The log a checkpoint names: emptied, none (it may be built again from any log); holding something,
   * the one it came from, or this runner's when it was written before logs were recorded.
   */
  const logToRecord = (fields: Pick<Checkpoint, 'position' | 'pending'>, current: Checkpoint | undefined) =>
    fields.position === null && fields.pending === null ? null : (logOf(current) ?? log?.firstEventId ?? null)
  const save = async (fields: Pick<Checkpoint, 'position' | 'pending'>, expiresAt = now() + ttlMs) => {
    const next: Checkpoint = {
      _id: id,
      ...fields,
      lease: { owner, token, expiresAt },
      log: logToRecord(fields, stored),
    }
    if (!(await checkpoints.compareAndSet(toStored(next), { 'lease.token': { $eq: token } })))
      throw new LeaseLostError(projection, token)
    stored = next
  }

  return {
    id,
    owner,
    /**
     * Takes the lease if it is free, expired or this owner's; resolves the checkpoint as stored. Throws
     * {@link LeaseHeldError} when another runner holds it.
     */
    acquire: async (): Promise<Checkpoint> => {
      for (;;) {
        const found = fromStored(id, (await checkpoints.findByIds([id]))[0])
        const held = found?.lease ?? null
        if (held !== null && held.owner !== owner && held.expiresAt > now())
          throw new LeaseHeldError(projection, held)
        const builtFrom = logOf(found)
        if (log !== undefined && typeof builtFrom === 'string' && builtFrom !== log.firstEventId)
          throw new ForeignLogError(id, builtFrom, log.firstEventId)
        const kept = { position: found?.position ?? null, pending: found?.pending ?? null }
        const next: Checkpoint = {
          _id: id,
          ...kept,
          lease: { owner, token: (held?.token ?? 0) + 1, expiresAt: now() + ttlMs },
          log: logToRecord(kept, found),
        }
        // Two runners may race here: the compare-and-set lets one through; the other looks again.
        const expected = found === undefined ? 'absent' : { 'lease.token': { $eq: held?.token ?? null } }
        if (await checkpoints.compareAndSet(toStored(next), expected)) {
          token = next.lease?.token ?? 0
          stored = next
          return next
        }
      }
    },
    /**
     * Step (1): the batch ending at `position` is about to replace these documents; everything up to
     * `writtenTo` (default: the stored position) is written, which also stands for step (3) of the
     * projection's batch before.
     */
    begin: (position: string, before: readonly BeforeImage[], writtenTo = stored?.position ?? null) =>
      save({ position: writtenTo, pending: { position, before } }),
    /** Step (3), or the only step of a batch that changes nothing: the checkpoint moves. */
    commit: (position: string) => save({ position, pending: null }),
    /** Empties the checkpoint, keeping the lease: its generation starts again from nothing (a rebuild). */
    clear: () => save({ position: null, pending: null }),
    /** Extends the lease when no batch has been written for a while. */
    renew: () => save({ position: stored?.position ?? null, pending: stored?.pending ?? null }),
    /** Gives the lease up, so that another runner may take over at once. */
    release: () =>
      save({ position: stored?.position ?? null, pending: stored?.pending ?? null }, 0).catch((error) => {
        if (!(error instanceof LeaseLostError)) throw error
      }),
    get stored() {
      return stored
    },
  }
}
export type CheckpointHandle = ReturnType<typeof checkpointOf>

/**
 * The checkpoints of a generation's partitions (`<projection>#p<i>of<n>_g<generation>`, see
 * `partitionedName`), as stored.
 */
export const partitionCheckpoints = async (
  readModels: ReadModelStore,
  projection: string,
  generation: number,
): Promise<Document[]> =>
  (
    await readModels
      .collection(checkpointsCollection)
      .find({ _id: { $gt: `${projection}#`, $lt: `${projection}#\uffff` } })
  ).filter((doc) => doc._id.endsWith(`_g${generation}`))

const storedPosition = (doc: Document): Position => {
  try {
    return positionFromString(doc.position as string)
  } catch {
    throw new CorruptCheckpointError(doc._id, `its position is not one: ${JSON.stringify(doc.position)}`)
  }
}

/** How far the read model of a projection that readers use has read the log. */
export interface ReadModelPosition {
  readonly projection: string
  /** The generation readers use. */
  readonly generation: number
  /**
   * Every event up to here is in the read model (of workers by partition, the least of theirs), which
   * may also hold some later ones; undefined when it has not been built, or a partition has not.
   */
  readonly position: Position | undefined
  /** The first event id of the log it was built from, when recorded (see `Checkpoint.log`). */
  readonly log: string | undefined
}

/**
 * Where the read models that readers use stand in the log, one entry per projection: for a reader of
 * read models that runners, workers or rebuilds keep (a report, a health check), to say how far behind
 * they are with `countAfter`.
 */
export const readModelPositions = async (
  readModels: ReadModelStore,
  projections: readonly { readonly name: string }[],
): Promise<ReadModelPosition[]> =>
  Promise.all(
    projections.map(async ({ name }) => {
      const generation = await readersGeneration(readModels, name)
      const [plain] = await readModels.collection(checkpointsCollection).findByIds([`${name}_g${generation}`])
      const found = plain === undefined ? await partitionCheckpoints(readModels, name, generation) : [plain]
      // Of workers by partition, every partition must have been built: each checkpoint names their count.
      const complete =
        found.length > 0 && (plain !== undefined || found.length === partitionCountOf(found[0]?._id ?? ''))
      let position: Position | undefined
      const log = found.map((doc) => logOf(doc as Checkpoint)).find((id) => id !== undefined)
      for (const doc of complete ? found : []) {
        if (doc.position === null) return { projection: name, generation, position: undefined, log }
        const at = storedPosition(doc)
        if (position === undefined || comparePositions(at, position) < 0) position = at
      }
      return { projection: name, generation, position, log }
    }),
  )

/** Puts the before-images of an interrupted batch back, so that the batch can be replayed. */
export const restoreBeforeImages = async (
  before: readonly BeforeImage[],
  write: (collection: string, operations: readonly WriteOperation[]) => Promise<void>,
): Promise<void> => {
  const byCollection = new Map<string, WriteOperation[]>()
  for (const image of before) {
    const ops = byCollection.get(image.collection) ?? []
    ops.push(image.doc === null ? { kind: 'delete', id: image.id } : { kind: 'put', doc: image.doc })
    byCollection.set(image.collection, ops)
  }
  for (const [collection, ops] of byCollection) await write(collection, ops)
}
