import { randomUUID } from 'node:crypto'
import type { ReadModelStore } from '../readModelStore/port.js'
import {
  type CheckpointHandle,
  checkpointOf,
  type Lease,
  LeaseHeldError,
  partitionCheckpoints,
} from './checkpoint.js'
import {
  checkpointsCollection,
  generationsCollection,
  physicalName,
  readersGeneration,
} from './generations.js'
import type { Projection } from './projection.js'
import { quarantineCollection } from './quarantine.js'
import { projectionRunner, type RunnerOptions } from './runner.js'

/** Where a rebuild writes: the next generation of each projection, and the one readers use now. */
export interface RebuildTarget {
  /** The generation each projection is rebuilt into. */
  readonly generations: Readonly<Record<string, number>>
  /** The generation readers use now, dropped once they have switched. */
  readonly current: Readonly<Record<string, number>>
  /**
   * Who holds the leases of the rebuilt generations: the rebuild's runner, when it runs under this name,
   * takes them over at once, and `finishRebuild` takes them back to switch readers.
   */
  readonly owner: string
}

export interface RebuildLeaseOptions {
  /** The rebuild's name in its leases; default a random id. */
  readonly owner?: string
  /** How long its leases last without being renewed; default 30 s. */
  readonly leaseTtlMs?: number
}

/**
 * Live leases of another owner on the partitions' checkpoints of a generation: workers of another
 * rebuild are writing it.
 */
const refuseWhileWorkersWrite = async (
  readModels: ReadModelStore,
  projection: Projection,
  generation: number,
  owner: string,
) => {
  for (const checkpoint of await partitionCheckpoints(readModels, projection.name, generation)) {
    const lease = checkpoint.lease as Lease | null | undefined
    if (lease != null && lease.owner !== owner && lease.expiresAt > Date.now())
      throw new LeaseHeldError(checkpoint._id, lease)
  }
}

/**
 * Makes room for a rebuild: the next generation of each projection, emptied (what a crashed rebuild
 * left there), under a lease of `owner`'s on each. Another rebuild of the same read models, in this
 * process or another, is refused with {@link LeaseHeldError} before anything is dropped, for as long as
 * this one's runner (or the workers sharing it, see `projectionWorker`) holds its leases. Workers that
 * share a rebuild write into it, given as their `generation` (with `checkpoints: 'rebuild'`); it must be
 * made before any of them starts.
 */
export const prepareRebuild = async (
  readModels: ReadModelStore,
  projections: readonly Projection[],
  options: RebuildLeaseOptions = {},
): Promise<RebuildTarget> => {
  const owner = options.owner ?? randomUUID()
  const leaseOptions = { owner, ...(options.leaseTtlMs === undefined ? {} : { ttlMs: options.leaseTtlMs }) }
  const current: Record<string, number> = {}
  const generations: Record<string, number> = {}
  const taken: CheckpointHandle[] = []
  try {
    for (const projection of projections) {
      for (;;) {
        // Before any rebuild has switched readers, they and every runner use the first generation (see
        // `readerCollection`): a rebuild then writes the second, never the one being read.
        const readers = await readersGeneration(readModels, projection.name)
        const next = readers + 1
        await refuseWhileWorkersWrite(readModels, projection, next, owner)
        const checkpoint = checkpointOf(readModels, projection.name, next, leaseOptions)
        await checkpoint.acquire()
        // Another rebuild switched readers since they were looked up: its generation is theirs now.
        if ((await readersGeneration(readModels, projection.name)) !== readers) {
          await checkpoint.release()
          continue
        }
        taken.push(checkpoint)
        await dropGeneration(readModels, projection, next, checkpoint)
        current[projection.name] = readers
        generations[projection.name] = next
        break
      }
    }
  } catch (error) {
    for (const checkpoint of taken) await checkpoint.release().catch(() => undefined)
    throw error
  }
  return { generations, current, owner }
}

/** Another rebuild switched readers after this one was prepared: this one's generation is not theirs. */
export class RebuildSupersededError extends Error {
  readonly code = 'ProjectionRebuildSuperseded'
  constructor(
    readonly projection: string,
    /** The generation this rebuild wrote. */
    readonly generation: number,
    /** The generation readers use now. */
    readonly readers: number,
  ) {
    super(
      `the rebuild of ${projection} into generation ${generation} was superseded: readers use generation ${readers} now, switched by another rebuild`,
    )
    this.name = 'RebuildSupersededError'
  }
}

