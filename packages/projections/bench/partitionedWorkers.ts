/**
 * Partitioned projection workers: the same multi-community history projected from scratch by one
 * worker process (every partition) and by two (half each), side by side, alternating, into FerretDB
 * (MONGODB_URL) and into each process's memory (the bound without a server). Checks that the two
 * ways give the same read models, in MongoDB and in memory (there by the digests of the documents each
 * worker process held). The workers run the built packages: the bench builds them first (`tsc -b`).
 *
 *   MONGODB_URL=mongodb://127.0.0.1:27099/ node --conditions=@property-services/source --import tsx \
 *     bench/partitionedWorkers.ts
 *
 * BENCH_COMPLAINTS (default 2,000, about 15,000 events), BENCH_ROUNDS (default 2), BENCH_PARTITIONS
 * (default 8), 60 communities; BENCH_VERBOSE=1 prints each worker process's own report (its start,
 * finish and CPU time).
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sqliteEventStore } from '@property-services/infrastructure'
import { allProjections, mongoReadModelStore, physicalName } from '@property-services/projections'
import { MongoClient } from 'mongodb'
import { appendWorkload } from './workload.js'

const here = dirname(fileURLToPath(import.meta.url))
const complaints = Number(process.env.BENCH_COMPLAINTS ?? 2_000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 2)
const partitions = Number(process.env.BENCH_PARTITIONS ?? 8)
const url = process.env.MONGODB_URL
const dir = mkdtempSync(join(tmpdir(), 'ps-partitions-'))
const path = join(dir, 'events.db')

// The workers run the built packages, as `property-services rebuild --workers` does: tsx's build of the
// sources keeps every function's name with a call per closure made (esbuild's keepNames), and cost a
// single worker 10-36 % more CPU (three alternating runs, 2026-12-06). Build first, so that the workers
// run the tree as it is.
execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-b'], {
  cwd: join(here, '..', '..', '..'),
  stdio: 'inherit',
})

const store = sqliteEventStore({ path, synchronous: 'normal' })
const total = await appendWorkload(store, complaints, 60)
await store.close()

/**
 * Runs `count` worker processes at once: the time from the first starting to project to the last
 * finishing (each reports its own; a process's start-up, about a second of loading, is left out).
 */
const run = async (
  target: string,
  database: string,
  count: number,
): Promise<{ seconds: number; cpuSeconds: number }> => {
  const reports: Array<{ startedAt: number; finishedAt: number; cpuSeconds: number }> = []
  await Promise.all(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            [
              '--import',
              'tsx',
              join(here, 'partitionWorker.ts'),
              path,
              target,
              database,
              String(index),
              String(count),
              String(partitions),
            ],
            {
              cwd: join(here, '..'),
              stdio: ['ignore', 'pipe', 'inherit'],
              env: { ...process.env, BENCH_CONTENTS_FILE: join(dir, `${database}-${index}.digests`) },
            },
          )
          let out = ''
          child.stdout.on('data', (chunk) => {
            out += String(chunk)
          })
          child.once('exit', (code) => {
            if (code !== 0) return reject(new Error(`worker exited ${code}`))
            reports.push(JSON.parse(out))
            if (process.env.BENCH_VERBOSE) console.error(out.trim())
            resolve()
          })
        }),
    ),
  )
  return {
    seconds:
      (Math.max(...reports.map((r) => r.finishedAt)) - Math.min(...reports.map((r) => r.startedAt))) / 1000,
    cpuSeconds: reports.reduce((sum, r) => sum + r.cpuSeconds, 0),
  }
}

const contents = async (database: string) => {
  const readModels = await mongoReadModelStore({ url: url!, database })
  const parts: string[] = []
  for (const projection of allProjections())
    for (const collection of projection.collections)
      parts.push(
        ...(await readModels.collection(physicalName(projection.name, collection, 1)).find())
          .map(({ _batch, ...doc }) => `${collection} ${JSON.stringify(Object.entries(doc).sort())}`)
          .sort(),
      )
  await readModels.close()
  return parts
}

const results: Array<{ target: string; workers: number; seconds: number; cpuSeconds: number }> = []
const databases: string[] = []
try {
  for (let round = 1; round <= rounds; round++)
    for (const target of url === undefined ? ['memory'] : ['memory', url])
      for (const workers of round % 2 === 1 ? [1, 2] : [2, 1]) {
        const database = `ps_bench_partitions_${round}_${workers}`
        databases.push(database)
        const { seconds, cpuSeconds } = await run(target, database, workers)
        results.push({ target: target === 'memory' ? 'memory' : 'MongoDB', workers, seconds, cpuSeconds })
        console.error(
          `round ${round}: ${workers} worker(s) into ${target === 'memory' ? 'memory' : 'MongoDB'}: ${seconds.toFixed(1)} s, workers' CPU ${cpuSeconds.toFixed(1)} s`,
        )
      }
  // In memory: the documents of the two workers together, against those of the one.
  const memoryContents = (database: string, workers: number) =>
    Array.from({ length: workers }, (_, index) =>
      readFileSync(join(dir, `${database}-${index}.digests`), 'utf8').split('\n'),
    )
      .flat()
      .sort()
  const oneInMemory = memoryContents(`ps_bench_partitions_${rounds}_1`, 1)
  const twoInMemory = memoryContents(`ps_bench_partitions_${rounds}_2`, 2)
  const sameInMemory =
    oneInMemory.length === twoInMemory.length && oneInMemory.every((line, i) => line === twoInMemory[i])
  console.log(
    `read models of 1 and 2 workers in memory identical: ${sameInMemory} (${oneInMemory.length} documents)`,
  )
  if (!sameInMemory) process.exitCode = 1
  if (url !== undefined) {
    const one = await contents(`ps_bench_partitions_${rounds}_1`)
    const two = await contents(`ps_bench_partitions_${rounds}_2`)
    const same = one.length === two.length && one.every((line, i) => line === two[i])
    console.log(`read models of 1 and 2 workers identical: ${same} (${one.length} documents)`)
    if (!same) process.exitCode = 1
  }
  console.log(`\n${total} events, ${complaints} complaints in 60 communities, ${partitions} partitions\n`)
  console.log("| into | 1 worker | 2 workers | speed-up | workers' CPU, 2 against 1 |")
  console.log('| --- | ---: | ---: | ---: | ---: |')
  for (const target of ['memory', 'MongoDB']) {
    const best = (workers: number) =>
      Math.min(...results.filter((r) => r.target === target && r.workers === workers).map((r) => r.seconds))
    if (!results.some((r) => r.target === target)) continue
    const cpu = (workers: number) =>
      Math.min(
        ...results.filter((r) => r.target === target && r.workers === workers).map((r) => r.cpuSeconds),
      )
    const [one, two] = [best(1), best(2)]
    console.log(
      `| ${target} | ${one.toFixed(1)} s (${Math.round(total / one)} events/s) | ${two.toFixed(1)} s (${Math.round(total / two)} events/s) | ${(one / two).toFixed(2)} × | ${cpu(2).toFixed(1)} s / ${cpu(1).toFixed(1)} s = ${(cpu(2) / cpu(1)).toFixed(2)} |`,
    )
  }
} finally {
  if (url !== undefined) {
    const client = await MongoClient.connect(url)
    for (const database of databases) await client.db(database).dropDatabase()
    await client.close()
  }
  rmSync(dir, { recursive: true, force: true })
}
