/** `reconcile`: complete erasures a crash interrupted. */
import { reconcileErasures, serde } from '@property-services/infrastructure'
import type { Command } from 'commander'
import { defaultDb, type Io, keysOf, openExisting } from './shared.js'

export const reconcileCommand = (program: Command, io: Io) =>
  program
    .command('reconcile')
    .description('complete erasures a crash interrupted (delete leftover keys)')
    .option('--db <file>', 'the SQLite file', defaultDb)
    .action(async (options: { readonly db?: string }) => {
      const path = options.db ?? defaultDb
      const events = openExisting(path)
      const keys = keysOf(path)
      try {
        const completed = await reconcileErasures({ store: events, keys, serde: serde({ keys }) })
        io.out(
          completed.length === 0
            ? "no interrupted erasure: every erased owner's key is gone"
            : `completed the erasure of ${completed.length} owners: ${completed.join(', ')}`,
        )
      } finally {
        await keys.close()
        await events.close()
      }
    })
