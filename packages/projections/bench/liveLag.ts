/**
 * Live lag: a steady load of appends to a SQLite event store (one event per command, complaints taken
 * through the procedure) while one runner follows every read model live, in memory and into MongoDB.
 * Reports p50, p99 and max of the delay from an append to its visibility in each read model (the end
 * of the batch that wrote it), and p99 in the first and second half of the run, to show whether the
 * lag stays flat. `pnpm bench` runs it; BENCH_LIVE_SECONDS (default 60) and BENCH_LIVE_RATES (default
 * 200,500) change the load. The appender and the runner share one process, as in an embedding backend.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Event } from '@property-services/domain'
import { positionFromString, serde, sqliteEventStore } from '@property-services/infrastructure'
import {
  allProjections,
  inMemoryReadModelStore,
  mongoReadModelStoreOf,
  projectionRunner,
  type ReadModelStore,
} from '@property-services/projections'
import { MongoClient } from 'mongodb'

const seconds = Number(process.env.BENCH_LIVE_SECONDS ?? 60)
const rates = (process.env.BENCH_LIVE_RATES ?? '200,500').split(',').map(Number)
const url = process.env.MONGODB_URL
const staff = { id: 'staff-1', role: 'staff' as const }
const codec = serde()

/** The n-th command of the load: complaint n/7, its (n mod 7)-th step. */
const eventOf = (n: number, at: string): { streamName: string; event: Event } => {
  const i = Math.floor(n / 7)
  const complaintId = `live${i}`
  const steps: Event[] = [
    {
      type: 'ComplaintFiled',
      data: {
        complaintId,
        ownerId: `o${i % 400}`,
        unitId: `u${i % 300}`,
        communityId: `community-${i % 5}`,
        category: 'facilities',
        subject: i % 2 === 0 ? 'lift-stoppage' : 'water-supply-fault',
        channel: 'phone',
        description: 'x',
        replyDueBy: null,
        dispatchDueBy: null,
        at,
      },
    },
    { type: 'ComplaintAcknowledged', data: { complaintId, gesture: 'apology', note: 'n', at } },
    { type: 'ResolutionProposed', data: { complaintId, proposal: 'p', partial: false, at } },
    { type: 'ComplaintDispatched', data: { complaintId, department: `dept${i % 4}`, dueBy: at, at } },
    { type: 'ComplaintResolved', data: { complaintId, cause: 'c', at } },
    { type: 'ComplaintOutcomeNotified', data: { complaintId, via: 'phone', summary: 's', at } },
    {
      type: 'ComplaintClosed',
      data: { complaintId, communityId: `community-${i % 5}`, rating: 1 + (i % 5), at },
    },
  ]
  return { streamName: `complaint-${complaintId}`, event: steps[n % 7]! }
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

const run = async (label: string, readModels: ReadModelStore, rate: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'ps-live-'))
  const events = sqliteEventStore({ path: join(dir, 'events.db') })
  const appended: Array<{ commit: bigint; at: number }> = []
  const lags = new Map<string, Array<{ at: number; lag: number }>>()
  const seen = new Map<string, number>()
  const runner = projectionRunner({
    events,
    readModels,
    projections: allProjections(),
    onProgress: ({ projection, position }) => {
      if (position === null) return
      const now = performance.now()
      const upTo = positionFromString(position).commit
      let i = seen.get(projection) ?? 0
      const list = lags.get(projection) ?? []
      while (i < appended.length && appended[i]!.commit <= upTo) {
        list.push({ at: appended[i]!.at, lag: now - appended[i]!.at })
        i++
      }
      seen.set(projection, i)
      lags.set(projection, list)
    },
  })
  const live = runner.start()
  const start = performance.now()
  let n = 0
  while (performance.now() - start < seconds * 1000) {
    // Keep to the rate: append what is due, then wait for the next millisecond tick.
    const due = Math.floor(((performance.now() - start) / 1000) * rate)
    while (n < due) {
      const { streamName, event } = eventOf(n, new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString())
      const result = await events.appendToStream(
        streamName,
        codec.toNewEvents([event], {
          commandId: `live-${n}`,
          correlationId: 'live',
          actor: staff,
          occurredAt: (event.data as { at: string }).at,
          recordedAt: (event.data as { at: string }).at,
        }),
      )
      appended.push({ commit: result.position.commit, at: performance.now() })
      n++
    }
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  // Let the runner finish what was appended, then stop it.
  const total = appended.length
  const deadline = performance.now() + 60_000
  while (
    [...seen.values()].some((i) => i < total) ||
    (seen.size < allProjections().length && performance.now() < deadline)
  ) {
    if (performance.now() > deadline) break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await live.stop()
  const achieved = total / seconds
  for (const [projection, list] of lags) {
    const all = list.map((l) => l.lag).sort((a, b) => a - b)
    const half = start + (seconds * 1000) / 2
    const first = list
      .filter((l) => l.at < half)
      .map((l) => l.lag)
      .sort((a, b) => a - b)
    const second = list
      .filter((l) => l.at >= half)
      .map((l) => l.lag)
      .sort((a, b) => a - b)
    console.log(
      `| ${label} | ${rate} (${achieved.toFixed(0)} achieved) | ${projection} | ${percentile(all, 50).toFixed(0)} | ${percentile(all, 99).toFixed(0)} | ${all.at(-1)?.toFixed(0)} | ${percentile(first, 99).toFixed(0)} → ${percentile(second, 99).toFixed(0)} | ${list.length}/${total} |`,
    )
  }
  await events.close()
  rmSync(dir, { recursive: true, force: true })
}

console.log(
  `live lag: ${seconds} s of steady appends to SQLite (synchronous=full), one runner with all read models\n`,
)
console.log(
  '| read models | appends/s | read model | p50 ms | p99 ms | max ms | p99 first half → second half | seen |',
)
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |')
for (const rate of rates) await run('in memory', inMemoryReadModelStore(), rate)
if (url !== undefined) {
  const client = await MongoClient.connect(url)
  // What the runner asks of the server: requests by command and collection, with their time.
  const monitored = new MongoClient(url, { monitorCommands: true })
  const asked = new Map<number, string>()
  const requests = new Map<string, { count: number; ms: number }>()
  monitored.on('commandStarted', (e) =>
    asked.set(e.requestId, `${e.commandName} ${String(e.command[e.commandName])}`),
  )
  monitored.on('commandSucceeded', (e) => {
    const key = asked.get(e.requestId)
    if (key === undefined) return
    asked.delete(e.requestId)
    const total = requests.get(key) ?? { count: 0, ms: 0 }
    total.count++
    total.ms += e.duration
    requests.set(key, total)
  })
  await monitored.connect()
  const summaries: string[] = []
  const ferretdb = 'ferretdbVersion' in (await client.db('admin').command({ buildInfo: 1 }))
  for (const rate of rates) {
    const database = `ps_live_${randomUUID().slice(0, 8)}`
    requests.clear()
    const readModels = mongoReadModelStoreOf(
      monitored.db(database),
      async () => undefined,
      undefined,
      ferretdb ? 'reinsert' : 'update',
    )
    await run(ferretdb ? 'MongoDB (FerretDB)' : 'MongoDB', readModels, rate)
    summaries.push(`\nMongoDB requests at ${rate} appends/s, the five kinds that took longest in all:`)
    for (const [key, { count, ms }] of [...requests].sort((a, b) => b[1].ms - a[1].ms).slice(0, 5))
      summaries.push(`- ${key}: ${count} requests, ${(ms / 1000).toFixed(1)} s`)
    await client.db(database).dropDatabase()
  }
  await monitored.close()
  await client.close()
  for (const line of summaries) console.log(line)
} else console.log('(MongoDB part skipped: MONGODB_URL not set)')
