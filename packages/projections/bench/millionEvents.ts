// Rebuilds every read model in one pass from N events (default one million) stored in SQLite, into
// in-memory read models (BENCH_TARGET=memory) or MongoDB (BENCH_TARGET=mongodb, MONGODB_URL), and
// prints the rate and the peak resident memory of the rebuilding process. Run by projections.bench.ts.
//
// This process writes the log; the built command line then rebuilds it (`property-services rebuild`,
// in a process of its own), so that the peak reported is a user's rebuild of an existing log, without
// this process's writing or the TypeScript loader the bench runs under (about 35 MiB more at start).
// Twice: as the command line ships, which limits how far V8's heap grows past what is live
// (packages/cli/src/heapGrowth.ts), and with V8's own growth (`node --heap-growing-percent=0`).

import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sqliteEventStore } from '@property-services/infrastructure'
import { MongoClient } from 'mongodb'
import { appendWorkload } from './workload.js'

const peakMiB = () => process.resourceUsage().maxRSS / 1024
const url = process.env.MONGODB_URL
const intoMongo = process.env.BENCH_TARGET === 'mongodb' && url !== undefined
const cli = fileURLToPath(new URL('../../cli/dist/src/main.js', import.meta.url))
// Loaded before the command line's own modules: prints the process's peak resident memory as it exits.
const reportPeak =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("peak "+process.resourceUsage().maxRSS+"\\n"))'

const rebuild = async (path: string, stored: number, v8Flags: readonly string[], note: string) => {
  const database = `ps_million_${randomUUID().slice(0, 8)}`
  const start = performance.now()
  const child = spawnSync(
    process.execPath,
    [
      ...v8Flags,
      '--import',
      reportPeak,
      cli,
      'rebuild',
      '--db',
      path,
      ...(intoMongo ? ['--mongo', url, '--database', database] : []),
    ],
    { encoding: 'utf8', env: { ...process.env, LC_ALL: 'en_US.UTF-8' } },
  )
  const seconds = (performance.now() - start) / 1000
  const peak = /peak (\d+)/.exec(child.stderr)
  if (child.status !== 0 || peak === null) {
    console.log(`rebuild failed (${note}): ${child.stderr}${child.stdout}`)
    process.exitCode = 1
  } else
    console.log(
      `rebuild of ${stored} events from SQLite into ${intoMongo ? 'MongoDB (FerretDB)' : 'in-memory'} read models by the command line, all of them in one pass: ` +
        `${(stored / seconds).toFixed(0)} events/s, ${seconds.toFixed(0)} s (the process's start included); ` +
        `peak RSS ${(Number(peak[1]) / 1024).toFixed(0)} MiB (${note})`,
    )
  if (intoMongo) {
    const client = await MongoClient.connect(url)
    await client.db(database).dropDatabase()
    await client.close()
  }
}

const target = Number(process.env.BENCH_MILLION ?? 1_000_000)
const dir = mkdtempSync(join(tmpdir(), 'ps-million-'))
try {
  const path = join(dir, 'events.db')
  const events = sqliteEventStore({ path, synchronous: 'normal' })
  // 7.1 events per complaint and 6 per survey every 20 complaints: about 7.4 per complaint.
  const stored = await appendWorkload(events, Math.ceil(target / 7.4))
  await events.close()
  await rebuild(path, stored, [], 'as the command line ships: the heap grows at most half past what is live')
  await rebuild(path, stored, ['--heap-growing-percent=0'], "V8's own heap growth")
  console.log(`(writing the ${stored} events peaked at ${peakMiB().toFixed(0)} MiB, in a process of its own)`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
