/** `report`: the read models as tables, and optionally a page with charts. */
import { inMemoryReadModelStore } from '@property-services/projections'
import type { Command } from 'commander'
import { renderReport, reportData } from '../report.js'
import {
  defaultDb,
  type Io,
  language,
  moment,
  openExisting,
  project,
  quarantineNote,
  writeHtml,
} from './shared.js'

interface Options {
  readonly db?: string
  readonly html?: string
  readonly asOf?: string
  readonly lang?: string
}

export const reportCommand = (program: Command, io: Io) =>
  program
    .command('report')
    .description('the read models as tables (and a page with charts)')
    .option('--db <file>', 'the SQLite file', defaultDb)
    .option('--html <file>', 'also write a self-contained page with charts')
    .option('--as-of <time>', 'figures that depend on the date as of TIME (default: now)')
    .option('--lang <lang>', 'en or zh-CN (default: from LC_ALL, LC_MESSAGES or LANG)')
    .action(async (options: Options) => {
      const asOf = moment(options.asOf, 'as-of')
      const lang = language(options.lang)
      const db = options.db ?? defaultDb
      const events = openExisting(db)
      const readModels = inMemoryReadModelStore()
      const quarantined = await project(events, readModels, io.err)
      const data = await reportData(readModels, asOf)
      io.out(renderReport(data, lang) + quarantineNote(quarantined, db))
      writeHtml(options.html, data, io, lang)
      await events.close()
    })
