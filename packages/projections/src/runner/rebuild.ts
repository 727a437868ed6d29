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
 * Rebuilds a read model from the first event into fresh collections (the next generation) while
 * readers keep using the current one; once it has caught up, readers switch over in one document write
 * and the old generation is dropped. A crash mid-rebuild leaves readers on the old generation; the next
 * rebuild starts the new one afresh.
 */
export const rebuild = async (
  options: Omit<RunnerOptions, 'generation' | 'projection' | 'projections'> & {
    readonly projection: Projection
  },
): Promise<{ readonly generation: number }> => {
  const { readModels, projection } = options
  const old = await currentGeneration(readModels, projection.name)
  const generation = old + 1
  await dropGeneration(readModels, projection, generation)
  await projectionRunner({ ...options, generation }).catchUp()
  await readModels
    .collection(generationsCollection)
    .write([{ kind: 'put', doc: { _id: projection.name, generation } }])
  if (old > 0) await dropGeneration(readModels, projection, old)
  return { generation }
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
