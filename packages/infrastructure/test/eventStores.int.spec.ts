import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  eventStoreDbEventStore,
  inMemoryEventStore,
  sqliteEventStore,
} from '@property-services/infrastructure'
import { eventStoreContract } from './eventStoreContract.js'

eventStoreContract('in-memory', async () => ({ store: inMemoryEventStore() }))

eventStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ps-contract-'))
  return {
    store: sqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }
})

const eventStoreUrl = process.env.EVENTSTORE_URL
if (eventStoreUrl === undefined) {
  console.info('EventStoreDB contract tests skipped: EVENTSTORE_URL not set (see docs/eventstoredb.md)')
}
eventStoreContract(
  'EventStoreDB',
  async () => ({ store: eventStoreDbEventStore({ connectionString: eventStoreUrl ?? '' }) }),
  eventStoreUrl !== undefined,
)
