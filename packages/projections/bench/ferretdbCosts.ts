// What a rebuild into MongoDB asks of the server, and what a lookup by `_id` costs there
// (docs/benchmarks.md): `MONGODB_URL=… node --conditions=@property-services/source --import tsx
// bench/ferretdbCosts.ts`.
//
// 1. Rebuilds every read model from `BENCH_COMPLAINTS` complaints (default 3,000) through a store that
//    counts, per request kind, the requests, the documents or ids they carry and the time they take.
// 2. Looks up 200 string ids in collections of 5,000 and 20,000 documents in one `$in`, and 50 of them
//    one by one.
import { randomUUID } from 'node:crypto'
import { inMemoryEventStore } from '@property-services/infrastructure'
import {
  allProjections,
  mongoReadModelStore,
  projectionRunner,
  type ReadModelCollection,
  type ReadModelStore,
} from '@property-services/projections'
import { MongoClient } from 'mongodb'
import { appendWorkload } from './workload.js'

const url = process.env.MONGODB_URL
if (url === undefined) throw new Error('set MONGODB_URL')

const counts = new Map<string, { requests: number; items: number; ms: number }>()
const timed = async <T>(kind: string, items: number, work: () => Promise<T>): Promise<T> => {
  const start = performance.now()
  try {
    return await work()
  } finally {
    const count = counts.get(kind) ?? { requests: 0, items: 0, ms: 0 }
    count.requests++
    count.items += items
    count.ms += performance.now() - start
    counts.set(kind, count)
  }
}
const counting = (inner: ReadModelCollection): ReadModelCollection => ({
  ...inner,
  findByIds: (ids) => timed('findByIds', ids.length, () => inner.findByIds(ids)),
  find: (filter, options) => timed('find', 0, () => inner.find(filter, options)),
  write: (operations) => timed('write', operations.length, () => inner.write(operations)),
})

const events = inMemoryEventStore()
const stored = await appendWorkload(events, Number(process.env.BENCH_COMPLAINTS ?? 3000))
const database = `ps_costs_${randomUUID().slice(0, 8)}`
const mongo = await mongoReadModelStore({ url, database })
const readModels: ReadModelStore = { ...mongo, collection: (name) => counting(mongo.collection(name)) }
const start = performance.now()
await projectionRunner({ events, readModels, projections: allProjections() }).catchUp()
console.log(`rebuild of ${stored} events: ${((performance.now() - start) / 1000).toFixed(1)} s`)
for (const [kind, { requests, items, ms }] of counts)
  console.log(`  ${kind}: ${requests} requests, ${items} documents or ids, ${(ms / 1000).toFixed(1)} s`)
await mongo.close()

const client = await MongoClient.connect(url)
try {
  await client.db(database).dropDatabase()
  const collection = client.db(database).collection<{ _id: string; n: number }>('probe')
  const idOf = (i: number) => `moments|filings|owner|community-0|o${i}|facilities|lift-stoppage|2025-01`
  let size = 0
  for (const target of [5_000, 20_000]) {
    for (; size < target; size += 1000)
      await collection.insertMany(
        Array.from({ length: 1000 }, (_, i) => ({ _id: idOf(size + i), n: size + i })),
      )
    const ids = Array.from({ length: 200 }, (_, k) => idOf((k * 97) % target))
    let begun = performance.now()
    const together = await collection.find({ _id: { $in: ids } }).toArray()
    const inOne = performance.now() - begun
    begun = performance.now()
    let oneByOne = 0
    for (const id of ids.slice(0, 50))
      oneByOne += (await collection.find({ _id: { $eq: id } }).toArray()).length
    const each = performance.now() - begun
    console.log(
      `a collection of ${target}: 200 ids in one $in ${inOne.toFixed(0)} ms (${together.length} found); ` +
        `50 one by one ${each.toFixed(0)} ms (${oneByOne} found)`,
    )
  }
} finally {
  await client.db(database).dropDatabase()
  await client.close()
}
