// Profiles a one-pass in-memory rebuild of the bench workload: node --cpu-prof (see docs/benchmarks.md).
import { inMemoryEventStore } from '@property-services/infrastructure'
import { allProjections, inMemoryReadModelStore, projectionRunner } from '@property-services/projections'
import { appendWorkload } from './workload.js'

const events = inMemoryEventStore()
const total = await appendWorkload(events, Number(process.env.BENCH_COMPLAINTS ?? 3000))
for (let round = 0; round < 3; round++) {
  const start = performance.now()
  await projectionRunner({
    events,
    readModels: inMemoryReadModelStore(),
    projections: allProjections(),
  }).catchUp()
  console.log(`${total} events: ${(total / ((performance.now() - start) / 1000)).toFixed(0)} events/s`)
}
