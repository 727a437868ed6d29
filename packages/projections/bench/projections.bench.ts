/**
 * Projection benchmark: `pnpm bench` (from the repository root). Rebuilds all read models with the
 * batching runner and with a naive baseline that writes each change of each event on its own, side by
 * side in one run, in memory and into MongoDB (FerretDB here: MONGODB_URL, or the test server that
 * tools/ferretdb.sh builds and starts). Then the peak memory of a one-million-event rebuild.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type EventStore,
  inMemoryEventStore,
  positionToString,
  serde,
} from '@property-services/infrastructure'
import {
  allProjections,
  type Document,
  inMemoryReadModelStore,
  isIncrement,
  mongoReadModelStore,
  type Projection,
  physicalName,
  projectionRunner,
  type ReadModelStore,
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
console.log(`workload: ${complaints} complaints and surveys = ${total} events; all three read models\n`)
const projections = allProjections()

const rows: string[] = []
const compare = async (
  label: string,
  makeStore: () => Promise<ReadModelStore & { drop?: () => Promise<void> }>,
  naiveLimit: number,
) => {
  const batchedStore = await makeStore()
  const batched = await rate(async () => {
    for (const projection of projections)
      await projectionRunner({ events, readModels: batchedStore, projection, batchSize: 500 }).catchUp()
    return total
  })
  await batchedStore.close()
  const naiveStore = await makeStore()
  const naive = await rate(async () => {
    for (const projection of projections) await naiveRebuild(events, naiveStore, projection, naiveLimit)
    return Math.min(naiveLimit, total)
  })
  await naiveStore.close()
  const line = `| ${label} | ${batched.toFixed(0)} events/s | ${naive.toFixed(0)} events/s | ${(batched / naive).toFixed(1)} x |`
  console.log(line)
  rows.push(line)
}

console.log('| read models | batching runner (batch 500) | naive: one write per change | speed-up |')
console.log('| --- | ---: | ---: | ---: |')
await compare('in memory', async () => inMemoryReadModelStore(), total)
const url = mongoUrl()
if (url !== undefined) {
  const databases: string[] = []
  await compare(
    'MongoDB (FerretDB 1.24, SQLite backend)',
    async () => {
      const database = `ps_bench_${randomUUID().slice(0, 8)}`
      databases.push(database)
      return mongoReadModelStore({ url, database })
    },
    Math.min(total, Number(process.env.BENCH_NAIVE_MONGO_EVENTS ?? 3000)),
  )
  const client = await MongoClient.connect(url)
  for (const database of databases) await client.db(database).dropDatabase()
  await client.close()
}

// Peak memory of a one-million-event rebuild into in-memory read models, in a process of its own.
const million = spawnSync(
  process.execPath,
  ['--conditions=@property-services/source', '--import', 'tsx', join(here, 'millionEvents.ts')],
  {
    cwd: join(here, '..'),
    encoding: 'utf8',
    env: { ...process.env, BENCH_MILLION: process.env.BENCH_MILLION ?? '1000000' },
  },
)
console.log(`\n${million.stdout.trim()}${million.status === 0 ? '' : `\nfailed: ${million.stderr}`}`)
