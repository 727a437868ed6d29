import type { ReadModelStore } from '../readModelStore/port.js'
import {
  checkpointsCollection,
  currentGeneration,
  generationsCollection,
  physicalName,
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
}

/**
 * Makes room for a rebuild: the next generation of each projection, emptied (what a crashed rebuild
 * left there). Workers that share a rebuild (see `projectionWorker`) write into it, given as their
 * `generation` (with `checkpoints: 'rebuild'`); it must be made before any of them starts.
 */
export const prepareRebuild = async (
  readModels: ReadModelStore,
  projections: readonly Projection[],
): Promise<RebuildTarget> => {
  const current: Record<string, number> = {}
  const generations: Record<string, number> = {}
  for (const projection of projections) {
    // Before any rebuild has switched readers, they and every runner use the first generation (see
    // `readerCollection`): a rebuild then writes the second, never the one being read.
    current[projection.name] = Math.max(1, await currentGeneration(readModels, projection.name))
    generations[projection.name] = (current[projection.name] ?? 1) + 1
    await dropGeneration(readModels, projection, generations[projection.name] ?? 1)
  }
  return { generations, current }
}

/**
 * Switches readers to the rebuilt generations, one document write per projection, and drops the old
 * ones. Call it once every part of the rebuild is done.
 */
export const finishRebuild = async (
  readModels: ReadModelStore,
  projections: readonly Projection[],
  target: RebuildTarget,
): Promise<void> => {
  for (const projection of projections) {
    await readModels
      .collection(generationsCollection)
      .write([
        { kind: 'put', doc: { _id: projection.name, generation: target.generations[projection.name] } },
      ])
    const old = target.current[projection.name]
    if (old !== undefined && old !== target.generations[projection.name])
      await dropGeneration(readModels, projection, old)
  }
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
  const target = await prepareRebuild(readModels, projections)
  // Interrupted, the new generation is dropped by the next rebuild: no batch needs resuming.
  await projectionRunner({
    ...options,
    projections,
    generation: target.generations,
    checkpoints: 'rebuild',
  }).catchUp()
  await finishRebuild(readModels, projections, target)
  return { generation: Math.max(...Object.values(target.generations)), generations: target.generations }
}

const dropGeneration = async (readModels: ReadModelStore, projection: Projection, generation: number) => {
  for (const collection of projection.collections) {
    await readModels.collection(physicalName(projection.name, collection, generation)).drop()
  }
  // The projection's checkpoint in that generation, and those of its partitions (`<name>#p<i>of<n>`).
  const checkpoints = readModels.collection(checkpointsCollection)
  const partitioned = (
    await checkpoints.find({ _id: { $gt: `${projection.name}#`, $lt: `${projection.name}#\uffff` } })
  )
    .map((doc) => doc._id)
    .filter((id) => id.endsWith(`_g${generation}`))
  await checkpoints.write(
    [`${projection.name}_g${generation}`, ...partitioned].map((id) => ({ kind: 'delete' as const, id })),
  )
  const quarantine = readModels.collection(quarantineCollection)
  const dropped = await quarantine.find({
    projection: { $eq: projection.name },
    generation: { $eq: generation },
  })
  if (dropped.length > 0) await quarantine.write(dropped.map((doc) => ({ kind: 'delete', id: doc._id })))
}
