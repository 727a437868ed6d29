// Profiles reading and decoding the bench workload from SQLite: node --cpu-prof (see docs/benchmarks.md).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serde, sqliteEventStore } from '@property-services/infrastructure'
import { appendWorkload } from './workload.js'

const dir = mkdtempSync(join(tmpdir(), 'ps-read-'))
const events = sqliteEventStore({ path: join(dir, 'events.db'), synchronous: 'normal' })
const total = await appendWorkload(events, Number(process.env.BENCH_COMPLAINTS ?? 10000))
const codec = serde()
for (let round = 0; round < 5; round++) {
  const start = performance.now()
  for (let after: Parameters<typeof events.readAll>[0] = { maxCount: 500 }; ; ) {
    const page = await events.readAll(after)
    for (const stored of page.events) codec.decode(stored, { personalData: false })
    if (page.isEnd || page.lastPosition === undefined) break
    after = { after: page.lastPosition, maxCount: 500 }
  }
  console.log(
    `${total} events: ${(total / ((performance.now() - start) / 1000)).toFixed(0)} events/s read + decode`,
  )
}
await events.close()
rmSync(dir, { recursive: true, force: true })
