/**
 * Where the read models that readers use stand in the log: what a reader of kept read models (the
 * command line's `report --mongo`, a health check) shows, and counts what they lack from.
 */
import { comparePositions, inMemoryEventStore, type Position } from '@property-services/infrastructure'
import {
  allProjections,
  checkpointsCollection,
  projectionRunner,
  projectionWorker,
  readModelPositions,
  rebuild,
} from '@property-services/projections'
import { describe, expect, it } from 'vitest'
import { bj, daysAfter, scenario } from './scenario.js'
import { freshReadModels, storeTargets } from './support.js'

const projections = allProjections()

const complain = (
  events: ReturnType<typeof inMemoryEventStore>,
  ids: readonly string[],
  communityId?: string,
) => {
  const { complaint } = scenario(events)
  return ids.reduce(
    (done, id, i) =>
      done.then(() =>
        complaint(id, {
          ownerId: `o-${id}`,
          unitId: `u-${id}`,
          ...(communityId === undefined
            ? {}
            : { communityId: i % 2 === 0 ? communityId : `${communityId}-2` }),
          category: 'facilities',
          subject: 'lift-stoppage',
          channel: 'phone',
          at: daysAfter(bj('2026-03-02 09:00'), i),
        }),
      ),
    Promise.resolve(),
  )
}

const lastPosition = async (events: ReturnType<typeof inMemoryEventStore>): Promise<Position> => {
  let last: Position | undefined
  for (let after: Position | undefined; ; ) {
    const page = await events.readAll(after === undefined ? {} : { after })
    last = page.lastPosition ?? last
    if (page.isEnd || page.lastPosition === undefined) break
    after = page.lastPosition
  }
  return last as Position
}

describe.each(storeTargets)('the positions of the read models readers use, on %s', (_name, make) => {
  it('are unknown until built, then where the runner stopped, while the log goes on', async () => {
    const readModels = await freshReadModels(make)
    const events = inMemoryEventStore()
    await complain(events, ['k1', 'k2'])
    expect(await readModelPositions(readModels, projections)).toEqual(
      projections.map((p) => ({ projection: p.name, generation: 1, position: undefined })),
    )
    await projectionRunner({ events, readModels, projections }).catchUp()
    const end = await lastPosition(events)
    const built = await readModelPositions(readModels, projections)
    expect(built.map((p) => p.projection)).toEqual(projections.map((p) => p.name))
    for (const { position } of built) expect(comparePositions(position as Position, end)).toBe(0)
    // And the log they were built from, by its first event.
    const first = (await events.readAll({ maxCount: 1 })).events[0]?.eventId
    expect(built.map((p) => p.log)).toEqual(projections.map(() => first))
    // Later events are not in them until a runner takes them in: counted from the least position.
    const stored = await events.countAfter()
    await complain(events, ['k3'])
    const added = (await events.countAfter()) - stored
    expect(added).toBeGreaterThan(0)
    for (const { position } of await readModelPositions(readModels, projections))
      expect(await events.countAfter(position)).toBe(added)
    // A rebuild switches readers to its generation, at the end of the log.
    await rebuild({ events, readModels, projections })
    const rebuilt = await readModelPositions(readModels, projections)
    expect(rebuilt.map((p) => p.generation)).toEqual(projections.map(() => 2))
    for (const { position } of rebuilt)
      expect(comparePositions(position as Position, await lastPosition(events))).toBe(0)
  })

  it('of workers by partition: unknown until every partition is built, then the least of theirs', async () => {
    const readModels = await freshReadModels(make)
    const events = inMemoryEventStore()
    await complain(events, ['k1', 'k2', 'k3', 'k4'], 'tower')
    const worker = (index: number) =>
      projectionWorker({ events, readModels, projections, partitions: 2, worker: { index, count: 2 } })
    await worker(0).catchUp()
    expect((await readModelPositions(readModels, projections)).map((p) => p.position)).toEqual(
      projections.map(() => undefined),
    )
    await worker(1).catchUp()
    const end = await lastPosition(events)
    for (const { position } of await readModelPositions(readModels, projections))
      expect(comparePositions(position as Position, end)).toBeLessThanOrEqual(0)
    // One partition behind: the read model holds every event only up to that partition's position.
    const checkpoints = readModels.collection(checkpointsCollection)
    const [first] = (await checkpoints.find()).filter((c) =>
      c._id.startsWith(`${projections[0]?.name}#p0of2`),
    )
    await checkpoints.write([{ kind: 'put', doc: { ...first!, position: '1/1' } }])
    const [behind] = await readModelPositions(readModels, projections)
    expect(behind?.position).toEqual({ commit: 1n, prepare: 1n })
  })

  it('name a checkpoint whose position is not one, as corrupt', async () => {
    const readModels = await freshReadModels(make)
    const events = inMemoryEventStore()
    await complain(events, ['k1'])
    await projectionRunner({ events, readModels, projections }).catchUp()
    const checkpoints = readModels.collection(checkpointsCollection)
    const id = `${projections[1]?.name}_g1`
    const [stored] = await checkpoints.findByIds([id])
    await checkpoints.write([{ kind: 'put', doc: { ...stored!, position: 'twelve' } }])
    await expect(readModelPositions(readModels, projections)).rejects.toMatchObject({
      name: 'CorruptCheckpointError',
      message: `checkpoint ${id} in ${checkpointsCollection}: its position is not one: "twelve"`,
    })
  })
})
