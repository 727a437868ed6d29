/**
 * One writer per projection: a runner takes each projection's lease before it writes, every checkpoint
 * write is conditional on the lease, a standby takes over when the holder stops or dies, and a runner
 * whose lease was taken writes nothing more.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type EventStore, inMemoryEventStore, sqliteEventStore } from '@property-services/infrastructure'
import {
  allProjections,
  type Checkpoint,
  checkpointsCollection,
  complaintAnalytics,
  inMemoryReadModelStore,
  LeaseHeldError,
  LeaseLostError,
  mongoReadModelStore,
  physicalName,
  projectionRunner,
  type ReadModelStore,
} from '@property-services/projections'
import * as fc from 'fast-check'
import { MongoClient } from 'mongodb'
import { describe, expect, it } from 'vitest'
import { appendAll, communityArbitrary, dump, mongoUrl, storeTargets } from './support.js'

const here = dirname(fileURLToPath(import.meta.url))
const until = async (condition: () => boolean | Promise<boolean>, what: string, ms = 15_000) => {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
const history = (seed: number) =>
  fc.sample(
    communityArbitrary.filter((c) => c.length >= 6),
    { numRuns: 1, seed },
  )[0]!

describe.each(storeTargets)('projection leases on %s', (_name, make) => {
  it('refuses a lease, a batch or a write-behind that could not work, before taking anything', async () => {
    const events = inMemoryEventStore()
    const { store, cleanup } = await make()
    try {
      const projection = complaintAnalytics()
      for (const leaseTtlMs of [0, -1, Number.NaN, 99])
        expect(() => projectionRunner({ events, readModels: store, projection, leaseTtlMs })).toThrow(
          /leaseTtlMs must be at least 100/,
        )
      for (const batchSize of [0, -5, 1.5])
        expect(() => projectionRunner({ events, readModels: store, projection, batchSize })).toThrow(
          /batchSize must be a positive integer/,
        )
      for (const writeBehind of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY])
        expect(() => projectionRunner({ events, readModels: store, projection, writeBehind })).toThrow(
          /writeBehind must be a whole number/,
        )
      expect(await store.collection(checkpointsCollection).find()).toEqual([])
    } finally {
      await cleanup()
    }
  })

  it('refuses a second writer while one holds the lease, and lets a standby take over when it stops', async () => {
    const community = history(7)
    const events = inMemoryEventStore()
    await appendAll(events, community.slice(0, 3))
    const { store, cleanup } = await make()
    const reference = inMemoryReadModelStore()
    try {
      const projection = complaintAnalytics()
      const first = projectionRunner({ events, readModels: store, projection, owner: 'first' })
      const leading = first.start()
      await until(async () => (await events.countAfter(first.position)) === 0, 'the first runner to catch up')
      const refused = await projectionRunner({ events, readModels: store, projection, owner: 'second' })
        .catchUp()
        .catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(LeaseHeldError)
      expect((refused as LeaseHeldError).holder.owner).toBe('first')

      const second = projectionRunner({ events, readModels: store, projection, owner: 'second' })
      const standby = second.start()
      await appendAll(events, community.slice(3))
      await until(async () => (await events.countAfter(first.position)) === 0, 'the first runner to follow')
      expect(second.position).toBeUndefined() // the standby has taken nothing yet
      await leading.stop()
      await appendAll(
        events,
        community.slice(0, 1).map((s) => ({ ...s, streamName: `${s.streamName}-late` })),
      )
      await until(
        async () => second.position !== undefined && (await events.countAfter(second.position)) === 0,
        'the standby to take over and catch up',
      )
      await standby.stop()
      await projectionRunner({ events, readModels: reference, projection }).catchUp()
      expect(await dump(store, projection)).toBe(await dump(reference, projection))
    } finally {
      await cleanup()
    }
  })

  it('a runner whose lease was taken over stops before writing its next batch', async () => {
    const community = history(11)
    const events = inMemoryEventStore()
    await appendAll(events, community.slice(0, 2))
    const { store, cleanup } = await make()
    try {
      const projection = complaintAnalytics()
      const paused = projectionRunner({ events, readModels: store, projection, owner: 'paused' })
      const running = paused.start()
      await until(async () => (await events.countAfter(paused.position)) === 0, 'the runner to catch up')
      // As if the holder had paused past its lease: the lease expires and another runner takes it.
      const checkpoints = store.collection(checkpointsCollection)
      const [held] = (await checkpoints.findByIds(['complaintAnalytics_g1'])) as Checkpoint[]
      await checkpoints.write([{ kind: 'put', doc: { ...held!, lease: { ...held!.lease!, expiresAt: 0 } } }])
      const taker = projectionRunner({ events, readModels: store, projection, owner: 'taker' })
      await taker.catchUp()
      const before = await dump(store, projection)
      await appendAll(events, community.slice(2))
      const lost = await running.done.catch((error: unknown) => error)
      expect(lost).toBeInstanceOf(LeaseLostError)
      expect(await dump(store, projection)).toBe(before)
      await running.stop()
    } finally {
      await cleanup()
    }
  })
})

/** Kills the workers, closes the log, drops the test database and removes the folder. */
const cleanUp = async (
  workers: readonly ChildProcessWithoutNullStreams[],
  events: EventStore,
  database: string,
  dir: string,
) => {
  for (const child of workers) child.kill('SIGKILL')
  await events.close()
  const client = await MongoClient.connect(mongoUrl!)
  await client.db(database).dropDatabase()
  await client.close()
  rmSync(dir, { recursive: true, force: true })
}