/**
 * Switches readers to the rebuilt generations, one document write per projection, and drops the old
 * ones. Call it once every part of the rebuild is done. Switches nothing when another rebuild has taken
 * a generation over since it was prepared (it had waited out this one's lease): {@link LeaseHeldError}
 * while that one writes, {@link RebuildSupersededError} once it has switched readers itself.
 */
export const finishRebuild = async (
  readModels: ReadModelStore,
  projections: readonly Projection[],
  target: RebuildTarget,
): Promise<void> => {
  const stillCurrent = async () => {
    for (const projection of projections) {
      const readers = await readersGeneration(readModels, projection.name)
      if (readers !== target.current[projection.name])
        throw new RebuildSupersededError(projection.name, generationOf(target, projection), readers)
    }
  }
  const taken: CheckpointHandle[] = []
  try {
    await stillCurrent()
    for (const projection of projections)
      taken.push(
        await (async () => {
          const checkpoint = checkpointOf(readModels, projection.name, generationOf(target, projection), {
            owner: target.owner,
          })
          await checkpoint.acquire()
          return checkpoint
        })(),
      )
    // Switched between the look and the leases.
    await stillCurrent()
    for (const projection of projections) {
      await readModels
        .collection(generationsCollection)
        .write([{ kind: 'put', doc: { _id: projection.name, generation: generationOf(target, projection) } }])
      const old = target.current[projection.name]
      if (old !== undefined && old !== generationOf(target, projection))
        await dropGeneration(readModels, projection, old)
    }
  } finally {
    for (const checkpoint of taken) await checkpoint.release().catch(() => undefined)
  }
}

const generationOf = (target: RebuildTarget, projection: Projection): number => {
  const generation = target.generations[projection.name]
  if (generation === undefined) throw new RangeError(`the rebuild has no generation of ${projection.name}`)
  return generation
}

/**
 * Rebuilds read models from the first event into fresh collections (the next generation of each) in
 * one pass over the log, while readers keep using the current ones; once caught up, readers of each
 * switch over in one document write and the old generation is dropped. A crash mid-rebuild leaves
 * readers on the old generations; the next rebuild starts the new ones afresh.
 */
export const rebuild = async (
  options: RunnerOptions extends infer O ? (O extends unknown ? Omit<O, 'generation'> : never) : never,
): Promise<{ readonly generation: number; readonly generations: Readonly<Record<string, number>> }> => {
  const { readModels } = options
  const projections = 'projections' in options ? options.projections : [options.projection]
  const target = await prepareRebuild(readModels, projections, {
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
  })
  // Interrupted, the new generation is dropped by the next rebuild: no batch needs resuming. The runner
  // runs under the rebuild's name, so it takes over the leases the rebuild took at once.
  await projectionRunner({
    ...options,
    owner: target.owner,
    projections,
    generation: target.generations,
    checkpoints: 'rebuild',
  }).catchUp()
  await finishRebuild(readModels, projections, target)
  return { generation: Math.max(...Object.values(target.generations)), generations: target.generations }
}

/**
 * Drops a generation: its collections, its checkpoints and its quarantined events. `kept`: the
 * generation's own checkpoint, held by a rebuild about to write it, is emptied instead, its lease kept.
 */
const dropGeneration = async (
  readModels: ReadModelStore,
  projection: Projection,
  generation: number,
  kept?: CheckpointHandle,
) => {
  for (const collection of projection.collections) {
    await readModels.collection(physicalName(projection.name, collection, generation)).drop()
  }
  const partitioned = (await partitionCheckpoints(readModels, projection.name, generation)).map(
    (doc) => doc._id,
  )
  await readModels.collection(checkpointsCollection).write(
    [...(kept === undefined ? [`${projection.name}_g${generation}`] : []), ...partitioned].map((id) => ({
      kind: 'delete' as const,
      id,
    })),
  )
  await kept?.clear()
  const quarantine = readModels.collection(quarantineCollection)
  const dropped = await quarantine.find({
    projection: { $eq: projection.name },
    generation: { $eq: generation },
  })
  if (dropped.length > 0) await quarantine.write(dropped.map((doc) => ({ kind: 'delete', id: doc._id })))
}
