import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CorruptDataKeyError,
  inMemoryKeyStore,
  type KeyStore,
  sqliteKeyStore,
} from '@property-services/infrastructure'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { keyStoreContract } from './keyStoreContract.js'
import { bytesOnDisk } from './support/files.js'

const dir = mkdtempSync(join(tmpdir(), 'ps-keys-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

keyStoreContract('in memory', async () => inMemoryKeyStore())
keyStoreContract('SQLite', async () => sqliteKeyStore({ path: join(dir, `keys-${Math.random()}.db`) }))

describe('SQLite key store', () => {
  it('leaves no byte of a deleted key in the file or its write-ahead log', async () => {
    const path = join(dir, 'shred.db')
    const keys: KeyStore = sqliteKeyStore({ path })
    const { key } = await keys.keyFor('o1')
    await keys.keyFor('o2')
    const bytes = Buffer.from(key)
    expect(bytesOnDisk(path).includes(bytes)).toBe(true)
    await keys.deleteKey('o1')
    expect(bytesOnDisk(path).includes(bytes)).toBe(false)
    expect(sqliteKeyStore({ path }).keyOf('o1')).toBeUndefined()
    expect(sqliteKeyStore({ path }).keyOf('o2')).toBeDefined()
    await keys.close()
  })

  it('refuses a corrupt key for its owner only, naming it, and changes nothing stored', async () => {
    const path = join(dir, 'corrupt.db')
    const keys = sqliteKeyStore({ path })
    await keys.keyFor('fine')
    const raw = new Database(path)
    const insert = raw.prepare(
      'INSERT INTO data_keys (owner_id, key_id, key, created_at) VALUES (?, ?, ?, ?)',
    )
    insert.run('short', 'k1', Buffer.alloc(5), '2026-01-01T00:00:00.000Z')
    insert.run('text', 'k2', 'not bytes', '2026-01-01T00:00:00.000Z')
    insert.run('unnamed', '', Buffer.alloc(32), '2026-01-01T00:00:00.000Z')
    insert.run('untimed', 'k4', Buffer.alloc(32), 'someday')
    const rows = () => raw.prepare('SELECT * FROM data_keys ORDER BY owner_id').all()
    const before = rows()
    try {
      for (const [owner, reason] of [
        ['short', 'its key is 5 bytes, not 32 bytes'],
        ['text', 'its key is string, not 32 bytes'],
        ['unnamed', 'it has no key id'],
        ['untimed', 'its creation time is "someday", not a time'],
      ] as const) {
        expect(() => keys.keyOf(owner)).toThrow(
          new CorruptDataKeyError(owner, `SQLite key store ${path}`, reason),
        )
        await expect(keys.keyFor(owner)).rejects.toMatchObject({ code: 'CorruptDataKey', ownerId: owner })
      }
      expect(keys.keyOf('fine')?.key.length).toBe(32)
      expect(rows()).toEqual(before)
    } finally {
      raw.close()
      await keys.close()
    }
  })

  it("answers an existing owner's key while another process holds the file's write lock", async () => {
    const path = join(dir, 'locked.db')
    const keys = sqliteKeyStore({ path })
    const created = await keys.keyFor('o1')
    // Another connection (as another process would) in the middle of a write transaction.
    const other = new Database(path)
    other.exec('BEGIN IMMEDIATE')
    try {
      // A write would wait out the busy timeout and fail with SQLITE_BUSY.
      expect(await keys.keyFor('o1')).toEqual(created)
    } finally {
      other.exec('ROLLBACK')
      other.close()
      await keys.close()
    }
  })
})
