/**
 * `rebuild`, `work` and `quarantine`: every read model from the log, a projection worker's share of the
 * communities, and what could not be projected.
 */

import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import {
  allProjections,
  defaultBatchSize,
  finishRebuild,
  LeaseHeldError,
  ProjectionError,
  prepareRebuild,
  projectionWorker,
  quarantinedEvents,
  type ReadModelStore,
  RebuildSupersededError,
} from '@property-services/projections'
import type { Command } from 'commander'
import { givenHeapGrowth } from '../heapGrowth.js'
import { cliPolicies } from '../policies.js'
import {
  CliError,
  defaultDb,
  distinctEvents,
  type Io,
  integer,
  lostServer,
  poisonPolicy,
  project,
  readModelsAndLog,
  type SourceOptions,
  sources,
  unreachableLog,
} from './shared.js'

interface Options extends SourceOptions {
  readonly onPoison?: string
}

const unreachable = (error: unknown, options: Options): never => {
  if (error instanceof ProjectionError)
    throw new CliError(`${error.message}\n(rebuild --on-poison quarantine sets such events aside)`, 1)
  if (error instanceof LeaseHeldError)
    throw new CliError(
      `${error.message}\n(another rebuild or worker is writing these read models: readers stay where they were; run again once it is done, or once its lease has expired)`,
      1,
    )
  if (error instanceof RebuildSupersededError)
    throw new CliError(`${error.message}\n(readers stay on the other rebuild's read models)`, 1)
  unreachableLog(error, options)
  throw error
}

interface RebuildOptions extends Options {
  readonly workers?: string
  readonly partitions?: string
}

/** The arguments that name the log, for a worker process started by a rebuild. */
const sourceArguments = (options: Options) => [
  ...(options.eventstore === undefined
    ? ['--db', options.db ?? defaultDb]
    : ['--eventstore', options.eventstore]),
  '--mongo',
  options.mongo as string,
  '--database',
  options.database ?? 'property_services',
]

/**
 * A rebuild shared by `workers` processes (`work --once` into the next generation, a share of the
 * partitions each), then readers switch: the next generation is made first, and switched to only when
 * every worker is done, so a failed worker leaves readers where they were.
 */
const rebuildWithWorkers = async (
  readModels: ReadModelStore,
  options: RebuildOptions & { readonly onPoison: string },
  workers: number,
  partitions: number,
  io: Io,
) => {
  const projections = allProjections(cliPolicies)
  const target = await prepareRebuild(readModels, projections)
  // This command's own entry point: from source through tsx, or the built one.
  const fromSource = import.meta.url.endsWith('.ts')
  const main = fileURLToPath(new URL(`../main.${fromSource ? 'ts' : 'js'}`, import.meta.url))
  // tsx resolved from here, not from the working directory the user runs the command in.
  // The workers' heaps grow as this process's was told to.
  const heapFlags = givenHeapGrowth()
  const node = fromSource
    ? [...heapFlags, '--conditions=@property-services/source', '--import', import.meta.resolve('tsx'), main]
    : [...heapFlags, main]
  const failures = await Promise.all(
    Array.from(
      { length: workers },
      (_, index) =>
        new Promise<string | undefined>((resolve) => {
          const child = spawn(
            process.execPath,
            [
              ...node,
              'work',
              ...sourceArguments(options),
              '--partitions',
              String(partitions),
              '--worker',
              `${index}/${workers}`,
              '--on-poison',
              options.onPoison,
              '--generation',
              JSON.stringify(target.generations),
              '--once',
            ],
            { stdio: ['ignore', 'ignore', 'pipe'] },
          )
          let err = ''
          child.stderr.on('data', (chunk) => {
            err = (err + String(chunk)).slice(-2_000)
          })
          child.once('exit', (code) =>
            resolve(code === 0 ? undefined : `worker ${index} of ${workers} failed: ${err.trim()}`),
          )
        }),
    ),
  )
  const failed = failures.filter((f) => f !== undefined)
  if (failed.length > 0)
    throw new CliError(`${failed.join('\n')}\n(readers stay on the read models they had)`, 1)
  await finishRebuild(readModels, projections, target)
  io.err.write(`${workers} workers rebuilt ${partitions} partitions\n`)
  return quarantinedEvents(readModels)
}

