import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import { checkedDataKey, type DataKey, type KeyStore } from './port.js'

export interface SqliteKeyStoreOptions {
  /** The database file; it may be the event store's own file (the keys get a table of their own). */
  readonly path: string
  readonly clock?: () => Date
}

/**
 * Keys in a SQLite table. Every change is a synchronous (`synchronous=FULL`) transaction, and deleted
 * keys are overwritten (`secure_delete`) and checkpointed out of the write-ahead log, so an erased key's
 * bytes are gone from the file once `deleteKey` resolves. Reads are synchronous, as the port needs.
 */
export const sqliteKeyStore = (options: SqliteKeyStoreOptions): KeyStore => {
  const db = new Database(options.path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('busy_timeout = 5000')
  db.pragma('secure_delete = ON')
  db.exec(`CREATE TABLE IF NOT EXISTS data_keys (
    owner_id   TEXT PRIMARY KEY,
    key_id     TEXT NOT NULL,
    key        BLOB NOT NULL,
    created_at TEXT NOT NULL
  )`)
  const clock = options.clock ?? (() => new Date())
  const select = db.prepare<[string], { key_id: string; key: Buffer; created_at: string }>(
    'SELECT key_id, key, created_at FROM data_keys WHERE owner_id = ?',
  )
  const insert = db.prepare(
    'INSERT OR IGNORE INTO data_keys (owner_id, key_id, key, created_at) VALUES (?, ?, ?, ?)',
  )
  const remove = db.prepare('DELETE FROM data_keys WHERE owner_id = ?')
  const all = db.prepare<[], { owner_id: string; created_at: string }>(
    'SELECT owner_id, created_at FROM data_keys ORDER BY owner_id',
  )
  const keyOf = (ownerId: string): DataKey | undefined => {
    const row = select.get(ownerId)
    return row === undefined
      ? undefined
      : checkedDataKey(`SQLite key store ${options.path}`, ownerId, {
          id: row.key_id,
          key: row.key,
          createdAt: row.created_at,
        })
  }
  return {
    keyOf,
    keyFor: async (ownerId) => {
      // An owner's key usually exists: read it without taking the file's write lock, which the event
      // store may share (a write, even one that changes nothing, waits for other processes' commits).
      const existing = keyOf(ownerId)
      if (existing !== undefined) return existing
      // INSERT OR IGNORE: a key another process created first wins, and both then use it.
      insert.run(ownerId, randomBytes(8).toString('hex'), randomBytes(32), clock().toISOString())
      return keyOf(ownerId) as DataKey
    },
    deleteKey: async (ownerId) => {
      if (remove.run(ownerId).changes > 0) db.pragma('wal_checkpoint(TRUNCATE)')
    },
    owners: async () => all.all().map((row) => ({ ownerId: row.owner_id, createdAt: row.created_at })),
    close: async () => {
      db.close()
    },
  }
}
