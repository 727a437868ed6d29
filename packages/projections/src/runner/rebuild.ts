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
  const old: Record<string, number> = {}
  const generations: Record<string, number> = {}
  for (const projection of projections) {
    old[projection.name] = await currentGeneration(readModels, projection.name)
    generations[projection.name] = (old[projection.name] ?? 0) + 1
    await dropGeneration(readModels, projection, generations[projection.name] ?? 1)
  }
  await projectionRunner({ ...options, projections, generation: generations }).catchUp()
  for (const projection of projections) {
    await readModels
      .collection(generationsCollection)
      .write([{ kind: 'put', doc: { _id: projection.name, generation: generations[projection.name] } }])
    if ((old[projection.name] ?? 0) > 0)
      await dropGeneration(readModels, projection, old[projection.name] ?? 0)
  }
  return { generation: Math.max(...Object.values(generations)), generations }
}

const dropGeneration = async (readModels: ReadModelStore, projection: Projection, generation: number) => {
  for (const collection of projection.collections) {
    await readModels.collection(physicalName(projection.name, collection, generation)).drop()
  }
  await readModels
    .collection(checkpointsCollection)
    .write([{ kind: 'delete', id: `${projection.name}_g${generation}` }])
  const quarantine = readModels.collection(quarantineCollection)
  const dropped = await quarantine.find({
    projection: { $eq: projection.name },
    generation: { $eq: generation },
  })
  if (dropped.length > 0) await quarantine.write(dropped.map((doc) => ({ kind: 'delete', id: doc._id })))
}
