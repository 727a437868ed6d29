/**
 * Read models know the log they were built from (by its first event): a runner given another log (a
 * wrong file or server, a log made again) is refused before it writes, instead of mixing histories.
 */
import { inMemoryEventStore } from '@property-services/infrastructure'
import {
  checkpointsCollection,
  ForeignLogError,
  firstEventIdOf,
  projectionRunner,
  type ReadModelStore,
  rebuild,
} from '@property-services/projections'
import { describe, expect, it } from 'vitest'
import { bj, daysAfter, scenario } from './scenario.js'
import { dump, freshReadModels, projections, storeTargets } from './support.js'

const logOf = async (...complaintIds: string[]) => {
  const events = inMemoryEventStore()
  const { complaint } = scenario(events)
  for (const [i, id] of complaintIds.entries())
    await complaint(id, {
      ownerId: `o-${id}`,
      unitId: `u-${id}`,
      category: 'facilities',
      subject: 'lift-stoppage',
      channel: 'phone',
      at: daysAfter(bj('2026-03-02 09:00'), i),
    })
  return events
}

/** Every read model and checkpoint of every projection, generation 1 and 2. */
const everything = async (readModels: ReadModelStore) =>
  (await Promise.all(projections.flatMap((p) => [dump(readModels, p, 1), dump(readModels, p, 2)]))).join('\n')

describe.each(storeTargets)('read models of another log, on %s', (_name, make) => {
  it('are refused to a runner, naming both logs, and left as they were', async () => {
    const readModels = await freshReadModels(make)
    const built = await logOf('k1', 'k2')
    await projectionRunner({ events: built, readModels, projections }).catchUp()
    const before = await everything(readModels)
    const other = await logOf('x1')
    const expected = {
      name: 'ForeignLogError',
      code: 'ProjectionForeignLog',
      checkpoint: `${projections[0]?.name}_g1`,
      builtFrom: await firstEventIdOf(built),
      given: await firstEventIdOf(other),
    }
    expect(expected.builtFrom).not.toBe(expected.given)
    await expect(
      projectionRunner({ events: other, readModels, projections }).catchUp(),
    ).rejects.toMatchObject(expected)
    await expect(
      projectionRunner({ events: inMemoryEventStore(), readModels, projections }).catchUp(),
    ).rejects.toThrow(
      new ForeignLogError(`${projections[0]?.name}_g1`, expected.builtFrom as string, undefined),
    )
    expect(await everything(readModels)).toBe(before)
    // Their own log, grown since, goes on.
    await scenario(built).complaint('k3', {
      ownerId: 'o-k3',
      unitId: 'u-k3',
      category: 'fees',
      subject: 'water-charge',
      channel: 'letter',
      at: bj('2026-03-09 09:00'),
    })
    await projectionRunner({ events: built, readModels, projections }).catchUp()
    expect(await everything(readModels)).not.toBe(before)
  })

  it('take the log of a runner when written before logs were recorded, and a rebuild from another log', async () => {
    const readModels = await freshReadModels(make)
    const built = await logOf('k1')
    await projectionRunner({ events: built, readModels, projections }).catchUp()
    // As an earlier version left them: no log recorded.
    const checkpoints = readModels.collection(checkpointsCollection)
    await checkpoints.write(
      (await checkpoints.find()).map(({ log, ...doc }) => ({ kind: 'put' as const, doc: { ...doc } })),
    )
    expect((await checkpoints.find()).every((doc) => doc.log === undefined)).toBe(true)
    await projectionRunner({ events: built, readModels, projections }).catchUp()
    expect((await checkpoints.find()).map((doc) => doc.log)).toEqual(
      projections.map(() => expect.any(String)),
    )
    const other = await logOf('x1', 'x2')
    await expect(
      projectionRunner({ events: other, readModels, projections }).catchUp(),
    ).rejects.toMatchObject({
      code: 'ProjectionForeignLog',
    })
    // A rebuild makes the read models again from the log it is given: that log is theirs from then on.
    await rebuild({ events: other, readModels, projections })
    const otherFirst = await firstEventIdOf(other)
    await projectionRunner({ events: other, readModels, projections }).catchUp()
    await expect(
      projectionRunner({ events: built, readModels, projections }).catchUp(),
    ).rejects.toMatchObject({
      code: 'ProjectionForeignLog',
      checkpoint: `${projections[0]?.name}_g2`,
      builtFrom: otherFirst,
    })
  })
})
