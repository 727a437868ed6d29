/**
 * Projection benchmark: `pnpm bench` (from the repository root). Side by side in one run: reading and
 * decoding the log (the floor of any rebuild), rebuilding all read models in one pass, a pass per read
 * model, and a naive baseline that reads and writes each change of each event on its own; in memory
 * and into MongoDB (FerretDB here: MONGODB_URL, or the test server that tools/ferretdb.sh builds and
 * starts), where bulk-inserting the final documents is the limit. Then the time and peak memory of a
 * one-million-event rebuild, in memory and into MongoDB.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type EventStore,
  inMemoryEventStore,
  positionToString,
  serde,
  sqliteEventStore,
} from '@property-services/infrastructure'
import {
  allProjections,
  type Document,
  defaultBatchSize,
  inMemoryReadModelStore,
  isIncrement,
  mongoReadModelStore,
  type Projection,
  physicalName,
  projectionRunner,
  type ReadModelStore,
  rebuild,
  type View,
} from '@property-services/projections'
import { MongoClient } from 'mongodb'
import { appendWorkload } from './workload.js'

const here = dirname(fileURLToPath(import.meta.url))
const complaints = Number(process.env.BENCH_COMPLAINTS ?? 3000)

/** One read, one write per changed document and one checkpoint write, for every event. */
const naiveRebuild = async (
  events: EventStore,
  readModels: ReadModelStore,
  projection: Projection,
  limit: number,
) => {
  const codec = serde()
  const checkpoints = readModels.collection('naive_checkpoints')
  let done = 0
  for (let after: Parameters<EventStore['readAll']>[0] = { maxCount: 500 }; done < limit; ) {
    const page = await events.readAll(after)
    for (const stored of page.events) {
      if (done >= limit) break
      const recorded = codec.decode(stored)
      const loaded = new Map<string, unknown>()
      for (let attempt = 0; ; attempt++) {
        const missing: Array<[string, string]> = []
        const view: View = {
          get: (collection, id) => {
            const key = `${collection}\u0000${id}`
            if (!loaded.has(key)) missing.push([collection, id])
            return loaded.get(key) as never
          },
        }
        const changes = projection.project(recorded, view)
        if (missing.length === 0 || attempt > 3) {
          for (const change of changes) {
            const collection = readModels.collection(
              physicalName(`naive${projection.name}`, change.collection, 1),
            )
            if (isIncrement(change)) {
              // Read the counter, add, write it back.
              const [doc] = await collection.findByIds([change.id])
              const next: Record<string, unknown> = { ...(doc ?? { _id: change.id, ...change.onInsert }) }
              for (const [field, n] of Object.entries(change.by))
                next[field] = ((next[field] as number) ?? 0) + n
              await collection.write([{ kind: 'put', doc: next as Document }])
            } else {
              await collection.write([
                change.doc === null
                  ? { kind: 'delete', id: change.id }
                  : { kind: 'put', doc: { ...change.doc, _id: change.id } },
              ])
            }
          }
          break
        }
        for (const [collection, id] of missing) {
          const [doc] = await readModels
            .collection(physicalName(`naive${projection.name}`, collection, 1))
            .findByIds([id])
          loaded.set(`${collection}\u0000${id}`, doc)
        }
      }
      await checkpoints.write([
        { kind: 'put', doc: { _id: projection.name, position: positionToString(stored.position) } },
      ])
      done++
    }
    if (page.isEnd || page.lastPosition === undefined) break
    after = { after: page.lastPosition, maxCount: 500 }
  }
  return done
}

const rate = async (work: () => Promise<number>) => {
  const start = performance.now()
  const n = await work()
  return n / ((performance.now() - start) / 1000)
}

type Decoded = ReturnType<ReturnType<typeof serde>['decode']>

/**
 * Reading the whole log in pages of 500 and decoding what the read models handle: the rebuild's floor.
 * The decoded events are kept in `into` when given.
 */
