// Rebuilds every read model in one pass from N events (default one million) stored in SQLite, into
// in-memory read models (BENCH_TARGET=memory) or MongoDB (BENCH_TARGET=mongodb, MONGODB_URL), and
// prints the rate and the peak resident memory. Run by projections.bench.ts in a process of its own.

import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqliteEventStore } from '@property-services/infrastructure'
import {
  allProjections,
  inMemoryReadModelStore,
  mongoReadModelStore,
  projectionRunner,
  type ReadModelStore,
} from '@property-services/projections'
import { MongoClient } from 'mongodb'
import { appendWorkload } from './workload.js'

const target = Number(process.env.BENCH_MILLION ?? 1_000_000)
const dir = mkdtempSync(join(tmpdir(), 'ps-million-'))
try {
  const events = sqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' })
  // 7.1 events per complaint and 6 per survey every 20 complaints: about 7.4 per complaint.
  const stored = await appendWorkload(events, Math.ceil(target / 7.4))
  const rssBefore = process.memoryUsage().rss
  const url = process.env.MONGODB_URL
  const database = `ps_million_${randomUUID().slice(0, 8)}`
  const intoMongo = process.env.BENCH_TARGET === 'mongodb' && url !== undefined
  const readModels: ReadModelStore = intoMongo
    ? await mongoReadModelStore({ url, database })
    : inMemoryReadModelStore()
  const start = performance.now()
  await projectionRunner({ events, readModels, projections: allProjections() }).catchUp()
  const seconds = (performance.now() - start) / 1000
  const peakMiB = process.resourceUsage().maxRSS / 1024
  console.log(
    `rebuild of ${stored} events from SQLite into ${intoMongo ? 'MongoDB (FerretDB)' : 'in-memory'} read models, all three in one pass: ` +
      `${(stored / seconds).toFixed(0)} events/s, ${seconds.toFixed(0)} s; peak RSS ${peakMiB.toFixed(0)} MiB (RSS ${(rssBefore / 1048576).toFixed(0)} MiB before the rebuild, with the workload written)`,
  )
  await readModels.close()
  await events.close()
  if (intoMongo) {
    const client = await MongoClient.connect(url)
    await client.db(database).dropDatabase()
    await client.close()
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
