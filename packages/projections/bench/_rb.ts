import { randomUUID } from 'node:crypto'
import { inMemoryEventStore } from '@property-services/infrastructure'
import {
  allProjections,
  mongoReadModelStore,
  projectionRunner,
  type ReadModelCollection,
  type ReadModelStore,
  rebuild,
} from '@property-services/projections'
import { MongoClient } from 'mongodb'
import { appendWorkload } from './workload.js'

const url = process.env.MONGODB_URL!
const events = inMemoryEventStore()
const total = await appendWorkload(events, 3000)
const client = await MongoClient.connect(url)
for (let r = 0; r < 4; r++) {
  const mode = r % 2 === 0 ? 'catchUp' : 'rebuild'
  const database = `ps_rb_${randomUUID().slice(0, 8)}`
  const inner = await mongoReadModelStore({ url, database })
  const counts = new Map<string, [number, number, number]>()
  const timed = async <T>(k: string, n: number, w: () => Promise<T>) => {
    const t0 = performance.now()
    try {
      return await w()
    } finally {
      const c = counts.get(k) ?? [0, 0, 0]
      c[0]++
      c[1] += n
      c[2] += performance.now() - t0
      counts.set(k, c)
    }
  }
  const wrap = (c: ReadModelCollection): ReadModelCollection => ({
    ...c,
    findByIds: (ids) => timed('findByIds', ids.length, () => c.findByIds(ids)),
    find: (f, o) => timed('find', 0, () => c.find(f, o)),
    write: (ops) =>
      timed('write ' + [...new Set(ops.map((o) => o.kind))].join('+'), ops.length, () => c.write(ops)),
    compareAndSet: (d, e) => timed('compareAndSet', 1, () => c.compareAndSet(d, e)),
    drop: () => timed('drop', 0, () => c.drop()),
  })
  const store: ReadModelStore = { ...inner, collection: (n) => wrap(inner.collection(n)) }
  const start = performance.now()
  if (mode === 'catchUp')
    await projectionRunner({ events, readModels: store, projections: allProjections() }).catchUp()
  else await rebuild({ events, readModels: store, projections: allProjections() })
  console.log(mode, (total / ((performance.now() - start) / 1000)).toFixed(0), 'events/s')
  for (const [k, [n, items, ms]] of counts) console.log('   ', k, n, items, ms.toFixed(0) + ' ms')
  await store.close()
  await client.db(database).dropDatabase()
}
await client.close()