const readAndDecode = async (store: EventStore, decode: boolean, into?: Decoded[]) => {
  const codec = serde()
  const handled = new Set(allProjections().flatMap((p) => p.canHandle))
  let n = 0
  for (let after: Parameters<EventStore['readAll']>[0] = { maxCount: 500 }; ; ) {
    const page = await store.readAll(after)
    for (const stored of page.events) {
      if (decode && handled.has(stored.type)) {
        const recorded = codec.decode(stored, { personalData: false })
        into?.push(recorded)
      }
      n++
    }
    if (page.isEnd || page.lastPosition === undefined) return n
    after = { after: page.lastPosition, maxCount: 500 }
  }
}

type Counted = Record<string, number>

/**
 * The read models' own projecting, over events decoded beforehand, each change applied to bare Maps
 * found by collection, then id, as the runner finds its documents (with keys joined from the two, this
 * measure took 1.13–1.24 × as long, in one process): no runner, no store, no copies. No rebuild can be
 * faster; the in-memory goal is measured against it.
 */
const projectIntoMap = (decoded: readonly Decoded[]) => {
  for (const projection of projections) {
    const collections = new Map<string, Map<string, Document>>(
      projection.collections.map((name) => [name, new Map()]),
    )
    const documents = (collection: string) => {
      const found = collections.get(collection)
      if (found === undefined) throw new Error(`${projection.name} has no collection ${collection}`)
      return found
    }
    const handles = new Set(projection.canHandle)
    const view: View = { get: (collection, id) => documents(collection).get(id) as never }
    for (const recorded of decoded) {
      if (!handles.has(recorded.event.type)) continue
      for (const change of projection.project(recorded, view)) {
        const docs = documents(change.collection)
        if (isIncrement(change)) {
          const doc = (docs.get(change.id) ?? { _id: change.id, ...change.onInsert }) as Counted
          for (const field in change.by) doc[field] = (doc[field] ?? 0) + change.by[field]!
          docs.set(change.id, doc as unknown as Document)
        } else if (change.doc === null) docs.delete(change.id)
        else docs.set(change.id, change.doc)
      }
    }
  }
}

const mongoUrl = (): string | undefined => {
  if (process.env.MONGODB_URL) return process.env.MONGODB_URL
  const started = spawnSync(join(here, '../../../tools/ferretdb.sh'), ['start', '27099'], {
    encoding: 'utf8',
  })
  if (started.status !== 0) {
    console.log(
      `(MongoDB part skipped: no MONGODB_URL and FerretDB could not start: ${started.stderr.trim()})`,
    )
    return undefined
  }
  process.on('exit', () => execFileSync(join(here, '../../../tools/ferretdb.sh'), ['stop']))
  return started.stdout.trim().replace(/^MONGODB_URL=/, '')
}

const events = inMemoryEventStore()
const total = await appendWorkload(events, complaints)
console.log(
  `workload: ${complaints} complaints and surveys = ${total} events; all read models, batches of ${defaultBatchSize}\n`,
)
const projections = allProjections()

// The same log in SQLite, to read and decode from a file.
const dir = mkdtempSync(join(tmpdir(), 'ps-bench-'))
const sqlite = sqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' })
await appendWorkload(sqlite, complaints)

const line = (cells: readonly string[]) => console.log(`| ${cells.join(' | ')} |`)
line(['measure', 'rate', 'ratio'])
line(['---', '---:', '---:'])
// The in-memory measures of a workload this small are mostly the JIT warming up when taken once, and
// whichever runs first pays for it: each is taken in several rounds, in a turning order, and the
// medians compared.
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const inRounds = async (...measures: ReadonlyArray<() => Promise<number>>): Promise<number[]> => {
  const rates: number[][] = measures.map(() => [])
  for (let round = 0; round < rounds; round++)
    for (let i = 0; i < measures.length; i++) {
      const m = (i + round) % measures.length
      rates[m]!.push(await measures[m]!())
    }
  return rates.map(median)
}

