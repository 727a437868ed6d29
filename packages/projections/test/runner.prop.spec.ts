import type { EventStore } from '@property-services/infrastructure'
import {
  type Document,
  type Projection,
  projectionRunner,
  type ReadModelStore,
  rebuild,
  type WriteOperation,
} from '@property-services/projections'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { appendAll, communityArbitrary, dump, freshEventStore, projections, storeTargets } from './support.js'

class Crash extends Error {}

/**
 * A store that dies on its n-th write (counting every collection write and checkpoint compare-and-set),
 * like a killed process.
 */
const crashingAfter = (store: ReadModelStore, writes: number): ReadModelStore => {
  let count = 0
  return {
    collection: (name) => {
      const inner = store.collection(name)
      return {
        ...inner,
        compareAndSet: async (doc, expected) => {
          if (++count === writes) throw new Crash(`crashed at write ${writes}`)
          return inner.compareAndSet(doc, expected)
        },
        write: async (ops: readonly WriteOperation[]) => {
          if (++count === writes) {
            // Die halfway through the bulk: part of it lands, as with a crash mid-request.
            await inner.write(ops.slice(0, Math.floor(ops.length / 2)))
            throw new Crash(`crashed at write ${writes}`)
          }
          await inner.write(ops)
        },
      }
    },
    incrementsInPlace: store.incrementsInPlace,
    close: store.close,
  }
}

const cleanPass = async (events: EventStore, store: ReadModelStore, projection: Projection) => {
  await projectionRunner({ events, readModels: store, projection, batchSize: 10_000 }).catchUp()
  return dump(store, projection)
}

/** Runs to the end through crashes at the given write counts, restarting a fresh runner each time. */
const runWithCrashes = async (
  events: EventStore,
  store: ReadModelStore,
  projection: Projection,
  batchSize: number,
  crashes: readonly number[],
) => {
  for (const at of crashes) {
    try {
      await projectionRunner({
        events,
        readModels: crashingAfter(store, at),
        projection,
        batchSize,
        // A killed runner leaves its lease behind; restarted under the same name, it takes it back.
        owner: 'worker-1',
      }).catchUp()
    } catch (error) {
      if (!(error instanceof Crash)) throw error
    }
  }
  await projectionRunner({ events, readModels: store, projection, batchSize, owner: 'worker-1' }).catchUp()
  return dump(store, projection)
}

describe.each(storeTargets)('projection runner on %s', (name, make) => {
  const runs = name.startsWith('MongoDB') ? 6 : 40

  it('all read models in one pass, through crashes, then each alone: the read models of clean passes', async () => {
    await fc.assert(
      fc.asyncProperty(
        communityArbitrary,
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 4 }),
        async (community, batchSize, crashes) => {
          const events = freshEventStore()
          await appendAll(events, community)
          const clean = await make()
          const grouped = await make()
          try {
            const expected = []
            for (const projection of projections)
              expected.push(await cleanPass(events, clean.store, projection))
            for (const at of crashes) {
              try {
                await projectionRunner({
                  events,
                  readModels: crashingAfter(grouped.store, at),
                  projections,
                  batchSize,
                  owner: 'worker-1',
                }).catchUp()
              } catch (error) {
                if (!(error instanceof Crash)) throw error
              }
            }
            // Regrouped: each projection goes on from its own checkpoint.
            for (const projection of projections)
              await projectionRunner({
                events,
                readModels: grouped.store,
                projection,
                batchSize,
                owner: 'worker-1',
              }).catchUp()
            const actual = []
            for (const projection of projections) actual.push(await dump(grouped.store, projection))
            expect(actual).toEqual(expected)
          } finally {
            await clean.cleanup()
            await grouped.cleanup()
          }
        },
      ),
      { numRuns: runs },
    )
  }, 300_000)

  it.each(projections.map((p) => [p.name, p] as const))(
    '%s: any batch size and crashes at any point give the read model of one clean pass',
    async (_projectionName, projection) => {
      await fc.assert(
        fc.asyncProperty(
          communityArbitrary,
          fc.integer({ min: 1, max: 40 }),
          fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 4 }),
          async (community, batchSize, crashes) => {
            const events = freshEventStore()
            await appendAll(events, community)
            const clean = await make()
            const crashed = await make()
            try {
              const expected = await cleanPass(events, clean.store, projection)
              expect(await runWithCrashes(events, crashed.store, projection, batchSize, crashes)).toBe(
                expected,
              )
            } finally {
              await clean.cleanup()
              await crashed.cleanup()
            }
          },
        ),
        { numRuns: runs },
      )
    },
    300_000,
  )

  it('a rebuild, in any batch size, holding any number of documents unwritten and after rebuilds cut short at any write, gives the read models of one clean pass', async () => {
    // Everything but the checkpoint's name: a rebuild's generation, which the name carries, depends on
    // what the rebuilds cut short left behind.
    const documentsOf = async (store: ReadModelStore, projection: Projection, generation = 1) => {
      const parts = JSON.parse(await dump(store, projection, generation)) as Record<string, Document[]>
      return { ...parts, checkpoint: parts.checkpoint?.map(({ _id, ...checkpoint }) => checkpoint) }
    }
    await fc.assert(
      fc.asyncProperty(
        communityArbitrary,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 3 }),
        async (community, batchSize, writeBehind, crashes) => {
          const events = freshEventStore()
          await appendAll(events, community)
          const clean = await make()
          const rebuilt = await make()
          try {
            const expected = []
            for (const projection of projections) {
              await cleanPass(events, clean.store, projection)
              expected.push(await documentsOf(clean.store, projection))
            }
            for (const at of crashes) {
              try {
                await rebuild({
                  events,
                  readModels: crashingAfter(rebuilt.store, at),
                  projections,
                  batchSize,
                  writeBehind,
                  owner: 'worker-1',
                })
              } catch (error) {
                if (!(error instanceof Crash)) throw error
              }
            }
            const { generations } = await rebuild({
              events,
              readModels: rebuilt.store,
              projections,
              batchSize,
              writeBehind,
              owner: 'worker-1',
            })
            const actual = []
            for (const projection of projections)
              actual.push(await documentsOf(rebuilt.store, projection, generations[projection.name]))
            expect(actual).toEqual(expected)
          } finally {
            await clean.cleanup()
            await rebuilt.cleanup()
          }
        },
      ),
      { numRuns: runs },
    )
  }, 300_000)

  it('follows live appends to the same read model as replaying from zero', async () => {
    const [community] = fc.sample(
      communityArbitrary.filter((c) => c.length >= 6),
      { numRuns: 1, seed: 42 },
    )
    const half = Math.floor(community!.length / 2)
    const events = freshEventStore()
    await appendAll(events, community!.slice(0, half))
    const live = await make()
    const replayed = await make()
    try {
      for (const projection of projections) {
        const runner = projectionRunner({
          events,
          readModels: live.store,
          projection,
          batchSize: 7,
        })
        const running = runner.start()
        await appendAll(
          events,
          community!.slice(half).map((s) => ({ ...s, streamName: s.streamName })),
        )
        const total = await events.countAfter()
        for (
          let i = 0;
          i < 400 && (runner.position === undefined || (await events.countAfter(runner.position)) > 0);
          i++
        ) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        await running.stop()
        expect(total).toBeGreaterThan(0)
        expect(await events.countAfter(runner.position)).toBe(0)
        expect(await dump(live.store, projection)).toBe(await cleanPass(events, replayed.store, projection))
      }
    } finally {
      await live.cleanup()
      await replayed.cleanup()
    }
  })
})
