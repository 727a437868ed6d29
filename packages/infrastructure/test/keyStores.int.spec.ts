import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inMemoryKeyStore, type KeyStore, sqliteKeyStore } from '@property-services/infrastructure'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { corruptKeys, expectCorruptKeysRefused, keyStoreContract } from './keyStoreContract.js'
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
    for (const { ownerId, keyId, key, createdAt } of corruptKeys) insert.run(ownerId, keyId, key, createdAt)
    const rows = () => raw.prepare('SELECT * FROM data_keys ORDER BY owner_id').all()
    const before = rows()
    try {
      await expectCorruptKeysRefused(keys, `SQLite key store ${path}`)
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
