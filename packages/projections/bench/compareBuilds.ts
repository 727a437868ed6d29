// Compares an in-memory rebuild by two builds of this package in one process (docs/benchmarks.md,
// "Measuring a change here"): on a shared host two processes drift apart by more than most changes
// gain, so each round rebuilds the same log with both builds in turn, and the medians of the paired
// ratios are reported.
//
//   git worktree add /tmp/base <commit>, then install and build it there as the README says;
//   pnpm -r build && BASE=/tmp/base node --import tsx bench/compareBuilds.ts
//
// BASE is the other checkout (built); BENCH_ROUNDS (default 12, the first two left out) and
// BENCH_COMPLAINTS (default 3000) set the size. It prints this build's rate over the other's.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { inMemoryEventStore } from '@property-services/infrastructure'
import * as current from '@property-services/projections'
import { appendWorkload } from './workload.js'

const base = process.env.BASE
if (base === undefined) throw new Error('BASE: the path of another built checkout to compare with')
const other = (await import(
  pathToFileURL(join(base, 'packages/projections/dist/src/index.js')).href
)) as typeof current
const rounds = Number(process.env.BENCH_ROUNDS ?? 12)
const events = inMemoryEventStore()
const total = await appendWorkload(events, Number(process.env.BENCH_COMPLAINTS ?? 3000))

/** Events a second of wall time and of the process's CPU time, one in-memory rebuild. */
const rebuildRate = async (build: typeof current) => {
  const cpu = process.cpuUsage()
  const start = performance.now()
  await build.rebuild({
    events,
    readModels: build.inMemoryReadModelStore(),
    projections: build.allProjections(),
  })
  const used = process.cpuUsage(cpu)
  return {
    wall: total / ((performance.now() - start) / 1000),
    cpu: total / ((used.user + used.system) / 1e6),
  }
}

const wall: number[] = []
const cpu: number[] = []
for (let round = 0; round < rounds; round++) {
  // Which build goes first alternates, so that neither always follows the other's garbage.
  let theirs: Awaited<ReturnType<typeof rebuildRate>>
  let ours: Awaited<ReturnType<typeof rebuildRate>>
  if (round % 2 === 0) {
    theirs = await rebuildRate(other)
    ours = await rebuildRate(current)
  } else {
    ours = await rebuildRate(current)
    theirs = await rebuildRate(other)
  }
  console.log(
    `round ${round}: ${base} ${theirs.wall.toFixed(0)}, this build ${ours.wall.toFixed(0)} events/s`,
  )
  if (round < 2) continue
  wall.push(ours.wall / theirs.wall)
  cpu.push(ours.cpu / theirs.cpu)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(
  `this build against ${base}, ${total} events, median of ${wall.length} paired rounds: ` +
    `${median(wall).toFixed(3)} × (wall), ${median(cpu).toFixed(3)} × (CPU time)`,
)
