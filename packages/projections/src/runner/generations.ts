/**
 * Where each read model lives: every projection writes its logical collections into physical ones of a
 * generation (`<projection>_<collection>_g<n>`); a rebuild writes the next generation and readers switch
 * to it in one document write. Queries name their collections through here, never through the writer.
 */
import type { ReadModelStore } from '../readModelStore/port.js'

export const checkpointsCollection = 'projection_checkpoints'
export const generationsCollection = 'projection_generations'

/** The physical collection of a logical read-model collection in a generation. */
export const physicalName = (projection: string, collection: string, generation: number): string =>
  `${projection}_${collection}_g${generation}`

/** The generation of a projection's read model that readers use now (0: never built). */
export const currentGeneration = async (readModels: ReadModelStore, projection: string): Promise<number> => {
  const [doc] = await readModels.collection(generationsCollection).findByIds([projection])
  return typeof doc?.generation === 'number' ? doc.generation : 0
}

/** The generation readers of a projection use: the pointer, or 1 until a rebuild first switches it. */
export const readersGeneration = async (readModels: ReadModelStore, projection: string): Promise<number> =>
  Math.max(1, await currentGeneration(readModels, projection))

/** The physical collection that readers of a projection use now, for one of its logical collections. */
export const readerCollection = async (readModels: ReadModelStore, projection: string, collection: string) =>
  readModels.collection(physicalName(projection, collection, await readersGeneration(readModels, projection)))
