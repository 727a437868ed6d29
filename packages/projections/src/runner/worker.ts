/**
 * Projection workers: N processes share the read models by community. Worker `index` of `count` owns the
 * partitions p with p mod count = index (see partitions.ts) and projects them in one pass over the log;
 * each partition of each read model has its own checkpoint and lease, so exactly one worker writes it.
 *
 * Each worker also stands by for every other partition, one standby per partition, from
 * `takeoverAfterMs` after it starts: when a worker stops or dies, its leases are given up or expire, and
 * the first standby to find one free takes that partition over and goes on from its checkpoint, with
 * the runner's exactly-once effect. A worker that comes back stands by for what was taken over: nothing
 * moves back on its own (restart the others to rebalance).
 */
import { randomUUID } from 'node:crypto'
import { maxPartitions } from './partitions.js'
import type { Projection } from './projection.js'
import { projectionRunner, type RunnerBaseOptions } from './runner.js'
import { oneRunAtATime } from './runs.js'

export type WorkerOptions = Omit<RunnerBaseOptions, 'partitions' | 'owner'> & {
  /** The read models the workers share. */
  readonly projections: readonly Projection[]
  /** How many partitions the communities are hashed into; the same for every worker. At most 1,024. */
  readonly partitions: number
  /** Which worker this is, of how many. */
  readonly worker: { readonly index: number; readonly count: number }
  /** This worker's name in its leases; default a random id. */
  readonly owner?: string
  /** How long after starting the worker stands by for other workers' partitions; default the lease TTL. */
  readonly takeoverAfterMs?: number
}

/** The partitions worker `index` of `count` owns. */
export const partitionsOfWorker = (partitions: number, worker: { index: number; count: number }): number[] =>
  Array.from({ length: partitions }, (_, p) => p).filter((p) => p % worker.count === worker.index)

export const projectionWorker = (options: WorkerOptions) => {
  const { partitions, worker } = options
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > maxPartitions)
    throw new RangeError(`partitions must be an integer from 1 to ${maxPartitions}, got ${partitions}`)
  if (!Number.isInteger(worker.count) || worker.count < 1)
    throw new RangeError(`worker.count must be a positive integer, got ${worker.count}`)
  if (!Number.isInteger(worker.index) || worker.index < 0 || worker.index >= worker.count)
    throw new RangeError(`worker.index must be an integer from 0 to ${worker.count - 1}, got ${worker.index}`)
  const owner = options.owner ?? randomUUID()
  const { partitions: _, worker: __, takeoverAfterMs, ...runnerOptions } = options
  const own = partitionsOfWorker(partitions, worker)
  const others = Array.from({ length: partitions }, (_, p) => p).filter((p) => !own.includes(p))
  const runnerOf = (owned: readonly number[]) =>
    projectionRunner({ ...runnerOptions, owner, partitions: { count: partitions, owned } })
  // As a runner does, a worker runs once at a time: its runs share its owner name, so a second would
  // take the first's leases from under it.
  const runs = oneRunAtATime(options.projections)

  return {
    /** The partitions this worker owns. */
    owned: own as readonly number[],
    /** Projects this worker's partitions up to the end of the log, then gives up their leases. */
    catchUp: async (): Promise<void> => {
      runs.claim('catchUp')
      try {
        if (own.length > 0) await runnerOf(own).catchUp()
      } finally {
        runs.release()
      }
    },
    /**
     * Projects this worker's partitions and follows new events; stands by for the others from
     * `takeoverAfterMs` on. `stop` stops all of it, waiting for batches being written.
     */
    start: () => {
      runs.claim('start')
      let stopped = false
      let fail: (error: unknown) => void = () => undefined
      let finish: () => void = () => undefined
      const done = new Promise<void>((resolve, reject) => {
        fail = reject
        finish = resolve
      })
      const runners: ReturnType<ReturnType<typeof projectionRunner>['start']>[] = []
      let stopping: Promise<void> | undefined
      const run = (owned: readonly number[]) => {
        const runner = runnerOf(owned).start()
        runner.done.catch(fail)
        runners.push(runner)
      }
      if (own.length > 0) run(own)
      const standby = setTimeout(
        () => {
          if (!stopped) for (const partition of others) run([partition])
        },
        takeoverAfterMs ?? options.leaseTtlMs ?? 30_000,
      )
      return {
        /** Resolves when stopped; rejects when any of the worker's runners fails. */
        done,
        stop: (): Promise<void> => {
          stopping ??= (async () => {
            stopped = true
            clearTimeout(standby)
            try {
              await Promise.all(runners.map((r) => r.stop()))
            } finally {
              runs.release()
            }
            finish()
          })()
          return stopping
        },
      }
    },
  }
}