export const rebuildCommand = (program: Command, io: Io) =>
  sources(program.command('rebuild').description('rebuild every read model (default: in memory)'))
    .option('--on-poison <policy>', 'stop, or quarantine events that cannot be read or projected', 'stop')
    .option(
      '--workers <n>',
      'worker processes sharing the rebuild by community, 1 to 64 (more than 1: into --mongo)',
      '1',
    )
    .option(
      '--partitions <n>',
      'partitions the communities are hashed into, with --workers, 1 to 1024 (default: as many as the workers; keep them few)',
    )
    .action(async (options: RebuildOptions) => {
      const onPoison = poisonPolicy(options.onPoison)
      const workers = integer(options.workers, 'workers', 1, 1, 64)
      const partitions = integer(options.partitions, 'partitions', workers, 1, 1_024)
      if (workers > 1 && options.mongo === undefined)
        throw new CliError('workers share read models in MongoDB: pass --mongo <url> with --workers')
      const { events, readModels } = await readModelsAndLog(options)
      try {
        const quarantined =
          workers > 1
            ? await rebuildWithWorkers(readModels, { ...options, onPoison }, workers, partitions, io)
            : await project(events, readModels, io.err, onPoison)
        io.out(
          `rebuilt ${allProjections().length} read models ${options.mongo === undefined ? 'in memory' : `into ${options.mongo}`}${
            quarantined.length === 0
              ? ''
              : `; ${distinctEvents(quarantined)} stored events set aside (property-services quarantine)`
          }`,
        )
      } catch (error) {
        unreachable(error, options)
      } finally {
        await readModels.close()
        await events.close()
      }
    })

export const quarantineCommand = (program: Command, io: Io) =>
  sources(
    program.command('quarantine').description('stored events the read models could not read or project'),
  ).action(async (options: Options) => {
    const { events, readModels } = await readModelsAndLog(options)
    try {
      // From MongoDB: what its rebuilds and runners set aside. Otherwise: project now, setting aside.
      const quarantined =
        options.mongo !== undefined
          ? await quarantinedEvents(readModels)
          : await project(events, readModels, io.err, 'quarantine')
      io.out(
        [
          ...quarantined.map(
            (q) =>
              `${q.projection}  ${q.position}  ${q.streamName}@${q.revision}  ${q.eventType}  ${q.error}`,
          ),
          `${distinctEvents(quarantined)} stored events set aside`,
        ].join('\n'),
      )
    } catch (error) {
      unreachable(error, options)
    } finally {
      await readModels.close()
      await events.close()
    }
  })

interface WorkOptions extends Options {
  readonly partitions?: string
  readonly worker?: string
  readonly once?: boolean
  readonly generation?: string
  readonly batchSize?: string
}

/** `{"complaintAnalytics":2,…}`: the generation each read model is written into (a rebuild's). */
const generationsOf = (text: string | undefined): Readonly<Record<string, number>> | undefined => {
  if (text === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const names = new Set(allProjections().map((p) => p.name))
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.entries(parsed).every(
      ([name, n]) =>
        names.has(name) && Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 1_000_000,
    )
  if (!valid)
    throw new CliError(
      `--generation must be a JSON object of read model names to generations, got ${JSON.stringify(text)}`,
    )
  return parsed as Record<string, number>
}

/** `I/N`: worker I of N. */
const workerOf = (text: string | undefined): { index: number; count: number } => {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text ?? '')
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (match === null || count < 1 || index >= count)
    throw new CliError(`--worker must be I/N with 0 <= I < N, such as 0/2, got ${JSON.stringify(text)}`)
  return { index, count }
}

