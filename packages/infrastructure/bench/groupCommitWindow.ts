// Group commit at many clients against its coalescing window and the sync mode (docs/benchmarks.md):
// `node --conditions=@property-services/source --import tsx bench/groupCommitWindow.ts`.
// BENCH_CLIENTS (default 64) clients handle the complaint streams of the bench workload (BENCH_STREAMS,
// see handlerWorkload.ts) through one handler on one SQLite store; two rounds of each setting,
// alternating, so that the first, cold round of each can be told apart.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  commandHandler,
  type SqliteEventStoreOptions,
  sqliteEventStore,
} from '@property-services/infrastructure'
import { registerUnits, workload } from './handlerWorkload.js'

const clients = Number(process.env.BENCH_CLIENTS ?? 64)
const settings: Array<[string, Omit<SqliteEventStoreOptions, 'path'>]> = [
  ['synchronous=full, commit per append', { groupCommit: false }],
  ['synchronous=full, group commit, no window', {}],
  ['synchronous=full, group commit, 1 ms window', { commitWindowMs: 1 }],
  ['synchronous=full, group commit, 5 ms window', { commitWindowMs: 5 }],
  ['synchronous=normal, group commit, no window', { synchronous: 'normal' }],
]
const dir = mkdtempSync(join(tmpdir(), 'ps-group-commit-'))
try {
  for (let round = 1; round <= 2; round++)
    for (const [name, options] of settings) {
      const store = sqliteEventStore({
        path: join(dir, `${round}-${settings.findIndex(([n]) => n === name)}.db`),
        ...options,
      })
      await registerUnits(store, workload.length)
      const { handle } = commandHandler({ store, clock: () => new Date('2026-03-02T09:00:00.000Z') })
      let handled = 0
      const start = performance.now()
      await Promise.all(
        Array.from({ length: clients }, async (_, client) => {
          for (let s = client; s < workload.length; s += clients)
            for (const command of workload[s]!) {
              const request = {
                type: command.type,
                commandId: command.meta.commandId,
                data: command.data,
                occurredAt: command.meta.occurredAt,
              }
              const result = await handle(request, { actor: command.meta.actor })
              if (result._tag === 'Left') throw new Error(`refused: ${JSON.stringify(result.left)}`)
              handled++
            }
        }),
      )
      const rate = handled / ((performance.now() - start) / 1000)
      console.log(`round ${round}, ${clients} clients, ${name}: ${rate.toFixed(0)} commands/s`)
      await store.close()
    }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
