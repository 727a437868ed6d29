// Rebuilds every read model in one pass from N events (default one million) stored in SQLite, into
// in-memory read models (BENCH_TARGET=memory) or MongoDB (BENCH_TARGET=mongodb, MONGODB_URL), and
// prints the rate and the peak resident memory (BENCH_BATCH overrides the runner's batch size); into
// MongoDB, under V8's default heap limit and again under `--max-old-space-size=1024`.
// Run by projections.bench.ts in a process of its own.
//
// This process writes the log; a child process of its own then rebuilds from it, so that the peak
// reported is the rebuild's, as a user's `rebuild` of an existing log would see it, and not the
// writing's. The writer's own peak is printed beside it.

import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sqliteEventStore } from '@property-services/infrastructure'
import {
  allProjections,
  inMemoryReadModelStore,
  mongoReadModelStore,
  type ReadModelStore,
  rebuild as rebuildReadModels,
} from '@property-services/projections'
import { MongoClient } from 'mongodb'
import { appendWorkload } from './workload.js'

const peakMiB = () => process.resourceUsage().maxRSS / 1024
const url = process.env.MONGODB_URL
const intoMongo = process.env.BENCH_TARGET === 'mongodb' && url !== undefined

const rebuild = async (path: string, stored: number) => {
  const events = sqliteEventStore({ path, synchronous: 'normal' })
  const rssBefore = process.memoryUsage().rss
  const database = `ps_million_${randomUUID().slice(0, 8)}`
  const readModels: ReadModelStore = intoMongo
    ? await mongoReadModelStore({ url, database })
    : inMemoryReadModelStore()
  const batchSize =
    process.env.BENCH_BATCH === undefined ? {} : { batchSize: Number(process.env.BENCH_BATCH) }
  const start = performance.now()
  // As `property-services rebuild` rebuilds: a new generation, written once it is complete.
  await rebuildReadModels({ events, readModels, projections: allProjections(), ...batchSize })
  const seconds = (performance.now() - start) / 1000
  console.log(
    `rebuild of ${stored} events from SQLite into ${intoMongo ? 'MongoDB (FerretDB)' : 'in-memory'} read models, all of them in one pass: ` +
      `${(stored / seconds).toFixed(0)} events/s, ${seconds.toFixed(0)} s; peak RSS ${peakMiB().toFixed(0)} MiB ` +
      `(the rebuilding process alone, ${process.env.BENCH_HEAP_NOTE ?? "V8's default heap limit"}; ${(rssBefore / 1048576).toFixed(0)} MiB when it started)`,
  )
  await readModels.close()
  await events.close()
  if (intoMongo) {
    const client = await MongoClient.connect(url)
    await client.db(database).dropDatabase()
    await client.close()
  }
}

const rebuildFrom = process.env.BENCH_REBUILD_FROM
if (rebuildFrom !== undefined) await rebuild(rebuildFrom, Number(process.env.BENCH_STORED))
else {
  const target = Number(process.env.BENCH_MILLION ?? 1_000_000)
  const dir = mkdtempSync(join(tmpdir(), 'ps-million-'))
  try {
    const path = join(dir, 'events.db')
    const events = sqliteEventStore({ path, synchronous: 'normal' })
    // 7.1 events per complaint and 6 per survey every 20 complaints: about 7.4 per complaint.
    const stored = await appendWorkload(events, Math.ceil(target / 7.4))
    await events.close()
    // Into MongoDB, once more under a heap limit: what sets the peak there is how far V8 lets garbage
    // grow, which it limits when its heap limit is below 2 GiB (docs/mongodb.md, "Memory").
    const heapLimits = intoMongo ? [[], ['--max-old-space-size=1024']] : [[]]
    for (const heapLimit of heapLimits) {
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, ...heapLimit, fileURLToPath(import.meta.url)],
        {
          env: {
            ...process.env,
            BENCH_REBUILD_FROM: path,
            BENCH_STORED: String(stored),
            BENCH_HEAP_NOTE: heapLimit.length === 0 ? "V8's default heap limit" : heapLimit.join(' '),
          },
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      )
      if (child.status !== 0) process.exitCode = child.status ?? 1
    }
    console.log(
      `(writing the ${stored} events peaked at ${peakMiB().toFixed(0)} MiB, in a process of its own)`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
