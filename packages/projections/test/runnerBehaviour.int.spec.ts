import { type EventStore, inMemoryEventStore, positionToString } from '@property-services/infrastructure'
import {
  allProjections,
  CorruptCheckpointError,
  checkpointOf,
  checkpointsCollection,
  complaintAnalytics,
  complaintAnalyticsQueries,
  currentGeneration,
  type Document,
  finishRebuild,
  generationsCollection,
  inMemoryReadModelStore,
  type Progress,
  type Projection,
  ProjectionError,
  partitionedName,
  physicalName,
  prepareRebuild,
  projectionRunner,
  quarantinedEvents,
  type ReadModelStore,
  RunnerBusyError,
  rebuild,
  repeatComplaintQueries,
  repeatComplaints,
} from '@property-services/projections'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bj, daysAfter, scenario } from './scenario.js'
import { dump, type StoreTarget, storeTargets, wrappingCollections } from './support.js'

const lift = { category: 'facilities', subject: 'lift-stoppage', channel: 'phone' }

/** Complaints k0…k3, filed a day apart from `filed`, each taken through its handling to resolution. */
const fourResolved = async (complaint: ReturnType<typeof scenario>['complaint'], filed: string) => {
  for (let i = 0; i < 4; i++)
    await complaint(
      `k${i}`,
      { ownerId: `o${i}`, unitId: `u${i}`, ...lift, at: daysAfter(filed, i) },
      {
        acknowledged: daysAfter(filed, i + 1),
        proposed: daysAfter(filed, i + 1),
        dispatched: { at: daysAfter(filed, i + 1), department: 'engineering' },
        resolved: daysAfter(filed, i + 2),
      },
    )
}
/** Complaint k<i>, filed `i` days after 2 March 2026 by one of `owners` owners, about their unit's lift. */
const fileComplaint = (complaint: ReturnType<typeof scenario>['complaint'], i: number, owners = 2) =>
  complaint(`k${i}`, {
    ownerId: `o${i % owners}`,
    unitId: `u${i % owners}`,
    ...lift,
    at: daysAfter(bj('2026-03-02 09:00'), i),
  })

/** A projection that cannot handle the events of one stream, and handles all others as `inner` does. */
const failingOn = (inner: Projection, streamName: string): Projection => ({
  ...inner,
  project: (recorded, view) => {
    if (recorded.streamName === streamName)
      throw new Error(`cannot handle ${streamName.slice('complaint-'.length)}`)
    return inner.project(recorded, view)
  },
})

/** Complaint analytics under another name, handling only closings: no complaint in these logs is closed. */
const untouchedReadModel = (): Projection => ({
  ...complaintAnalytics(),
  name: 'untouched',
  canHandle: ['ComplaintClosed'],
})

/** Stores, past the codecs, a complaint no codec reads back: as an older version could have. */
const appendUnreadable = (events: EventStore, eventId: string) =>
  events.appendToStream('complaint-bad', [
    {
      eventId,
      type: 'ComplaintFiled',
      data: { complaintId: 'bad', category: 'plumbing' },
      metadata: {
        ...metadataAt('2026-03-02T01:00:00.000Z'),
        eventId,
        commandId: eventId,
        correlationId: eventId,
      },
    },
  ])

const metadataAt = (occurredAt: string) => ({
  occurredAt,
  commandId: 'c-nul',
  correlationId: 'c-nul',
  actor: { id: 's', role: 'staff' },
  schemaVersion: 1,
})