const rebuildInMemory = (grouped: boolean) => () =>
  rate(async () => {
    const store = inMemoryReadModelStore()
    if (grouped) await projectionRunner({ events, readModels: store, projections }).catchUp()
    else
      for (const projection of projections)
        await projectionRunner({ events, readModels: store, projection }).catchUp()
    return total
  })
// As the command line rebuilds: a new generation, documents held and written once (no checkpoints).
const rebuildGeneration = () =>
  rate(async () => {
    await rebuild({ events, readModels: inMemoryReadModelStore(), projections })
    return total
  })
const inMemoryNaiveRebuild = () =>
  rate(async () => {
    const store = inMemoryReadModelStore()
    for (const projection of projections) await naiveRebuild(events, store, projection, total)
    return total
  })
const decodedLog: Decoded[] = []
await readAndDecode(events, true, decodedLog)
const [readDecode, inMemoryGrouped, inMemoryRebuilt, inMemorySeparate, inMemoryNaive, intoMap] =
  (await inRounds(
    () => rate(() => readAndDecode(events, true)),
    rebuildInMemory(true),
    rebuildGeneration,
    rebuildInMemory(false),
    inMemoryNaiveRebuild,
    // Rated per event of the log, as the rebuilds are.
    () =>
      rate(async () => {
        projectIntoMap(decodedLog)
        return total
      }),
  )) as [number, number, number, number, number, number]
const [sqliteRead, sqliteReadDecode] = (await inRounds(
  () => rate(() => readAndDecode(sqlite, false)),
  () => rate(() => readAndDecode(sqlite, true)),
)) as [number, number]
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)} ×`
line([
  `read + decode, in-memory log (median of ${rounds})`,
  `${readDecode.toFixed(0)} events/s`,
  '1.00 (baseline)',
])
line([`read only, SQLite log (median of ${rounds})`, `${sqliteRead.toFixed(0)} events/s`, ''])
line([`read + decode, SQLite log (median of ${rounds})`, `${sqliteReadDecode.toFixed(0)} events/s`, ''])
line([
  `in memory: one pass for all read models (a resumable catch-up, median of ${rounds})`,
  `${inMemoryGrouped.toFixed(0)} events/s`,
  `${ratio(inMemoryGrouped, readDecode)} read + decode`,
])
line([
  `in memory: a rebuild of all read models (\`rebuild()\`, median of ${rounds})`,
  `${inMemoryRebuilt.toFixed(0)} events/s`,
  `${ratio(inMemoryRebuilt, readDecode)} read + decode; ${ratio(inMemoryRebuilt, sqliteReadDecode)} read + decode from SQLite`,
])
line([
  `in memory: the read models alone, over decoded events into a bare Map (no runner, no store; median of ${rounds})`,
  `${intoMap.toFixed(0)} events/s`,
  `${ratio(intoMap, readDecode)} read + decode; the rebuild is ${ratio(inMemoryRebuilt, intoMap)} this`,
])
line([
  `in memory: a pass per read model (median of ${rounds})`,
  `${inMemorySeparate.toFixed(0)} events/s`,
  `${ratio(inMemorySeparate, readDecode)} read + decode`,
])
line([
  `in memory: naive, one write per change (median of ${rounds})`,
  `${inMemoryNaive.toFixed(0)} events/s`,
  `one pass is ${ratio(inMemoryGrouped, inMemoryNaive)} naive`,
])

