// Rebuilds every read model from N events (default one million) stored in SQLite, into in-memory
// read models, and prints the peak resident memory. Run by projections.bench.ts in its own process.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqliteEventStore } from '@property-services/infrastructure'
import { allProjections, inMemoryReadModelStore, projectionRunner } from '@property-services/projections'
import { appendWorkload } from './workload.js'

const target = Number(process.env.BENCH_MILLION ?? 1_000_000)
const dir = mkdtempSync(join(tmpdir(), 'ps-million-'))
try {
  const events = sqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' })
  // 7.1 events per complaint and 6 per survey every 20 complaints: about 7.4 per complaint.
  const stored = await appendWorkload(events, Math.ceil(target / 7.4))
  const rssBefore = process.memoryUsage().rss
  const readModels = inMemoryReadModelStore()
  const start = performance.now()
  for (const projection of allProjections())
    await projectionRunner({ events, readModels, projection, batchSize: 1000 }).catchUp()
  const seconds = (performance.now() - start) / 1000
  const peakMiB = process.resourceUsage().maxRSS / 1024
  console.log(
    `one-million-event rebuild: ${stored} events from SQLite into in-memory read models, all three projections: ` +
      `${(stored / seconds).toFixed(0)} events/s; peak RSS ${peakMiB.toFixed(0)} MiB (RSS ${(rssBefore / 1048576).toFixed(0)} MiB before the rebuild, with the workload written)`,
  )
  await events.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
