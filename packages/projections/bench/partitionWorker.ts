// One worker of the partitioned-workers bench: projects its share of the partitions of a SQLite log
// into MongoDB (or into memory, to see the bound without a server), then prints its time and exits.
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { sqliteEventStore } from '@property-services/infrastructure'
import {
  allProjections,
  inMemoryReadModelStore,
  mongoReadModelStore,
  physicalName,
  projectionWorker,
} from '@property-services/projections'

const [path, target, database, index, count, partitions] = process.argv.slice(2)
if (path === undefined || target === undefined || database === undefined || index === undefined)
  throw new Error(
    'usage: partitionWorker <events.db> <mongodb url | memory> <database> <index> <count> <partitions>',
  )

const events = sqliteEventStore({ path })
const readModels =
  target === 'memory' ? inMemoryReadModelStore() : await mongoReadModelStore({ url: target, database })
const startedAt = Date.now()
const cpuBefore = process.cpuUsage()
await projectionWorker({
  events,
  readModels,
  projections: allProjections(),
  partitions: Number(partitions),
  worker: { index: Number(index), count: Number(count) },
  ...(process.env.BENCH_BATCH === undefined ? {} : { batchSize: Number(process.env.BENCH_BATCH) }),
}).catchUp()
const finishedAt = Date.now()
const cpu = process.cpuUsage(cpuBefore)
// In memory the read models end with the process: it writes a digest of each document (without the
// batch stamp), so that the bench can check that two workers' halves make up one worker's whole.
const contentsFile = process.env.BENCH_CONTENTS_FILE
if (target === 'memory' && contentsFile !== undefined) {
  const digests: string[] = []
  for (const projection of allProjections())
    for (const collection of projection.collections)
      for (const { _batch, ...doc } of await readModels
        .collection(physicalName(projection.name, collection, 1))
        .find())
        digests.push(
          createHash('sha1')
            .update(`${collection} ${JSON.stringify(Object.entries(doc).sort())}`)
            .digest('hex'),
        )
  writeFileSync(contentsFile, digests.join('\n'))
}
console.log(
  JSON.stringify({
    index: Number(index),
    startedAt,
    finishedAt,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  }),
)
await readModels.close()
await events.close()
