/** `demo`: simulate a property company (its communities) on SQLite, then report. */
import { auditComplaints, sqliteEventStore } from '@property-services/infrastructure'
import { inMemoryReadModelStore } from '@property-services/projections'
import type { Command } from 'commander'
import { progressReporter } from '../progress.js'
import { renderReport, reportData } from '../report.js'
import { simulate } from '../simulation.js'
import { claimDemoFile, defaultDb, type Io, integer, keysOf, language, project, writeHtml } from './shared.js'

interface Options {
  readonly seed?: string
  readonly months?: string
  readonly communities?: string
  readonly buildings?: string
  readonly db?: string
  readonly html?: string
  readonly lang?: string
}

export const demoCommand = (program: Command, io: Io) =>
  program
    .command('demo')
    .description('simulate a property company on SQLite (replacing only a file the demo made), then report')
    .option('--seed <n>', 'the random seed: the same seed gives the same community and report', '7')
    .option('--months <n>', 'months of history, 1 to 60', '12')
    .option('--communities <n>', 'communities the company manages, 1 to 1000', '3')
    .option('--buildings <n>', 'buildings per community (8 units each), 1 to 100', '3')
    .option('--db <file>', 'the SQLite file', defaultDb)
    .option('--html <file>', 'also write the report as a self-contained page with charts')
    .option('--lang <lang>', 'en or zh-CN (default: from LC_ALL, LC_MESSAGES or LANG)')
    .action(async (options: Options) => {
      const lang = language(options.lang)
      const seed = integer(options.seed, 'seed', 7, 0, 2 ** 31)
      const months = integer(options.months, 'months', 12, 1, 60)
      const communities = integer(options.communities, 'communities', 3, 1, 1_000)
      const buildings = integer(options.buildings, 'buildings', 3, 1, 100)
      const path = options.db ?? defaultDb
      claimDemoFile(path)
      const events = sqliteEventStore({ path, synchronous: 'normal' })
      const keys = keysOf(path)
      const progress = progressReporter('simulating', io.err)
      const result = await simulate(events, {
        seed,
        months,
        communities,
        buildings,
        keys,
        onProgress: (done, total) => progress.update(done, total, 'weeks'),
      })
      progress.done()
      const readModels = inMemoryReadModelStore()
      await project(events, readModels, io.err)
      io.out(
        `Simulated ${months} months of ${communities} ${communities === 1 ? 'community' : 'communities'} from seed ${seed}: ${result.commands} commands (${result.refused} refused by the domain), ${result.complaints} complaints; the deadline watch sent ${result.warnings} warnings and ${result.escalations} escalations; ${result.correctiveActions} corrective actions, ${result.reopenedActions} reopened by a repeat; events in ${path}\n`,
      )
      // The story's last day, so that the same seed gives the same report whenever it runs.
      const data = await reportData(readModels, result.lastDayAt)
      io.out(renderReport(data, lang))
      writeHtml(options.html, data, io, lang)
      const deviations = await auditComplaints(events, result.endsAt)
      io.out(
        `\n\nAudit: ${deviations.length} complaints deviated from the handling procedure (property-services audit complaints --db ${path})`,
      )
      await events.close()
      await keys.close()
    })