/**
 * Follows the log until SIGINT or SIGTERM. A worker that loses its servers starts again after a pause
 * (1 s, doubling up to 30 s, back to 1 s after a run of a minute): each run resumes from the
 * checkpoints, and replays a batch cut short, so nothing is lost or counted twice. Any other error
 * stops it.
 */
const followUntilStopped = async (
  running: ReturnType<typeof projectionWorker>,
  say: (line: string) => void,
): Promise<void> => {
  let stopRequested = false
  let current: ReturnType<ReturnType<typeof projectionWorker>['start']> | undefined
  let endPause: () => void = () => undefined
  const stop = () => {
    stopRequested = true
    endPause()
    void current?.stop()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    for (let pauseMs = 1_000; ; pauseMs = Math.min(pauseMs * 2, 30_000)) {
      const startedAt = Date.now()
      current = running.start()
      try {
        await current.done
        return
      } catch (error) {
        // Its other runners are stopped too (a stop that fails with the server gone is no news).
        await current.stop().catch(() => undefined)
        if (!lostServer(error)) throw error
        // Stopped meanwhile: stopped as asked, and a server lost on the way is no news.
        if (stopRequested) return
        if (Date.now() - startedAt > 60_000) pauseMs = 1_000
        say(`lost a server (${String(error).split('\n')[0]}): starting again in ${pauseMs / 1_000} s`)
        await new Promise<void>((resolve) => {
          const pause = setTimeout(resolve, pauseMs)
          endPause = () => {
            clearTimeout(pause)
            resolve()
          }
        })
        if (stopRequested) return
      }
    }
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}

export const workCommand = (program: Command, io: Io) =>
  sources(
    program
      .command('work')
      .description(
        'project every read model into MongoDB for a share of the communities, beside other workers (see docs/scaling.md)',
      ),
  )
    .option(
      '--partitions <n>',
      'partitions the communities are hashed into, the same for every worker, 1 to 1024 (keep them few)',
      '4',
    )
    .option('--worker <i/n>', 'which worker this is, of how many', '0/1')
    .option('--on-poison <policy>', 'stop, or quarantine events that cannot be read or projected', 'stop')
    .option('--once', 'catch up with the log, then stop (default: follow it until stopped)')
    .option('--generation <json>', "the generations to write, as a rebuild's workers do (default: readers')")
    .option('--batch-size <n>', 'events read per batch, 1 to 100000', String(defaultBatchSize))
    .action(async (options: WorkOptions) => {
      if (options.mongo === undefined) throw new CliError('a worker writes into MongoDB: pass --mongo <url>')
      const partitions = integer(options.partitions, 'partitions', 4, 1, 1_024)
      const worker = workerOf(options.worker)
      const onPoison = poisonPolicy(options.onPoison)
      const generation = generationsOf(options.generation)
      const batchSize = integer(options.batchSize, 'batch-size', defaultBatchSize, 1, 100_000)
      const { events, readModels } = await readModelsAndLog(options)
      const running = projectionWorker({
        events,
        readModels,
        projections: allProjections(cliPolicies),
        partitions,
        worker,
        onPoison,
        batchSize,
        // Writing a rebuild's generation: thrown away if interrupted, so no batch needs resuming.
        ...(generation === undefined ? {} : { generation, checkpoints: 'rebuild' as const }),
      })
      io.err.write(
        `worker ${worker.index} of ${worker.count}: partitions ${running.owned.join(', ') || 'none'} of ${partitions}\n`,
      )
      try {
        if (options.once) await running.catchUp()
        else
          await followUntilStopped(running, (line) =>
            io.err.write(`worker ${worker.index} of ${worker.count}: ${line}\n`),
          )
        io.out(`worker ${worker.index} of ${worker.count} ${options.once ? 'caught up' : 'stopped'}`)
      } catch (error) {
        unreachable(error, options)
      } finally {
        await readModels.close()
        await events.close()
      }
    })