describe.each(storeTargets)('projection runner behaviour on %s', (_name, make) => {
  let target: StoreTarget
  let readModels: ReadModelStore
  beforeEach(async () => {
    target = await make()
    readModels = target.store
  })
  afterEach(async () => target.cleanup())

  /**
   * Complaint analytics, and repeat complaints when among `projections`, read as after one clean pass
   * of `projections` over `events`.
   */
  const expectCleanPass = async (events: EventStore, projections: readonly Projection[]) => {
    const clean = await make()
    await projectionRunner({ events, readModels: clean.store, projections }).catchUp()
    expect(await complaintAnalyticsQueries(readModels).by('category')).toEqual(
      await complaintAnalyticsQueries(clean.store).by('category'),
    )
    if (projections.some((p) => p.name === repeatComplaints().name))
      expect(await repeatComplaintQueries(readModels).rates()).toEqual(
        await repeatComplaintQueries(clean.store).rates(),
      )
    await clean.cleanup()
  }

  it('stops on a poison event, names it, and keeps the checkpoint before it', async () => {
    const events = inMemoryEventStore()
    const { complaint, unit } = scenario(events)
    const at = bj('2026-03-02 09:00')
    for (const unitId of ['u1', 'u2', 'u3']) await unit(unitId, at)
    await complaint('k1', { ownerId: 'o1', unitId: 'u1', ...lift, at })
    await complaint('k2', { ownerId: 'o2', unitId: 'u2', ...lift, at: daysAfter(at, 1) })
    await complaint('k3', { ownerId: 'o3', unitId: 'u3', ...lift, at: daysAfter(at, 2) })
    const inner = complaintAnalytics()
    const poisoned = failingOn(inner, 'complaint-k2')
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
    await appendUnreadable(events, 'e-1')
    await expect(
      projectionRunner({ events, readModels, projection: complaintAnalytics() }).catchUp(),
    ).rejects.toMatchObject({
      code: 'ProjectionFailed',
      streamName: 'complaint-bad',
      eventType: 'ComplaintFiled',
    })
  })

  it('quarantines, by policy, events it cannot decode or project, and goes on', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const at = bj('2026-03-02 09:00')
    await complaint('k1', { ownerId: 'o1', unitId: 'u1', ...lift, at })
    await appendUnreadable(events, 'e-bad')
    await complaint('k2', { ownerId: 'o2', unitId: 'u2', ...lift, at: daysAfter(at, 1) })
    await complaint('k3', { ownerId: 'o3', unitId: 'u3', ...lift, at: daysAfter(at, 2) })
    const inner = complaintAnalytics()
    const poisoned = failingOn(inner, 'complaint-k2')
    await expect(
      projectionRunner({ events, readModels, projection: poisoned }).catchUp(),
    ).rejects.toBeInstanceOf(ProjectionError)
    const reports: Progress[] = []
    await projectionRunner({
      events,
      readModels,
      projection: poisoned,
      batchSize: 2,
      onPoison: 'quarantine',
      onProgress: (p) => {
        reports.push(p)
      },
    }).catchUp()
    expect(reports.at(-1)).toMatchObject({ quarantined: 2, lagEvents: 0 })
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(2)
    const [bad] = (await events.readStream('complaint-bad')).events
    const quarantined = await quarantinedEvents(readModels, 'complaintAnalytics')
    expect(quarantined.map((q) => [q.streamName, q.revision, q.eventType])).toEqual(
      expect.arrayContaining([
        ['complaint-bad', 0, 'ComplaintFiled'],
        ['complaint-k2', 0, 'ComplaintFiled'],
      ]),
    )
    expect(quarantined.find((q) => q.streamName === 'complaint-bad')).toMatchObject({
      position: positionToString(bad!.position),
      eventId: 'e-bad',
      error: expect.stringContaining('data.category'),
    })
    expect(quarantined.find((q) => q.streamName === 'complaint-k2')?.error).toContain('cannot handle k2')
    // A rebuild writes its generation afresh, quarantine included: fixed, k2 projects; the bad event stays set aside.
    await rebuild({ events, readModels, projection: inner, onPoison: 'quarantine' })
    expect((await quarantinedEvents(readModels)).map((q) => q.streamName)).toEqual(['complaint-bad'])
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(3)
  })

  it('keys documents by ids holding any characters, the runner never mistaking one for a separator', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    await complaint('k1', { ownerId: 'o1', unitId: 'u1', ...lift, at: bj('2026-03-02 09:00') })
    await complaint('k2', { ownerId: 'o2', unitId: 'u2', ...lift, at: bj('2026-03-03 09:00') })
    // Ids such as an older version let through: a NUL (the runner's old separator), quotes, brackets.
    const odd = 'a\u0000b|\u0000["x", "y"]'
    const counting: Projection = {
      name: 'oddIds',
      collections: ['counts'],
      canHandle: ['ComplaintFiled'],
      project: (recorded, view) => {
        const before = view.get('counts', odd) as { n?: number } | undefined
        return [
          {
            collection: 'counts',
            id: odd,
            doc: { _id: odd, n: (before?.n ?? 0) + 1, last: recorded.streamName },
          },
        ]
      },
    }
    const finished = projectionRunner({ events, readModels, projection: counting, batchSize: 1 }).catchUp()
    const hung = new Promise((_, reject) => setTimeout(() => reject(new Error('the runner hung')), 10_000))
    await Promise.race([finished, hung])
    const [doc] = await readModels.collection(physicalName('oddIds', 'counts', 1)).findByIds([odd])
    expect(doc).toMatchObject({ _id: odd, n: 2, last: 'complaint-k2' })
  })

  it('stops on, or quarantines, a stored department holding a NUL, and never hangs', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const at = bj('2026-03-02 09:00')
    await complaint('k1', { ownerId: 'o1', unitId: 'u1', ...lift, at }, { acknowledged: at, proposed: at })
    await events.appendToStream('complaint-k1', [
      {
        eventId: 'nul-1',
        type: 'ComplaintDispatched',
        data: { complaintId: 'k1', department: 'a\u0000b', dueBy: daysAfter(at, 3), at: daysAfter(at, 1) },
        metadata: { ...metadataAt(daysAfter(at, 1)), eventId: 'nul-1' },
      },
    ])
    await expect(
      projectionRunner({ events, readModels, projection: complaintAnalytics() }).catchUp(),
    ).rejects.toMatchObject({ code: 'ProjectionFailed', eventType: 'ComplaintDispatched' })
    await projectionRunner({
      events,
      readModels,
      projection: complaintAnalytics(),
      onPoison: 'quarantine',
    }).catchUp()
    expect((await quarantinedEvents(readModels)).map((q) => q.error)).toEqual([
      expect.stringContaining('data.department'),
    ])
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(1)
  })

  it.each([
    // Rebuilt before: readers use that generation, and the rebuild writes the one after.
    { builtBy: 'a rebuild', readers: 2 },
    // Built by a runner, as a backend's live runner builds them, never rebuilt: readers use the first.
    { builtBy: 'a runner', readers: 1 },
  ])(
    'rebuilds read models built by $builtBy into a new generation while readers keep the old one, then switches',
    async ({ builtBy, readers }) => {
      const events = inMemoryEventStore()
      const { complaint } = scenario(events)
      await complaint('k1', { ownerId: 'o1', unitId: 'u1', ...lift, at: bj('2026-03-02 09:00') })
      const projection = complaintAnalytics()
      if (builtBy === 'a rebuild')
        // Never rebuilt, readers use the first generation: the rebuild writes the second.
        expect(await rebuild({ events, readModels, projection })).toMatchObject({ generation: 2 })
      else await projectionRunner({ events, readModels, projection }).catchUp()
      const queries = complaintAnalyticsQueries(readModels)
      expect((await queries.by('category'))[0]?.filed).toBe(1)
      await complaint('k2', { ownerId: 'o2', unitId: 'u2', ...lift, at: bj('2026-03-03 09:00') })
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
      expect(result).toEqual({ generation: readers + 1, generations: { complaintAnalytics: readers + 1 } })
      expect(seenDuringRebuild.length).toBeGreaterThan(0)
      expect(seenDuringRebuild.every((filed) => filed === 1)).toBe(true) // readers saw the old generation throughout
      expect(await currentGeneration(readModels, 'complaintAnalytics')).toBe(readers + 1)
      expect((await queries.by('category'))[0]?.filed).toBe(2)
      // The old generation is gone, its checkpoint with it.
      expect(
        await readModels.collection(physicalName('complaintAnalytics', 'buckets', readers)).find(),
      ).toEqual([])
      expect(
        await readModels.collection(checkpointsCollection).findByIds([`complaintAnalytics_g${readers}`]),
      ).toEqual([])
    },
  )

  it('following live while a rebuild switches readers to a new generation, goes on in that generation from where the rebuild left off', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const file = (i: number) => fileComplaint(complaint, i)
    const projections = [complaintAnalytics(), repeatComplaints()]
    const queries = complaintAnalyticsQueries(readModels)
    const filed = async () => (await queries.by('category'))[0]?.filed
    const seen = async (count: number) => {
      for (let i = 0; i < 400 && (await filed()) !== count; i++)
        await new Promise((resolve) => setTimeout(resolve, 5))
      return filed()
    }
    const live = projectionRunner({ events, readModels, projections, owner: 'live' }).start()
    let failed: unknown
    live.done.catch((error: unknown) => {
      failed = error
    })
    for (let i = 0; i < 3; i++) await file(i)
    expect(await seen(3)).toBe(3)
    await file(3)
    // Rebuilt into generation 2 (readers switched, generation 1 dropped with the live runner's checkpoint).
    await rebuild({ events, readModels, projections, owner: 'rebuild' })
    expect(await currentGeneration(readModels, 'complaintAnalytics')).toBe(2)
    for (let i = 4; i < 7; i++) await file(i)
    expect(await seen(7)).toBe(7)
    await live.stop()
    expect(failed).toBeUndefined()
    // Nothing is left in the retired generation, whatever the runner wrote there after the drop.
    expect(await readModels.collection(physicalName('complaintAnalytics', 'complaints', 1)).find()).toEqual(
      [],
    )
    await expectCleanPass(events, projections)
  })

  it('a live runner and its standby, across a rebuild that switches readers: one writes the new generation, the other stands by, neither fails', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const file = (i: number) => fileComplaint(complaint, i)
    const projection = complaintAnalytics()
    const queries = complaintAnalyticsQueries(readModels)
    const seen = async (count: number) => {
      for (let i = 0; i < 600 && (await queries.by('category'))[0]?.filed !== count; i++)
        await new Promise((resolve) => setTimeout(resolve, 5))
      return (await queries.by('category'))[0]?.filed
    }
    const failures: unknown[] = []
    // The standby looks for a free lease every 100 ms; the leader writes its checkpoint once a second
    // when idle, so the standby takes the new generation first, and the leader finds it taken.
    const runners = [
      ['leader', 3_000],
      ['standby', 300],
    ].map(([owner, leaseTtlMs]) => {
      const running = projectionRunner({
        events,
        readModels,
        projection,
        owner: owner as string,
        leaseTtlMs: leaseTtlMs as number,
      }).start()
      running.done.catch((error: unknown) => failures.push(error))
      return running
    })
    for (let i = 0; i < 3; i++) await file(i)
    expect(await seen(3)).toBe(3)
    await rebuild({ events, readModels, projection, owner: 'rebuild' })
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (let i = 3; i < 6; i++) await file(i)
    expect(await seen(6)).toBe(6)
    // Longer than the leader's lease: it stands by, and does not fail.
    await new Promise((resolve) => setTimeout(resolve, 3_100))
    await file(6)
    expect(await seen(7)).toBe(7)
    const [checkpoint] = await readModels
      .collection(checkpointsCollection)
      .findByIds(['complaintAnalytics_g2'])
    expect(checkpoint?.lease).toMatchObject({ owner: 'standby' })
    for (const running of runners) await running.stop()
    expect(failures).toEqual([])
    await expectCleanPass(events, [projection])
  })

  it('rebuilds one at a time: another rebuild of the same read models is refused before it drops anything, and readers end on the read models of one clean pass', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    await fourResolved(complaint, bj('2026-03-02 09:00'))
    const projections = [complaintAnalytics(), repeatComplaints()]
    await projectionRunner({ events, readModels, projections }).catchUp()
    let second: Promise<unknown> | undefined
    const first = rebuild({
      events,
      readModels,
      projections,
      owner: 'first',
      batchSize: 2,
      onProgress: () => {
        // Another operator's rebuild, started while this one writes the next generation.
        second ??= rebuild({ events, readModels, projections, owner: 'second' }).catch(
          (error: unknown) => error,
        )
      },
    })
    await expect(first).resolves.toMatchObject({ generation: 2 })
    expect(await second).toMatchObject({
      name: 'LeaseHeldError',
      code: 'ProjectionLeaseHeld',
      projection: 'complaintAnalytics',
      holder: { owner: 'first' },
    })
    const clean = await make()
    await projectionRunner({ events, readModels: clean.store, projections }).catchUp()
    // Counters carry the stamp of the batch that last added to them, which depends on how the work was cut.
    const documents = async (
      store: ReadModelStore,
      projection: string,
      collection: string,
      generation: number,
    ) =>
      (await store.collection(physicalName(projection, collection, generation)).find()).map(
        ({ _batch, ...doc }) => doc,
      )
    for (const { name, collections } of projections)
      for (const collection of collections)
        expect(await documents(readModels, name, collection, 2)).toEqual(
          await documents(clean.store, name, collection, 1),
        )
    await clean.cleanup()
  })

  it('switches readers only while it holds its generation: a rebuild whose lease ran out and was taken over switches nothing, and workers writing a generation keep other rebuilds out', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    await complaint('k1', { ownerId: 'o1', unitId: 'u1', ...lift, at: bj('2026-03-02 09:00') })
    const projection = complaintAnalytics()
    await projectionRunner({ events, readModels, projection }).catchUp()
    // Prepared, then stalled past its lease: another rebuild takes the generation over.
    const stalled = await prepareRebuild(readModels, [projection], { owner: 'stalled', leaseTtlMs: 100 })
    expect(stalled.generations).toEqual({ complaintAnalytics: 2 })
    await new Promise((resolve) => setTimeout(resolve, 150))
    const taking = await prepareRebuild(readModels, [projection], { owner: 'taking' })
    await expect(finishRebuild(readModels, [projection], stalled)).rejects.toMatchObject({
      name: 'LeaseHeldError',
      holder: { owner: 'taking' },
    })
    expect(await currentGeneration(readModels, 'complaintAnalytics')).toBe(0)
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(1)
    await projectionRunner({
      events,
      readModels,
      projection,
      owner: 'taking',
      generation: taking.generations,
      checkpoints: 'rebuild',
    }).catchUp()
    await finishRebuild(readModels, [projection], taking)
    expect(await currentGeneration(readModels, 'complaintAnalytics')).toBe(2)
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(1)
    // The stalled one, finishing after the other switched readers, would switch them back to a generation
    // the other dropped: refused, readers stay.
    await rebuild({ events, readModels, projection, owner: 'third' })
    await expect(finishRebuild(readModels, [projection], stalled)).rejects.toMatchObject({
      name: 'RebuildSupersededError',
      code: 'ProjectionRebuildSuperseded',
      message:
        'the rebuild of complaintAnalytics into generation 2 was superseded: readers use generation 3 now, switched by another rebuild',
    })
    expect(await currentGeneration(readModels, 'complaintAnalytics')).toBe(3)
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(1)
    // A worker sharing a rebuild of generation 4 holds its partition's lease: no other rebuild drops it.
    const worker = checkpointOf(readModels, partitionedName('complaintAnalytics', 0, 2), 4, {
      owner: 'worker',
    })
    await worker.acquire()
    const buckets4 = readModels.collection(physicalName('complaintAnalytics', 'buckets', 4))
    await buckets4.write([{ kind: 'put', doc: { _id: 'written by the worker' } }])
    await expect(prepareRebuild(readModels, [projection], { owner: 'late' })).rejects.toMatchObject({
      name: 'LeaseHeldError',
      projection: 'complaintAnalytics#p0of2_g4',
      holder: { owner: 'worker' },
    })
    expect(await buckets4.find()).toEqual([{ _id: 'written by the worker' }])
  })

  it('rebuilds without a checkpoint write per batch, and a rebuild cut short leaves readers where they were', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    for (let i = 0; i < 6; i++)
      await complaint(`k${i}`, {
        ownerId: `o${i}`,
        unitId: `u${i}`,
        ...lift,
        at: daysAfter(bj('2026-03-02 09:00'), i),
      })
    const projection = complaintAnalytics()
    await rebuild({ events, readModels, projection })
    // Count the checkpoint writes of a rebuild in batches of one event: not one per batch.
    let checkpointWrites = 0
    const counting = wrappingCollections(readModels, (name, inner) =>
      name !== checkpointsCollection
        ? inner
        : {
            ...inner,
            compareAndSet: (doc, expected) => {
              checkpointWrites++
              return inner.compareAndSet(doc, expected)
            },
          },
    )
    const batches = await events.countAfter()
    await rebuild({ events, readModels: counting, projection, batchSize: 1 })
    expect(batches).toBeGreaterThan(10)
    // A few whatever the batches: the rebuild takes its lease and empties the checkpoint, its runner takes
    // the lease over, writes the checkpoint at the end and gives the lease up, and the switch takes the
    // lease back and gives it up.
    expect(checkpointWrites).toBeLessThanOrEqual(7)
    // Cut short by a failure half-way: readers stay on generation 3, and the next rebuild starts afresh.
    await expect(
      rebuild({ events, readModels, projection: failingOn(projection, 'complaint-k3'), batchSize: 2 }),
    ).rejects.toBeInstanceOf(ProjectionError)
    expect(await currentGeneration(readModels, 'complaintAnalytics')).toBe(3)
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(6)
    await rebuild({ events, readModels, projection, batchSize: 2 })
    expect(await currentGeneration(readModels, 'complaintAnalytics')).toBe(4)
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(6)
  })

  it('rebuilds writing each document once while it holds no more than it may leave unwritten', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const filed = bj('2026-03-02 09:00')
    await fourResolved(complaint, filed)
    const projection = complaintAnalytics()
    /** Per document, how many times a rebuild in batches of one event wrote it whole. */
    const writesPerDocument = async (writeBehind?: number) => {
      const writes = new Map<string, number>()
      const counting = wrappingCollections(readModels, (name, inner) => ({
        ...inner,
        write: (ops) => {
          for (const op of ops)
            if (op.kind !== 'increment') {
              const key = `${name}/${op.kind === 'delete' ? op.id : op.doc._id}`
              writes.set(key, (writes.get(key) ?? 0) + 1)
            }
          return inner.write(ops)
        },
      }))
      await rebuild({
        events,
        readModels: counting,
        projection,
        batchSize: 1,
        ...(writeBehind === undefined ? {} : { writeBehind }),
      })
      const summaries = [...writes].filter(([key]) => key.includes('_complaints_'))
      return { summaries, read: await complaintAnalyticsQueries(readModels).by('category') }
    }
    const heldBack = await writesPerDocument()
    const eachBatch = await writesPerDocument(0)
    // Each complaint's summary changes with every one of its five events.
    expect(heldBack.summaries.map(([, n]) => n)).toEqual([1, 1, 1, 1])
    expect(eachBatch.summaries.map(([, n]) => n)).toEqual([5, 5, 5, 5])
    expect(heldBack.read).toEqual(eachBatch.read)
    expect(heldBack.read[0]?.filed).toBe(4)
  })

  it('rebuilds to what one clean pass writes whatever it holds unwritten, documents created, deleted and created again', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const filed = bj('2026-03-02 09:00')
    const steps = ['acknowledged', 'proposed', 'dispatched', 'resolved'] as const
    // Complaint k<n> goes through the first n steps: filed, then each step deletes or writes again.
    for (let n = 0; n <= steps.length; n++) {
      const at = daysAfter(filed, n)
      const taken = steps.slice(0, n)
      await complaint(
        `k${n}`,
        { ownerId: `o${n}`, unitId: `u${n}`, ...lift, at },
        {
          ...(taken.includes('acknowledged') ? { acknowledged: at } : {}),
          ...(taken.includes('proposed') ? { proposed: at } : {}),
          ...(taken.includes('dispatched') ? { dispatched: { at, department: 'engineering' } } : {}),
          ...(taken.includes('resolved') ? { resolved: daysAfter(filed, n + 1) } : {}),
        },
      )
    }
    // Filed: written; acknowledged: deleted; proposed: written again; dispatched: deleted; resolved: written.
    const toggling: Projection = {
      name: 'toggling',
      collections: ['docs'],
      canHandle: [
        'ComplaintFiled',
        'ComplaintAcknowledged',
        'ResolutionProposed',
        'ComplaintDispatched',
        'ComplaintResolved',
      ],
      project: ({ event }, view) => {
        const id = (event.data as { complaintId: string }).complaintId
        const before = view.get('docs', id) as { writes?: number } | undefined
        const deletes = event.type === 'ComplaintAcknowledged' || event.type === 'ComplaintDispatched'
        return [
          {
            collection: 'docs',
            id,
            doc: deletes ? null : { _id: id, last: event.type, writes: (before?.writes ?? 0) + 1 },
          },
        ]
      },
    }
    const clean = inMemoryReadModelStore()
    await projectionRunner({ events, readModels: clean, projection: toggling }).catchUp()
    const expected = await clean.collection(physicalName('toggling', 'docs', 1)).find()
    expect(expected.map((doc) => doc._id)).toEqual(['k0', 'k2', 'k4'])
    for (const batchSize of [1, 2, 3])
      for (const writeBehind of [0, 1, 2, 100]) {
        const fresh = await make()
        try {
          const { generation } = await rebuild({
            events,
            readModels: fresh.store,
            projection: toggling,
            batchSize,
            writeBehind,
          })
          const docs = await fresh.store.collection(physicalName('toggling', 'docs', generation)).find()
          expect({ batchSize, writeBehind, docs }).toEqual({ batchSize, writeBehind, docs: expected })
        } finally {
          await fresh.cleanup()
        }
      }
  })

  it('reads a document it holds unwritten from what it holds, also once more documents than it keeps recent came after it', async () => {
    const events = inMemoryEventStore()
    const { complaint, run } = scenario(events)
    const filed = bj('2026-03-02 09:00')
    await complaint('k0', { ownerId: 'o0', unitId: 'u0', ...lift, at: filed })
    // More complaints after it than the runner keeps documents recent (5,000 a projection), in the
    // batches before the one that reads it again.
    for (let i = 1; i <= 5_600; i++)
      await complaint(`k${i}`, { ownerId: `o${i}`, unitId: `u${i}`, ...lift, at: filed })
    await run('AcknowledgeComplaint', { complaintId: 'k0', gesture: 'apology', note: 'called back' }, filed)
    const counting: Projection = {
      name: 'counting',
      collections: ['docs'],
      canHandle: ['ComplaintFiled', 'ComplaintAcknowledged'],
      project: ({ event }, view) => {
        const id = (event.data as { complaintId: string }).complaintId
        const before = view.get('docs', id) as { events?: number } | undefined
        return [{ collection: 'docs', id, doc: { _id: id, events: (before?.events ?? 0) + 1 } }]
      },
    }
    const { generation } = await rebuild({
      events,
      readModels,
      projection: counting,
      batchSize: 1_000,
      writeBehind: 10_000,
    })
    const docs = readModels.collection(physicalName('counting', 'docs', generation))
    expect(await docs.findByIds(['k0', 'k1'])).toEqual([
      { _id: 'k0', events: 2 },
      { _id: 'k1', events: 1 },
    ])
  }, 120_000)

  it('reads from the store no document it read or wrote itself in an earlier batch', async () => {
    const events = inMemoryEventStore()
    const { complaint, run } = scenario(events)
    const filed = bj('2026-03-02 09:00')
    await fourResolved(complaint, filed)
    // Every document the runner asks the store for (its own bookkeeping aside).
    const asked: string[] = []
    const counting = wrappingCollections(readModels, (name, inner) => ({
      ...inner,
      findByIds: (ids) => {
        if (name !== checkpointsCollection && name !== generationsCollection)
          asked.push(...ids.map((id) => `${name}/${id}`))
        return inner.findByIds(ids)
      },
    }))
    const projections = allProjections()
    // From nothing, in batches of one event: what it needs again, it wrote itself.
    await projectionRunner({ events, readModels: counting, projections, batchSize: 1 }).catchUp()
    expect(asked).toEqual([])
    // Resumed by another runner, more events about the same complaints: each document read once.
    for (let i = 0; i < 4; i++)
      await run(
        'NotifyComplaintOutcome',
        { complaintId: `k${i}`, via: 'phone', summary: 'fixed' },
        daysAfter(filed, i + 3),
      )
    for (let i = 0; i < 4; i++)
      await run('CloseComplaint', { complaintId: `k${i}`, rating: 4 }, daysAfter(filed, i + 4))
    await projectionRunner({ events, readModels: counting, projections, batchSize: 1 }).catchUp()
    expect(asked.length).toBeGreaterThan(0)
    expect(new Set(asked).size).toBe(asked.length)
    // And the read models are those of one clean pass.
    await expectCleanPass(events, projections)
  })

  it('after a batch that failed half-written, catches up again to the read models of one clean pass', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const filed = bj('2026-03-02 09:00')
    for (let i = 0; i < 6; i++)
      await complaint(
        `k${i}`,
        { ownerId: `o${i % 2}`, unitId: `u${i % 2}`, ...lift, at: daysAfter(filed, i) },
        {
          acknowledged: daysAfter(filed, i + 1),
          proposed: daysAfter(filed, i + 1),
          dispatched: { at: daysAfter(filed, i + 1), department: 'engineering' },
          resolved: daysAfter(filed, i + 2),
        },
      )
    // The fifth document write lands half its bulk and fails; every write after it succeeds.
    let writes = 0
    const failingOnce = wrappingCollections(readModels, (name, inner) => ({
      ...inner,
      write: async (ops) => {
        if (name !== checkpointsCollection && ++writes === 5) {
          await inner.write(ops.slice(0, Math.ceil(ops.length / 2)))
          throw new Error('connection reset')
        }
        await inner.write(ops)
      },
    }))
    const projections = allProjections()
    // One runner, kept: what it had read or written before the failure must not outlive it.
    const runner = projectionRunner({ events, readModels: failingOnce, projections, batchSize: 4 })
    await expect(runner.catchUp()).rejects.toThrow('connection reset')
    await runner.catchUp()
    expect(writes).toBeGreaterThan(5)
    await expectCleanPass(events, projections)
  })

  it('gives a projection the documents of earlier events of its batch as it would have read them back, whatever the batch size', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    for (const [i, day] of ['02', '03', '04'].entries())
      await complaint(`k${i}`, { ownerId: 'o1', unitId: 'u1', ...lift, at: bj(`2026-03-${day} 09:00`) })
    // Written without an `_id`, as a JavaScript projection could (the runner adds it); the next event
    // reads it back and looks at `_id`.
    const chaining: Projection = {
      name: 'chaining',
      collections: ['latest'],
      canHandle: ['ComplaintFiled'],
      project: (recorded, view) => {
        const before = view.get('latest', 'o1') as { _id?: string; n?: number } | undefined
        return [
          {
            collection: 'latest',
            id: 'o1',
            doc: {
              n: (before?.n ?? 0) + 1,
              sawId: before?._id ?? null,
              last: recorded.streamName,
            } as unknown as Document,
          },
        ]
      },
    }
    const results = []
    for (const batchSize of [1, 100]) {
      const projection = { ...chaining, name: `chaining${batchSize}` }
      await projectionRunner({ events, readModels, projection, batchSize }).catchUp()
      results.push(await readModels.collection(physicalName(projection.name, 'latest', 1)).findByIds(['o1']))
    }
    expect(results[0]).toEqual([{ _id: 'o1', n: 3, sawId: 'o1', last: 'complaint-k2' }])
    expect(results[1]).toEqual(results[0])
  })

  /** Four complaints of one owner about the lift, each handled the same day: three repeats. */
  const fourLiftComplaints = async (
    complaint: ReturnType<typeof scenario>['complaint'],
    from = 0,
    to = 4,
  ) => {
    for (const [i, day] of ['02', '03', '05', '09'].entries()) {
      if (i < from || i >= to) continue
      await complaint(
        `k${i}`,
        { ownerId: 'o1', unitId: i % 2 === 0 ? 'u1' : 'u2', ...lift, at: bj(`2026-03-${day} 09:00`) },
        {
          acknowledged: bj(`2026-03-${day} 10:00`),
          proposed: bj(`2026-03-${day} 10:00`),
          dispatched: { at: bj(`2026-03-${day} 10:00`), department: 'engineering' },
          resolved: bj(`2026-03-${day} 18:00`),
        },
      )
    }
  }
  /** Repeat complaints under another name, counting how often each event is projected. */
  const countedRepeats = (name: string, calls: Map<string, number>): Projection => {
    const inner = repeatComplaints()
    return {
      ...inner,
      name,
      project: (recorded, view) => {
        const id = `${recorded.streamName}@${recorded.revision}`
        calls.set(id, (calls.get(id) ?? 0) + 1)
        return inner.project(recorded, view)
      },
    }
  }
  const repeatsOf = async (name: string) =>
    (await readModels.collection(physicalName(name, 'repeats', 1)).find({}, { sort: { _id: 1 } })).map(
      ({ _batch, ...doc }) => doc,
    )

  it('projects each event of a batch at most twice when trial runs must find what it reads, with the read models of batches of one', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    await fourLiftComplaints(complaint, 0, 2)
    const calls = new Map<string, number>()
    const projection = countedRepeats('repeatComplaintsResumed', calls)
    await projectionRunner({ events, readModels, projection, batchSize: 100 }).catchUp()
    await fourLiftComplaints(complaint, 2, 4)
    // Another runner goes on from the checkpoint: it knows none of the documents, so the first trial of
    // its batch misses the histories it reads; the second finds them all and is kept.
    calls.clear()
    await projectionRunner({ events, readModels, projection, batchSize: 100 }).catchUp()
    expect(calls.size).toBe(4)
    expect(Math.max(...calls.values())).toBe(2)
    await projectionRunner({ events, readModels, projection: repeatComplaints(), batchSize: 1 }).catchUp()
    expect((await repeatsOf(projection.name)).length).toBe(3)
    expect(await repeatsOf(projection.name)).toEqual(await repeatsOf(repeatComplaints().name))
  })

  it('projects each event once when it knows what the batch reads: a catch-up from nothing', async () => {
    const events = inMemoryEventStore()
    await fourLiftComplaints(scenario(events).complaint)
    const calls = new Map<string, number>()
    const projection = countedRepeats('repeatComplaintsOnce', calls)
    // A runner that starts a generation from nothing knows every document it has not written is absent,
    // and keeps those it wrote: a batch's trial run misses nothing, and is kept.
    await projectionRunner({ events, readModels, projection, batchSize: 3 }).catchUp()
    expect(calls.size).toBe(8)
    expect([...calls.values()]).toEqual(Array(8).fill(1))
    await projectionRunner({ events, readModels, projection: repeatComplaints(), batchSize: 1 }).catchUp()
    expect((await repeatsOf(projection.name)).length).toBe(3)
    expect(await repeatsOf(projection.name)).toEqual(await repeatsOf(repeatComplaints().name))
  })

  it.each([
    ['reads a document it increments', ['inc', 'read'], /reads .*counts.*which it increments/],
    ['increments a document it reads', ['read', 'inc'], /increments counts\/x, which it reads/],
    ['increments a document it replaced', ['put', 'inc'], /increments counts\/x, which it reads or replaces/],
    ['replaces a document it increments', ['inc', 'put'], /replaces counts\/x, which it increments/],
  ] as const)('refuses a projection that %s in one batch', async (_what, steps, message) => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    await complaint('k0', { ownerId: 'o1', unitId: 'u1', ...lift, at: bj('2026-03-02 09:00') })
    await complaint('k1', { ownerId: 'o1', unitId: 'u1', ...lift, at: bj('2026-03-03 09:00') })
    const step = new Map([
      ['complaint-k0', steps[0]],
      ['complaint-k1', steps[1]],
    ])
    const mixing: Projection = {
      name: 'mixing',
      collections: ['counts'],
      canHandle: ['ComplaintFiled'],
      project: (recorded, view) => {
        if (step.get(recorded.streamName) === 'read') {
          view.get('counts', 'x')
          return []
        }
        if (step.get(recorded.streamName) === 'put')
          return [{ collection: 'counts', id: 'x', doc: { _id: 'x' } }]
        return [{ collection: 'counts', id: 'x', by: { n: 1 }, onInsert: {} }]
      },
    }
    const run = projectionRunner({ events, readModels, projection: mixing, batchSize: 100 }).catchUp()
    await expect(run).rejects.toThrow()
    const error = await run.catch((e: unknown) => e)
    expect(String(error) + String((error as { cause?: unknown }).cause)).toMatch(message)
  })

  it('rebuilds several read models in one pass, each into its own next generation', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    await complaint('k1', { ownerId: 'o1', unitId: 'u1', ...lift, at: bj('2026-03-02 09:00') })
    await rebuild({ events, readModels, projection: complaintAnalytics() })
    await complaint('k2', { ownerId: 'o1', unitId: 'u1', ...lift, at: bj('2026-03-03 09:00') })
    const result = await rebuild({ events, readModels, projections: allProjections() })
    // Each into the generation after the one its readers use: the first when never rebuilt.
    expect(result.generations).toEqual({
      complaintAnalytics: 3,
      repeatComplaints: 2,
      satisfactionTrends: 2,
      visitCadence: 2,
      serviceBoard: 2,
      meetings: 2,
      training: 2,
      correctiveActions: 2,
    })
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(2)
    expect((await repeatComplaintQueries(readModels).rates())[0]).toMatchObject({ complaints: 2 })
  })

  it('stops only once the batch being written is written, and writes nothing after', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    // Every write takes a while, as over a network.
    let writing = 0
    let writes = 0
    const slow = wrappingCollections(readModels, (_name, inner) => ({
      ...inner,
      write: async (operations) => {
        writing++
        await new Promise((resolve) => setTimeout(resolve, 40))
        await inner.write(operations)
        writes++
        writing--
      },
    }))
    const runner = projectionRunner({
      events,
      readModels: slow,
      projection: complaintAnalytics(),
    }).start()
    for (let i = 0; i < 3; i++)
      await complaint(`k${i}`, {
        ownerId: `o${i}`,
        unitId: `u${i}`,
        ...lift,
        at: bj(`2026-03-0${i + 2} 09:00`),
      })
    for (let i = 0; i < 200 && writing === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(writing).toBeGreaterThan(0)
    await runner.stop()
    expect(writing).toBe(0)
    const after = writes
    await complaint('late', { ownerId: 'o9', unitId: 'u9', ...lift, at: bj('2026-03-09 09:00') })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(writes).toBe(after)
    // What it wrote is whole: no batch was left half-done.
    const [checkpoint] = await readModels
      .collection(checkpointsCollection)
      .findByIds(['complaintAnalytics_g1'])
    expect(checkpoint).toMatchObject({ pending: null })
  })

  it('replays a batch recorded by an earlier version (before-images as a list), and refuses a corrupt undo record, naming it, with nothing written', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    await fourResolved(complaint, bj('2026-03-02 09:00'))
    // A runner dies at its first document write: the batch has begun, and stays pending.
    const dying = wrappingCollections(readModels, (name, inner) => ({
      ...inner,
      write: async (operations) => {
        if (!name.startsWith('projection_')) throw new Error('the process died')
        return inner.write(operations)
      },
    }))
    await expect(
      projectionRunner({
        events,
        readModels: dying,
        projection: complaintAnalytics(),
        batchSize: 7,
      }).catchUp(),
    ).rejects.toThrow('the process died')
    const checkpoints = readModels.collection(checkpointsCollection)
    const [stored] = await checkpoints.findByIds(['complaintAnalytics_g1'])
    const pending = stored?.pending as { position: string; before: string }
    expect(typeof pending.before).toBe('string')
    const asBefore = { ...stored!, pending: { ...pending, before: JSON.parse(pending.before) } }
    // Corrupt, each way: refused, named, and nothing written.
    const documentsBefore = await readModels
      .collection(physicalName('complaintAnalytics', 'complaints', 1))
      .find()
    const corruptions: Array<[string, Document]> = [
      [
        "the pending batch's before-images are not JSON text",
        { ...stored!, pending: { ...pending, before: '[{"collection": "complaints", "id"' } },
      ],
      [
        "the pending batch's before-images are not a list of { collection, id, doc }",
        {
          ...stored!,
          pending: { ...pending, before: '[{"collection": "complaints", "id": 7, "doc": null}]' },
        },
      ],
      ['the pending batch has no position', { ...stored!, pending: { before: pending.before } }],
    ]
    for (const [reason, corrupt] of corruptions) {
      await checkpoints.write([{ kind: 'put', doc: corrupt }])
      const error = await projectionRunner({ events, readModels, projection: complaintAnalytics() })
        .catchUp()
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CorruptCheckpointError)
      expect(error).toMatchObject({
        code: 'ProjectionCheckpointCorrupt',
        checkpoint: 'complaintAnalytics_g1',
      })
      expect((error as Error).message).toBe(
        `checkpoint complaintAnalytics_g1 in projection_checkpoints: ${reason}`,
      )
      expect((await checkpoints.findByIds(['complaintAnalytics_g1']))[0]).toEqual(corrupt)
      expect(await readModels.collection(physicalName('complaintAnalytics', 'complaints', 1)).find()).toEqual(
        documentsBefore,
      )
    }
    // As an earlier version stored it: replayed, to the read models of a clean pass.
    await checkpoints.write([{ kind: 'put', doc: asBefore }])
    await projectionRunner({ events, readModels, projection: complaintAnalytics() }).catchUp()
    const clean = inMemoryReadModelStore()
    await projectionRunner({ events, readModels: clean, projection: complaintAnalytics() }).catchUp()
    expect(await complaintAnalyticsQueries(readModels).by('category')).toEqual(
      await complaintAnalyticsQueries(clean).by('category'),
    )
    expect((await checkpoints.findByIds(['complaintAnalytics_g1']))[0]).toMatchObject({ pending: null })
  })

  it('runs once at a time: a second start or catch-up while it runs is refused, naming the runner; stopped, it runs again, to the read models of one clean pass', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const projections = [complaintAnalytics(), repeatComplaints()]
    let batches = 0
    const runner = projectionRunner({ events, readModels, projections, onProgress: () => void batches++ })
    const file = (i: number) => fileComplaint(complaint, i, 3)
    const busy = (running: string, asked: string, tail: string) => ({
      name: 'RunnerBusyError',
      code: 'ProjectionRunnerBusy',
      projections: ['complaintAnalytics', 'repeatComplaints'],
      running,
      asked,
      message: `${asked}() on the projection runner of complaintAnalytics, repeatComplaints, which is ${tail}`,
    })
    const live = runner.start()
    expect(() => runner.start()).toThrow(RunnerBusyError)
    expect(() => runner.start()).toThrow(
      expect.objectContaining(busy('start', 'start', 'running live: stop() it first')),
    )
    await expect(runner.catchUp()).rejects.toMatchObject(
      busy('start', 'catchUp', 'running live: stop() it first'),
    )
    for (let i = 0; i < 6; i++) await file(i)
    for (let i = 0; i < 400 && batches < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(batches).toBeGreaterThanOrEqual(2)
    // Stopped twice, stopped once; then it runs again, catching up on what came meanwhile.
    await Promise.all([live.stop(), live.stop()])
    for (let i = 6; i < 9; i++) await file(i)
    const catchingUp = runner.catchUp()
    await expect(runner.catchUp()).rejects.toMatchObject(
      busy('catchUp', 'catchUp', 'catching up: await its catchUp() first'),
    )
    expect(() => runner.start()).toThrow(
      expect.objectContaining(busy('catchUp', 'start', 'catching up: await its catchUp() first')),
    )
    await catchingUp
    const again = runner.start()
    // The first run's handle, stopped again, leaves the run started since alone.
    await live.stop()
    expect(() => runner.start()).toThrow(RunnerBusyError)
    await file(9)
    for (let i = 0; i < 400; i++) {
      if ((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed === 10) break
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await again.stop()
    const clean = await make()
    await projectionRunner({ events, readModels: clean.store, projections }).catchUp()
    for (const projection of projections)
      expect(await dump(readModels, projection)).toEqual(await dump(clean.store, projection))
    await clean.cleanup()
  })

  it('stopped while appends keep coming, leaves every checkpoint where its read model is, none pending', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const untouched = untouchedReadModel()
    const slow = wrappingCollections(readModels, (_name, inner) => ({
      ...inner,
      write: async (operations) => {
        await new Promise((resolve) => setTimeout(resolve, 15))
        return inner.write(operations)
      },
    }))
    let batches = 0
    const runner = projectionRunner({
      events,
      readModels: slow,
      projections: [complaintAnalytics(), untouched],
      onProgress: (p) => {
        if (p.projection === 'untouched') batches++
      },
    }).start()
    for (let i = 0; batches < 3; i++) {
      await complaint(`k${i}`, { ownerId: `o${i}`, unitId: `u${i}`, ...lift, at: bj('2026-03-02 09:00') })
      await new Promise((resolve) => setTimeout(resolve, 3))
    }
    await runner.stop()
    const checkpoints = await readModels
      .collection(checkpointsCollection)
      .findByIds(['complaintAnalytics_g1', 'untouched_g1'])
    expect(checkpoints).toHaveLength(2)
    const [analytics, alone] = ['complaintAnalytics_g1', 'untouched_g1'].map((id) =>
      checkpoints.find((c) => c._id === id),
    )
    expect(analytics).toMatchObject({ pending: null })
    expect(alone).toMatchObject({ pending: null, position: analytics?.position })
  })

  it('following live, writes one checkpoint per batch and none for a read model the batch leaves alone, settles when idle, and keeps the undo record of a batch that failed part-way, stopped or not', async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const untouched = untouchedReadModel()
    const checkpointWrites = new Map<string, number>()
    // Set to n: the document write n + 1 writes later fails, once, as a store that drops a connection.
    let failAfter: number | undefined
    /** Complaint k<i>, filed on day i. */
    const file = (i: number) =>
      complaint(`k${i}`, {
        ownerId: `o${i}`,
        unitId: `u${i}`,
        ...lift,
        at: daysAfter(bj('2026-03-02 09:00'), i),
      })
    // The complaints still to file: one is appended while each document write is under way, so that a
    // new event is always waiting when a batch ends, however fast or slow the host.
    const toFile: number[] = []
    const slow = wrappingCollections(readModels, (name, inner) => ({
      ...inner,
      write: async (operations) => {
        const next = toFile.shift()
        if (next !== undefined) await file(next)
        await new Promise((resolve) => setTimeout(resolve, 5))
        if (failAfter !== undefined && failAfter-- === 0) {
          failAfter = undefined
          throw new Error('the write failed')
        }
        return inner.write(operations)
      },
      compareAndSet: async (doc, expected) => {
        if (name === checkpointsCollection)
          checkpointWrites.set(doc._id, (checkpointWrites.get(doc._id) ?? 0) + 1)
        return inner.compareAndSet(doc, expected)
      },
    }))
    let batches = 0
    const owner = 'the only runner'
    const projections = [complaintAnalytics(), untouched]
    const runner = projectionRunner({
      events,
      readModels: slow,
      projections,
      owner,
      onProgress: (p) => {
        if (p.projection === 'complaintAnalytics') batches++
      },
    }).start()
    /** Until the runner, idle, has moved the untouched read model's checkpoint to the log's end. */
    const idle = async () => {
      const end = positionToString((await events.readAll({ maxCount: 1_000 })).events.at(-1)!.position)
      for (let i = 0; i < 400; i++) {
        const [stored] = await readModels.collection(checkpointsCollection).findByIds(['untouched_g1'])
        if (stored?.position === end && stored.pending === null) return
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      throw new Error('the runner never went idle')
    }
    await file(0)
    await idle()
    checkpointWrites.clear()
    batches = 0
    // Complaints k1…k39, appended while batches are written.
    toFile.push(...Array.from({ length: 38 }, (_, i) => i + 2))
    await file(1)
    for (let i = 0; i < 400 && toFile.length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(toFile).toEqual([])
    await idle()
    expect(batches).toBeGreaterThan(5)
    // Its lease fresh, the untouched read model's checkpoint moved once, when the runner went idle
    // (before, at the end of every batch); the other's once per batch, step (3) riding on the next
    // batch's step (1), and once when the runner went idle.
    expect(checkpointWrites.get('untouched_g1')).toBe(1)
    expect(checkpointWrites.get('complaintAnalytics_g1')).toBeGreaterThanOrEqual(batches)
    expect(checkpointWrites.get('complaintAnalytics_g1')).toBeLessThanOrEqual(batches + 1)
    // More appends, and a batch fails part-way: its summaries are written, its counters not. The runner
    // stops, and stopping it once the store answers again leaves that batch's undo record in place.
    failAfter = 1
    for (let i = 40; i < 45; i++) await file(i)
    await expect(runner.done).rejects.toThrow('the write failed')
    await runner.stop()
    const [left] = await readModels.collection(checkpointsCollection).findByIds(['complaintAnalytics_g1'])
    expect(left?.pending).not.toBeNull()
    // Restarted under the same name, it replays that batch and catches up to what a clean pass writes.
    await projectionRunner({ events, readModels, projections, owner }).catchUp()
    const clean = inMemoryReadModelStore()
    await projectionRunner({ events, readModels: clean, projections }).catchUp()
    expect(await complaintAnalyticsQueries(readModels).by('category')).toEqual(
      await complaintAnalyticsQueries(clean).by('category'),
    )
    // March and April.
    const rows = await complaintAnalyticsQueries(readModels).by('category')
    expect(rows.reduce((sum, row) => sum + row.filed, 0)).toBe(45)
  })

  /** A log of `count` complaints a day apart, each after its unit's registration. */
  const complaintsDaily = async (count: number) => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    for (let i = 0; i < count; i++)
      await complaint(`k${i}`, {
        ownerId: `o${i}`,
        unitId: `u${i}`,
        ...lift,
        at: bj(`2026-03-0${i + 2} 09:00`),
      })
    return { events, complaint }
  }

  it('reports progress: events done, rate and lag', async () => {
    const { events } = await complaintsDaily(5)
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
    // Each complaint's unit is registered just before it: ten events in all.
    expect(reports.map((r) => [r.eventsProcessed, r.lagEvents])).toEqual([
      [2, 8],
      [4, 6],
      [6, 4],
      [8, 2],
      [10, 0],
    ])
    expect(reports.every((r) => r.eventsPerSecond > 0 && r.projection === 'complaintAnalytics')).toBe(true)
  })

  it("lets the event loop turn between the read models' parts of one batch", async () => {
    const { events } = await complaintsDaily(2)
    // The first read model's projecting sets a timer going; the second looks whether it has run.
    let timerRan = false
    const seenBySecond: boolean[] = []
    const noting = (name: string, project: () => void): Projection => ({
      name,
      collections: ['nothing'],
      canHandle: ['ComplaintFiled'],
      project: () => {
        project()
        return []
      },
    })
    const first = noting('first', () => {
      setImmediate(() => {
        timerRan = true
      })
    })
    const second = noting('second', () => seenBySecond.push(timerRan))
    await projectionRunner({ events, readModels, projections: [first, second], batchSize: 100 }).catchUp()
    expect(seenBySecond).toEqual([true, true])
  })

  it("lets the event loop turn within one read model's part of a batch of thousands", async () => {
    const events = inMemoryEventStore()
    const { complaint } = scenario(events)
    const filings = 1_200
    const start = Date.parse(bj('2026-03-02 09:00'))
    for (let i = 0; i < filings; i++)
      await complaint(`k${i}`, {
        ownerId: `o${i}`,
        unitId: `u${i}`,
        ...lift,
        at: new Date(start + i * 60_000).toISOString(),
      })
    // The first filing a phase (prefetching, projecting) goes over sets a timer going; each filing
    // notes whether it has run yet, and takes at least 0.1 ms (a thousand filings: 100 ms, five times
    // the runner's 20 ms between turns). Without a prefetch, the batch is projected in a trial run;
    // with one, it is prefetched, then projected in the real pass.
    for (const prefetched of [false, true]) {
      const seen = { prefetch: [] as boolean[], project: [] as boolean[] }
      const ran = { prefetch: false, project: false }
      const note = (phase: 'prefetch' | 'project') => {
        if (seen[phase].length === 0)
          setImmediate(() => {
            ran[phase] = true
          })
        seen[phase].push(ran[phase])
        for (const until = performance.now() + 0.1; performance.now() < until; );
      }
      const noting: Projection = {
        name: prefetched ? 'notingPrefetched' : 'notingTried',
        collections: ['nothing'],
        canHandle: ['ComplaintFiled'],
        ...(prefetched
          ? {
              prefetch: () => {
                note('prefetch')
                return []
              },
            }
          : {}),
        project: () => {
          note('project')
          return []
        },
      }
      await projectionRunner({ events, readModels, projection: noting, batchSize: 5_000 }).catchUp()
      for (const noted of prefetched ? [seen.prefetch, seen.project] : [seen.project]) {
        expect(noted).toHaveLength(filings)
        // One batch, yet the timer ran before the last filing, and within the first thousand (by the
        // 200th, unless the host stalls).
        expect(noted.at(-1)).toBe(true)
        expect(noted.indexOf(true)).toBeGreaterThan(0)
        expect(noted.indexOf(true)).toBeLessThanOrEqual(1_000)
      }
    }
  })

  it('serves timers while it catches up: stops part-way when asked from one, and the next runner goes on from there', async () => {
    const { events } = await complaintsDaily(6)
    const projection = complaintAnalytics()
    let processed = 0
    const runner = projectionRunner({
      events,
      readModels,
      projection,
      batchSize: 2,
      onProgress: (p) => {
        processed = p.eventsProcessed
      },
    }).start()
    while (processed === 0) await new Promise((resolve) => setImmediate(resolve))
    await runner.stop()
    const last = (await events.readAll({ maxCount: 100 })).events.at(-1)!
    const [stopped] = await readModels.collection(checkpointsCollection).findByIds(['complaintAnalytics_g1'])
    expect(stopped).toMatchObject({ pending: null })
    expect(stopped?.position).toEqual(expect.any(String))
    expect(stopped?.position).not.toBe(positionToString(last.position))
    await projectionRunner({ events, readModels, projection, batchSize: 2 }).catchUp()
    const [caughtUp] = await readModels.collection(checkpointsCollection).findByIds(['complaintAnalytics_g1'])
    expect(caughtUp?.position).toBe(positionToString(last.position))
    expect((await complaintAnalyticsQueries(readModels).by('category'))[0]?.filed).toBe(6)
  })

  it('counts the lag it reports once per catch-up, not per batch, and counts again when the log grew', async () => {
    const { events, complaint } = await complaintsDaily(6)
    let counts = 0
    const counting: EventStore = {
      ...events,
      countAfter: (position) => {
        counts++
        return events.countAfter(position)
      },
    }
    const lags: number[] = []
    let grown = false
    await projectionRunner({
      events: counting,
      readModels,
      projection: complaintAnalytics(),
      batchSize: 2,
      onProgress: async (p) => {
        lags.push(p.lagEvents)
        // Half-way, the log grows by two events (a complaint and its unit) the count has not seen.
        if (!grown && p.eventsProcessed === 6) {
          grown = true
          await complaint('k9', { ownerId: 'o9', unitId: 'u9', ...lift, at: bj('2026-03-09 09:00') })
        }
      },
    }).catchUp()
    // Twelve events, then two more: the count taken first runs out at the old end and is taken again.
    expect(lags).toEqual([10, 8, 6, 4, 2, 2, 0])
    expect(counts).toBe(2)
  })
})
