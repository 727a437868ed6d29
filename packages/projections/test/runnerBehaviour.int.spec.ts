import { inMemoryEventStore, positionToString } from '@property-services/infrastructure'
import {
  checkpointsCollection,
  complaintAnalytics,
  complaintAnalyticsQueries,
  currentGeneration,
  type Progress,
  type Projection,
  ProjectionError,
  physicalName,
  projectionRunner,
  type ReadModelStore,
  rebuild,
} from '@property-services/projections'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bj, daysAfter, scenario } from './scenario.js'
import { type StoreTarget, storeTargets } from './support.js'

const lift = { category: 'facilities', subject: 'lift-stoppage', channel: 'phone' }

describe.each(storeTargets)('projection runner behaviour on %s', (_name, make) => {
  let target: StoreTarget
  let readModels: ReadModelStore
  beforeEach(async () => {
    target = await make()
    readModels = target.store
  })
  afterEach(async () => target.cleanup())

  it('stops on a poison event, names it, and keeps the checkpoint before it', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const at = bj('2026-03-02 09:00')
    await complaint('k1', { ownerId: 'o1', unitId: 'u1', ...lift, at })
    await complaint('k2', { ownerId: 'o2', unitId: 'u2', ...lift, at: daysAfter(at, 1) })
    await complaint('k3', { ownerId: 'o3', unitId: 'u3', ...lift, at: daysAfter(at, 2) })
    const inner = complaintAnalytics()
    const poisoned: Projection = {
      ...inner,
      project: (recorded, view) => {
        if (recorded.streamName === 'complaint-k2') throw new Error('cannot handle k2')
        return inner.project(recorded, view)
      },
    }
    const error = await projectionRunner({ events, readModels, projection: poisoned, batchSize: 1 })
      .catchUp()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProjectionError)
    const [k1] = (await events.readStream('complaint-k1')).events
    const [k2] = (await events.readStream('complaint-k2')).events
    expect(error).toMatchObject({
      streamName: 'complaint-k2',
      revision: 0,
      eventType: 'ComplaintFiled',
      position: positionToString(k2!.position),
    })
    expect((error as Error).message).toContain('cannot handle k2')
    const [checkpoint] = await readModels
      .collection(checkpointsCollection)
      .findByIds(['complaintAnalytics_g1'])
    expect(checkpoint).toMatchObject({ position: positionToString(k1!.position), pending: null })
    // Run again: it stops at the same event, nothing skipped.
    await expect(
      projectionRunner({ events, readModels, projection: poisoned, batchSize: 50 }).catchUp(),
    ).rejects.toBeInstanceOf(ProjectionError)
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(1)
    // Fixed, it resumes from the checkpoint and gets everything.
    await projectionRunner({ events, readModels, projection: inner }).catchUp()
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(3)
  })

  it('stops on a stored event no codec accepts, naming it', async () => {
    const events = inMemoryEventStore()
    await events.appendToStream('complaint-bad', [
      {
        eventId: 'e-1',
        type: 'ComplaintFiled',
        data: { complaintId: 'bad', category: 'plumbing' },
        metadata: {
          occurredAt: '2026-03-02T01:00:00.000Z',
          eventId: 'e-1',
          commandId: 'c',
          correlationId: 'c',
          actor: { id: 's', role: 'staff' },
          schemaVersion: 1,
        },
      },
    ])
    await expect(
      projectionRunner({ events, readModels, projection: complaintAnalytics() }).catchUp(),
    ).rejects.toMatchObject({
      code: 'ProjectionFailed',
      streamName: 'complaint-bad',
      eventType: 'ComplaintFiled',
    })
  })

  it('rebuilds into a new generation while readers keep the old one, then switches', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    await complaint('k1', { ownerId: 'o1', unitId: 'u1', ...lift, at: bj('2026-03-02 09:00') })
    const projection = complaintAnalytics()
    expect(await rebuild({ events, readModels, projection })).toEqual({ generation: 1 })
    await complaint('k2', { ownerId: 'o2', unitId: 'u2', ...lift, at: bj('2026-03-03 09:00') })
    const queries = complaintAnalyticsQueries(readModels)
    const seenDuringRebuild: number[] = []
    const result = await rebuild({
      events,
      readModels,
      projection,
      batchSize: 1,
      onProgress: async () => {
        seenDuringRebuild.push((await queries.by('category'))[0]?.filed ?? -1)
      },
    })
    expect(result).toEqual({ generation: 2 })
    expect(seenDuringRebuild.length).toBeGreaterThan(0)
    expect(seenDuringRebuild.every((filed) => filed === 1)).toBe(true) // readers saw the old generation throughout
    expect(await currentGeneration(readModels, 'complaintAnalytics')).toBe(2)
    expect((await queries.by('category'))[0]?.filed).toBe(2)
    expect(await readModels.collection(physicalName('complaintAnalytics', 'buckets', 1)).find()).toEqual([])
  })

  it('reports progress: events done, rate and lag', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    for (let i = 0; i < 5; i++)
      await complaint(`k${i}`, {
        ownerId: `o${i}`,
        unitId: `u${i}`,
        ...lift,
        at: bj(`2026-03-0${i + 2} 09:00`),
      })
    const reports: Progress[] = []
    await projectionRunner({
      events,
      readModels,
      projection: complaintAnalytics(),
      batchSize: 2,
      onProgress: (p) => {
        reports.push(p)
      },
    }).catchUp()
    expect(reports.map((r) => [r.eventsProcessed, r.lagEvents])).toEqual([
      [2, 3],
      [4, 1],
      [5, 0],
    ])
    expect(reports.every((r) => r.eventsPerSecond > 0 && r.projection === 'complaintAnalytics')).toBe(true)
  })
})