/** Worker processes running a fixture with the given arguments, and what each printed, by name. */
const workerProcesses = (fixture: string, args: readonly string[]) => {
  const workers: ChildProcessWithoutNullStreams[] = []
  const output = new Map<string, string>()
  const spawnWorker = (name: string, ...more: string[]) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@property-services/source',
        '--import',
        'tsx',
        join(here, 'fixtures', fixture),
        ...args,
        ...more,
      ],
      { cwd: join(here, '..') },
    )
    output.set(name, '')
    child.stdout.on('data', (chunk) => output.set(name, output.get(name) + String(chunk)))
    child.stderr.on('data', (chunk) => output.set(name, output.get(name) + String(chunk)))
    workers.push(child)
    return child
  }
  return { workers, output, spawnWorker }
}

describe.skipIf(mongoUrl === undefined)('projection workers in two processes', () => {
  it('only one writes; when it is killed, the other takes over, and the read models are those of one clean pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ps-lease-'))
    const database = `ps_lease_${randomUUID().slice(0, 8)}`
    const path = join(dir, 'events.db')
    const { workers, output, spawnWorker } = workerProcesses('worker.ts', [
      path,
      mongoUrl!,
      database,
      'runner',
    ])
    const worker = (owner: string) => spawnWorker(owner, owner)
    // Each read model reports once its part of a batch is written: wait for all of them.
    const wroteAll = (owner: string, events: number) =>
      allProjections().every((p) => (output.get(owner) ?? '').includes(`wrote ${p.name} ${events}/`))
    const writes = (owner: string) =>
      (output.get(owner) ?? '').split('\n').filter((l) => l.startsWith('wrote')).length
    const events = sqliteEventStore({ path, synchronous: 'normal' })
    const community = history(3)
    const third = Math.ceil(community.length / 3)
    try {
      await appendAll(events, community.slice(0, third))
      const one = worker('one')
      await until(() => writes('one') > 0, 'worker one to write', 60_000)
      worker('two')
      await until(() => (output.get('two') ?? '').includes('started'), 'worker two to start', 60_000)
      await appendAll(events, community.slice(third, 2 * third))
      const total = await events.countAfter()
      await until(() => wroteAll('one', total), 'worker one to follow', 30_000)
      expect(writes('two')).toBe(0)
      one.kill('SIGKILL')
      await new Promise((resolve) => one.once('exit', resolve))
      await appendAll(events, community.slice(2 * third))
      const end = await events.countAfter()
      await until(() => wroteAll('two', end), 'worker two to take over', 30_000)

      const readModels = await mongoReadModelStore({ url: mongoUrl!, database })
      const reference = inMemoryReadModelStore()
      for (const projection of allProjections()) {
        await projectionRunner({ events, readModels: reference, projection }).catchUp()
        expect(await dump(readModels, projection)).toBe(await dump(reference, projection))
      }
      await readModels.close()
    } finally {
      await cleanUp(workers, events, database, dir)
    }
  }, 120_000)
})

describe.skipIf(mongoUrl === undefined)('partitioned projection workers in two processes', () => {
  it('share the communities, one writer per partition; when one is killed, the other takes its partitions over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ps-partition-'))
    const database = `ps_part_${randomUUID().slice(0, 8)}`
    const path = join(dir, 'events.db')
    const { workers, output, spawnWorker } = workerProcesses('worker.ts', [
      path,
      mongoUrl!,
      database,
      'partition',
    ])
    const worker = (index: number) => spawnWorker(`w${index}`, String(index))
    const lines = (name: string) => (output.get(name) ?? '').split('\n').filter((l) => l.startsWith('wrote'))
    /** The partitions a worker wrote, and whether it wrote every read model's part up to `events`. */
    const partitionsWritten = (name: string) => new Set(lines(name).map((l) => l.split(' ')[2]))
    const wroteAll = (names: readonly string[], partitions: readonly number[], events: number) =>
      allProjections().every((p) =>
        partitions.every((partition) =>
          names.some((name) => (output.get(name) ?? '').includes(`wrote ${p.name} p${partition} ${events}/`)),
        ),
      )
    const events = sqliteEventStore({ path, synchronous: 'normal' })
    const community = history(5)
    const half = Math.ceil(community.length / 2)
    try {
      await appendAll(events, community.slice(0, half))
      const zero = worker(0)
      worker(1)
      const first = await events.countAfter()
      await until(() => wroteAll(['w0', 'w1'], [0, 1, 2, 3], first), 'both workers to catch up', 60_000)
      // Each wrote its own partitions only.
      expect([...partitionsWritten('w0')].sort()).toEqual(['p0', 'p2'])
      expect([...partitionsWritten('w1')].sort()).toEqual(['p1', 'p3'])
      zero.kill('SIGKILL')
      await new Promise((resolve) => zero.once('exit', resolve))
      await appendAll(events, community.slice(half))
      const end = await events.countAfter()
      await until(
        () => wroteAll(['w1'], [0, 1, 2, 3], end),
        'worker one to take partitions 0 and 2 over',
        60_000,
      )

      const readModels = await mongoReadModelStore({ url: mongoUrl!, database })
      const reference = inMemoryReadModelStore()
      await projectionRunner({ events, readModels: reference, projections: allProjections() }).catchUp()
      for (const projection of allProjections())
        for (const collection of projection.collections) {
          const docs = async (store: ReadModelStore) =>
            (await store.collection(physicalName(projection.name, collection, 1)).find())
              .map(({ _batch, ...doc }) =>
                JSON.stringify(Object.entries(doc).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
              )
              .sort()
          expect({ collection, docs: await docs(readModels) }).toEqual({
            collection,
            docs: await docs(reference),
          })
        }
      await readModels.close()
    } finally {
      await cleanUp(workers, events, database, dir)
    }
  }, 180_000)
})
