/** `report`: the read models as tables, and optionally a page with charts. */
import {
  comparePositions,
  type EventStore,
  type Position,
  positionToString,
} from '@property-services/infrastructure'
import {
  allProjections,
  firstEventIdOf,
  quarantinedEvents,
  type ReadModelStore,
  readModelPositions,
} from '@property-services/projections'
import type { Command } from 'commander'
import { renderReport, reportData } from '../report.js'
import {
  CliError,
  defaultDb,
  type Io,
  language,
  moment,
  openLog,
  openReadModels,
  project,
  quarantineNote,
  type SourceOptions,
  sources,
  unreachableLog,
  writeHtml,
} from './shared.js'

interface Options extends SourceOptions {
  readonly html?: string
  readonly asOf?: string
  readonly lang?: string
}

/**
 * Where the read models in MongoDB stand, as the report's last line: the least position of the
 * projections, and, when the log is at hand, how many events they have not yet taken in. Refuses read
 * models that have not been built, which would report nothing as if nothing had happened.
 */
const standing = async (readModels: ReadModelStore, log: EventStore | undefined, options: Options) => {
  const database = options.database ?? 'property_services'
  const positions = await readModelPositions(readModels, allProjections())
  const unbuilt = positions.filter((p) => p.position === undefined).map((p) => p.projection)
  if (unbuilt.length > 0)
    throw new CliError(
      `the read models in MongoDB database ${database} have not been built (${unbuilt.join(', ')}): run "property-services rebuild --mongo ${options.mongo} --database ${database}" or start workers ("property-services work")`,
      1,
    )
  const least = positions
    .map((p) => p.position as Position)
    .reduce((a, b) => (comparePositions(a, b) <= 0 ? a : b))
  const held = `read models from MongoDB database ${database}: they hold every event up to position ${positionToString(least)}`
  if (log === undefined)
    return `${held} (name the log with --db or --eventstore to count those not yet in them)`
  // Read models of another log would be counted against this one as if they were its.
  const first = await firstEventIdOf(log)
  const foreign = positions.find((p) => p.log !== undefined && p.log !== first)
  if (foreign !== undefined)
    throw new CliError(
      `the read models in MongoDB database ${database} were built from another log (its first event ${foreign.log}, this one's ${first ?? 'none: it is empty'}): name their log, or rebuild them from this one`,
      1,
    )
  const behind = await log.countAfter(least)
  return `${held}, ${behind === 0 ? 'the end of the log' : `${behind} event${behind === 1 ? '' : 's'} of the log not yet in them`}`
}

export const reportCommand = (program: Command, io: Io) =>
  sources(program.command('report').description('the read models as tables (and a page with charts)'))
    .option('--html <file>', 'also write a self-contained page with charts')
    .option('--as-of <time>', 'figures that depend on the date as of TIME (default: now)')
    .option('--lang <lang>', 'en or zh-CN (default: from LC_ALL, LC_MESSAGES or LANG)')
    .addHelpText(
      'after',
      '\nWithout --mongo, every read model is projected from the log in memory first. With --mongo, the report\nreads the read models that rebuilds, runners and workers keep there, and the log (when named) only\nto count the events they have not yet taken in.',
    )
    .action(async (options: Options, command: Command) => {
      const asOf = moment(options.asOf, 'as-of')
      const lang = language(options.lang)
      const fromMongo = options.mongo !== undefined
      // From MongoDB, the log is read only when named: the default file need not exist.
      const logNamed = options.eventstore !== undefined || command.getOptionValueSource('db') === 'cli'
      const log = fromMongo && !logNamed ? undefined : openLog(options)
      let readModels: ReadModelStore | undefined
      try {
        readModels = await openReadModels(options)
        const source = fromMongo
          ? `--mongo ${options.mongo} --database ${options.database ?? 'property_services'}`
          : options.eventstore !== undefined
            ? `--eventstore ${options.eventstore}`
            : `--db ${options.db ?? defaultDb}`
        const footer = fromMongo ? `\n\n${await standing(readModels, log, options)}` : ''
        const quarantined = fromMongo
          ? await quarantinedEvents(readModels)
          : await project(log as EventStore, readModels, io.err)
        const data = await reportData(readModels, asOf)
        io.out(renderReport(data, lang) + quarantineNote(quarantined, source) + footer)
        writeHtml(options.html, data, io, lang)
      } catch (error) {
        unreachableLog(error, options)
        throw error
      } finally {
        await readModels?.close()
        await log?.close()
      }
    })
