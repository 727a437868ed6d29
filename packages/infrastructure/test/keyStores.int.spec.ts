import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inMemoryKeyStore, type KeyStore, sqliteKeyStore } from '@property-services/infrastructure'
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
})
