/**
 * Workers sharing communities: projecting the partitions one by one, or some together, in any order
 * and batch size, gives the read models of one pass over everything; and each worker takes only its
 * own partitions' leases, so two runners never write one partition.
 */

import { sqliteEventStore } from '@property-services/infrastructure'
import {
  checkpointsCollection,
  type Document,
  inMemoryReadModelStore,
  LeaseHeldError,
  partitionedName,
  partitionOf,
  partitionsOfWorker,
  physicalName,
  projectionRunner,
  projectionWorker,
  type ReadModelStore,
  RunnerBusyError,
} from '@property-services/projections'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bj, scenario } from './scenario.js'
import { appendAll, communityArbitrary, freshEventStore, projections } from './support.js'

/** Every read model's documents, canonical, without the bookkeeping of how the work was cut. */
const contents = async (store: ReadModelStore) => {
  const canonical = ({ _batch, ...doc }: Document) =>
    JSON.stringify(Object.entries(doc).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  const parts: Record<string, string[]> = {}
  for (const projection of projections)
    for (const collection of projection.collections)
      parts[`${projection.name}.${collection}`] = (
        await store.collection(physicalName(projection.name, collection, 1)).find()
      )
        .map(canonical)
        .sort()
  return parts
}

describe('partitions by community', () => {
  it('hash each community to one partition, the same in every process', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.integer({ min: 1, max: 64 }),
        (community, count) => {
          const p = partitionOf(community, count)
          expect(Number.isInteger(p) && p >= 0 && p < count).toBe(true)
          expect(partitionOf(community, count)).toBe(p)
        },
      ),
    )
    // Fixed values: a change of hash would move every community to another worker.
    expect(['default', 'jade-garden', 'community-1', '小区'].map((c) => partitionOf(c, 8))).toEqual([
      6, 3, 0, 4,
    ])
    expect(partitionsOfWorker(8, { index: 1, count: 3 })).toEqual([1, 4, 7])
  })

  it('give, projected apart in any order and grouping, the read models of one pass', async () => {
    await fc.assert(
      fc.asyncProperty(
        communityArbitrary,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.boolean(),
        async (streams, count, batchSize, seed, onSqlite) => {
          // SQLite leaves other partitions' events out of the pages it returns; in memory they are read.
          const events = onSqlite ? sqliteEventStore({ path: ':memory:' }) : freshEventStore()
          await appendAll(events, streams)
          const whole = inMemoryReadModelStore()
          await projectionRunner({ events, readModels: whole, projections }).catchUp()
          const shared = inMemoryReadModelStore()
          // Partitions in an order drawn from the seed, the first two together when there are three or more.
          const order = Array.from({ length: count }, (_, p) => p).sort(
            (a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101) || a - b,
          )
          const shares =
            count >= 3 ? [[order[0], order[1]], ...order.slice(2).map((p) => [p])] : order.map((p) => [p])
          for (const owned of shares)
            await projectionRunner({
              events,
              readModels: shared,
              projections,
              batchSize,
              partitions: { count, owned: owned as number[] },
            }).catchUp()
          expect(await contents(shared)).toEqual(await contents(whole))
          await events.close()
        },
      ),
      { numRuns: 30 },
    )
  }, 120_000)

  it('take only their own leases: a second worker of the same partitions waits, another share does not', async () => {
    const events = freshEventStore()
    const readModels = inMemoryReadModelStore()
    const worker = projectionWorker({
      events,
      readModels,
      projections,
      partitions: 4,
      worker: { index: 0, count: 2 },
      owner: 'w0',
      takeoverAfterMs: 60_000,
    })
    const first = worker.start()
    // Started again, or caught up, while it runs: refused (its runs share its name, and so its leases).
    expect(() => worker.start()).toThrow(RunnerBusyError)
    await expect(worker.catchUp()).rejects.toThrow(RunnerBusyError)
    // Wait for the first worker's leases on partitions 0 and 2.
    const checkpoints = readModels.collection(checkpointsCollection)
    const names = [0, 2].map((partition) => `${partitionedName(projections[0]!.name, partition, 4)}_g1`)
    for (let i = 0; i < 100 && (await checkpoints.findByIds(names)).length < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 10))
    await expect(
      projectionRunner({
        events,
        readModels,
        projections,
        owner: 'w9',
        partitions: { count: 4, owned: [2] },
      }).catchUp(),
    ).rejects.toBeInstanceOf(LeaseHeldError)
    await projectionRunner({
      events,
      readModels,
      projections,
      owner: 'w1',
      partitions: { count: 4, owned: [1, 3] },
    }).catchUp()
    await Promise.all([first.stop(), first.stop()])
    // Stopped, it runs again.
    await worker.catchUp()
    expect(() =>
      projectionWorker({ events, readModels, projections, partitions: 0, worker: { index: 0, count: 1 } }),
    ).toThrow(RangeError)
    expect(() =>
      projectionRunner({ events, readModels, projections, partitions: { count: 4, owned: [4] } }),
    ).toThrow('partition 4 is not one of 0 to 3')
  })

  it('refuse a generation written under another partitioning, naming both, and write nothing', async () => {
    const events = freshEventStore()
    await scenario(events).complaint('k1', {
      ownerId: 'o1',
      unitId: 'u1',
      category: 'facilities',
      subject: 'lift-stoppage',
      channel: 'phone',
      at: bj('2026-03-02 09:00'),
    })
    const readModels = inMemoryReadModelStore()
    const projection = projections[0]!
    await projectionRunner({
      events,
      readModels,
      projection,
      partitions: { count: 4, owned: [0, 1, 2, 3] },
    }).catchUp()
    const checkpoints = readModels.collection(checkpointsCollection)
    const before = await checkpoints.find()
    await expect(projectionRunner({ events, readModels, projection }).catchUp()).rejects.toMatchObject({
      name: 'PartitioningMismatchError',
      code: 'ProjectionPartitioningMismatch',
      message: `generation 1 of ${projection.name} was written by partitions of 4, and this runner writes it whole: rebuild it to change the partitioning`,
    })
    await expect(
      projectionRunner({ events, readModels, projection, partitions: { count: 2, owned: [0] } }).catchUp(),
    ).rejects.toThrow(`was written by partitions of 4, and this runner writes it by partitions of 2`)
    expect(await checkpoints.find()).toEqual(before)
    // And the reverse: read models written whole take no partitioned runner.
    const whole = inMemoryReadModelStore()
    await projectionRunner({ events, readModels: whole, projection }).catchUp()
    await expect(
      projectionRunner({
        events,
        readModels: whole,
        projection,
        partitions: { count: 4, owned: [1] },
      }).catchUp(),
    ).rejects.toThrow(
      `generation 1 of ${projection.name} was written whole, and this runner writes it by partitions of 4`,
    )
  })
})
