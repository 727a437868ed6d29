/**
 * `rebuild`, `work` and `quarantine`: every read model from the log, a projection worker's share of the
 * communities, and what could not be projected.
 */
import { eventStoreDbEventStore } from '@property-services/infrastructure'
import {
  allProjections,
  inMemoryReadModelStore,
  mongoReadModelStore,
  ProjectionError,
  projectionWorker,
  quarantinedEvents,
  type ReadModelStore,
} from '@property-services/projections'
import type { Command } from 'commander'
import { cliPolicies } from '../policies.js'
import {
  CliError,
  defaultDb,
  distinctEvents,
  type Io,
  integer,
  openExisting,
  poisonPolicy,
  project,
} from './shared.js'

interface Options {
  readonly db?: string
  readonly eventstore?: string
  readonly mongo?: string
  readonly database?: string
  readonly onPoison?: string
}

const sources = (command: Command) =>
  command
    .option('--db <file>', 'the SQLite file', defaultDb)
    .option('--eventstore <url>', 'read the log from EventStoreDB instead (esdb://…)')
    .option('--mongo <url>', 'read models in MongoDB (default: in memory)')
    .option('--database <name>', 'the MongoDB database', 'property_services')

const readModelsAndLog = async (options: Options) => {
  if (options.eventstore !== undefined && options.db !== undefined && options.db !== defaultDb)
    throw new CliError('pass either --db or --eventstore, not both')
  const events =
    options.eventstore !== undefined
      ? eventStoreDbEventStore({ connectionString: options.eventstore })
      : openExisting(options.db ?? defaultDb)
  let readModels: ReadModelStore
  try {
    readModels =
      options.mongo !== undefined
        ? await mongoReadModelStore({ url: options.mongo, database: options.database ?? 'property_services' })
        : inMemoryReadModelStore()
  } catch (error) {
    await events.close()
    throw new CliError(
      `cannot reach MongoDB at ${options.mongo}: ${(error as Error).message.split('\n')[0]}`,
      1,
    )
  }
  return { events, readModels }
}

const unreachable = (error: unknown, options: Options): never => {
  if (error instanceof ProjectionError)
    throw new CliError(`${error.message}\n(rebuild --on-poison quarantine sets such events aside)`, 1)
  if (/UNAVAILABLE|ECONNREFUSED/.test(String(error)))
    throw new CliError(`cannot reach EventStoreDB at ${options.eventstore}`, 1)
  throw error
}

export const rebuildCommand = (program: Command, io: Io) =>
  sources(program.command('rebuild').description('rebuild every read model (default: in memory)'))
    .option('--on-poison <policy>', 'stop, or quarantine events that cannot be read or projected', 'stop')
    .action(async (options: Options) => {
      const onPoison = poisonPolicy(options.onPoison)
      const { events, readModels } = await readModelsAndLog(options)
      try {
        const quarantined = await project(events, readModels, io.err, onPoison)
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
      'partitions the communities are hashed into, the same for every worker, 1 to 1024',
      '16',
    )
    .option('--worker <i/n>', 'which worker this is, of how many', '0/1')
    .option('--on-poison <policy>', 'stop, or quarantine events that cannot be read or projected', 'stop')
    .option('--once', 'catch up with the log, then stop (default: follow it until stopped)')
    .action(async (options: WorkOptions) => {
      if (options.mongo === undefined) throw new CliError('a worker writes into MongoDB: pass --mongo <url>')
      const partitions = integer(options.partitions, 'partitions', 16, 1, 1_024)
      const worker = workerOf(options.worker)
      const onPoison = poisonPolicy(options.onPoison)
      const { events, readModels } = await readModelsAndLog(options)
      const running = projectionWorker({
        events,
        readModels,
        projections: allProjections(cliPolicies),
        partitions,
        worker,
        onPoison,
      })
      io.err.write(
        `worker ${worker.index} of ${worker.count}: partitions ${running.owned.join(', ') || 'none'} of ${partitions}\n`,
      )
      try {
        if (options.once) await running.catchUp()
        else {
          const started = running.start()
          const stop = () => void started.stop()
          process.once('SIGINT', stop)
          process.once('SIGTERM', stop)
          await started.done
        }
        io.out(`worker ${worker.index} of ${worker.count} ${options.once ? 'caught up' : 'stopped'}`)
      } catch (error) {
        unreachable(error, options)
      } finally {
        await readModels.close()
        await events.close()
      }
    })