const url = mongoUrl()
if (url !== undefined) {
  const client = await MongoClient.connect(url)
  const databases: string[] = []
  const fresh = async () => {
    const database = `ps_bench_${randomUUID().slice(0, 8)}`
    databases.push(database)
    return { database, store: await mongoReadModelStore({ url, database }) }
  }
  const grouped = await fresh()
  const mongoGrouped = await rate(async () => {
    await projectionRunner({ events, readModels: grouped.store, projections }).catchUp()
    return total
  })
  // The limit: bulk-inserting the final read-model documents straight into an empty database.
  const finalDocs: Array<[string, Document[]]> = []
  for (const projection of projections)
    for (const collection of projection.collections) {
      const name = physicalName(projection.name, collection, 1)
      finalDocs.push([name, await grouped.store.collection(name).find()])
    }
  await grouped.store.close()
  // A rebuild as `property-services rebuild` runs it: a new generation, no crash protocol per batch,
  // each changed document held and written once (up to the runner's `writeBehind`).
  const rebuilt = await fresh()
  const mongoRebuild = await rate(async () => {
    await rebuild({ events, readModels: rebuilt.store, projections })
    return total
  })
  await rebuilt.store.close()
  const documents = finalDocs.reduce((n, [, docs]) => n + docs.length, 0)
  const limit = await fresh()
  const mongoLimit = await rate(async () => {
    const db = client.db(limit.database)
    for (const [name, docs] of finalDocs)
      for (let i = 0; i < docs.length; i += 1_000)
        await db.collection(name).insertMany(docs.slice(i, i + 1_000) as never[])
    return total
  })
  await limit.store.close()
  const naiveLimit = Math.min(total, Number(process.env.BENCH_NAIVE_MONGO_EVENTS ?? 1500))
  const naive = await fresh()
  const mongoNaive = await rate(async () => {
    for (const projection of projections) await naiveRebuild(events, naive.store, projection, naiveLimit)
    return Math.min(naiveLimit, total)
  })
  await naive.store.close()
  line([
    'MongoDB (FerretDB 1.24): one pass for all read models (a resumable catch-up)',
    `${mongoGrouped.toFixed(0)} events/s`,
    `${ratio(mongoGrouped, mongoNaive)} naive; ${ratio(mongoGrouped, mongoLimit)} the limit`,
  ])
  line([
    'MongoDB (FerretDB 1.24): a rebuild of all read models (`rebuild()`, as the CLI rebuilds)',
    `${mongoRebuild.toFixed(0)} events/s`,
    `${ratio(mongoRebuild, mongoNaive)} naive; ${ratio(mongoRebuild, mongoLimit)} the limit`,
  ])
  line([
    `MongoDB: the limit, bulk-inserting the ${documents} final documents`,
    `${mongoLimit.toFixed(0)} events/s`,
    '',
  ])
  line([
    `MongoDB: naive, one write per change (first ${naiveLimit} events)`,
    `${mongoNaive.toFixed(0)} events/s`,
    '',
  ])
  for (const database of databases) await client.db(database).dropDatabase()
  await client.close()
}
await sqlite.close()
rmSync(dir, { recursive: true, force: true })

// Time and peak memory of a one-million-event rebuild (into FerretDB: 100,000), in processes of their own.
for (const target of ['memory', ...(url === undefined ? [] : ['mongodb'])]) {
  const million = spawnSync(
    process.execPath,
    // As this process runs: the built packages under `pnpm bench`, or the sources if asked for.
    [...process.execArgv, join(here, 'millionEvents.ts')],
    {
      cwd: join(here, '..'),
      encoding: 'utf8',
      env: {
        ...process.env,
        // Into FerretDB, a tenth: its lookups slow as collections grow (about 330 events/s over the first
        // 100,000 events, 120 by the 160,000th), so a million would take hours here.
        BENCH_MILLION:
          target === 'memory'
            ? (process.env.BENCH_MILLION ?? '1000000')
            : (process.env.BENCH_MONGO_EVENTS ?? '100000'),
        BENCH_TARGET: target,
        ...(url === undefined ? {} : { MONGODB_URL: url }),
      },
    },
  )
  console.log(`\n${million.stdout.trim()}${million.status === 0 ? '' : `\nfailed: ${million.stderr}`}`)
}
