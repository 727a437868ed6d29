import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mongoKeyStore } from '@property-services/projections'
import { Binary, MongoClient } from 'mongodb'
import { afterAll, describe, expect, it } from 'vitest'
import {
  corruptKeys,
  expectCorruptKeysRefused,
  keyStoreContract,
} from '../../infrastructure/test/keyStoreContract.js'
import { mongoUrl } from './support.js'

const database = `ps_keys_${randomUUID().slice(0, 8)}`
afterAll(async () => {
  if (mongoUrl === undefined) return
  const client = await MongoClient.connect(mongoUrl)
  await client.db(database).dropDatabase()
  await client.close()
})

keyStoreContract(
  'MongoDB',
  async () => mongoKeyStore({ url: mongoUrl as string, database }),
  mongoUrl !== undefined,
)

describe.skipIf(mongoUrl === undefined)('MongoDB key store across processes', () => {
  it('sees keys another store created or deleted once refreshed, and never two keys for one owner', async () => {
    const url = mongoUrl as string
    const a = await mongoKeyStore({ url, database })
    const b = await mongoKeyStore({ url, database })
    const [fromA, fromB] = await Promise.all([a.keyFor('shared'), b.keyFor('shared')])
    expect(Buffer.from(fromA.key).equals(Buffer.from(fromB.key))).toBe(true)
    await a.deleteKey('shared')
    expect(b.keyOf('shared')).toBeDefined()
    await b.refresh()
    expect(b.keyOf('shared')).toBeUndefined()
    await a.close()
    await b.close()
  })
})

describe.skipIf(mongoUrl === undefined)('MongoDB key store with what it cannot use', () => {
  it('refuses a corrupt key for its owner only, naming it, and changes nothing stored', async () => {
    const url = mongoUrl as string
    const client = await MongoClient.connect(url)
    try {
      const raw = client.db(database).collection<{ _id: string }>('corrupt_keys')
      const good = await mongoKeyStore({ url, database, collection: 'corrupt_keys' })
      await good.keyFor('fine')
      await good.close()
      const corrupt = corruptKeys.map(({ ownerId, key, ...fields }) => ({
        _id: ownerId,
        ...fields,
        key: typeof key === 'string' ? key : new Binary(key),
      }))
      await raw.insertMany(corrupt)
      const before = await raw.find().sort({ _id: 1 }).toArray()
      const keys = await mongoKeyStore({ url, database, collection: 'corrupt_keys' })
      await expectCorruptKeysRefused(keys, `MongoDB key store ${database}.corrupt_keys`)
      await keys.close()
      expect(await raw.find().sort({ _id: 1 }).toArray()).toEqual(before)
    } finally {
      await client.close()
    }
  })

  it('closes its client when it cannot open, so that the process can exit', async () => {
    const child = spawnSync(
      process.execPath,
      [
        '--conditions=@property-services/source',
        '--import',
        'tsx',
        join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'openFails.ts'),
        mongoUrl as string,
        database,
      ],
      { encoding: 'utf8', timeout: 30_000, cwd: join(dirname(fileURLToPath(import.meta.url)), '..') },
    )
    // Killed by the timeout (a client left open keeps it alive), it has no status.
    expect(child.status).toBe(0)
    expect(child.stdout).toMatch(/^refused: /)
  }, 40_000)

  it('refuses a database name MongoDB would refuse, before connecting', async () => {
    for (const name of ['', 'a.b', 'a/b', 'a b', 'x'.repeat(64), '库'.repeat(22)])
      await expect(mongoKeyStore({ url: 'mongodb://127.0.0.1:1/', database: name })).rejects.toThrow(
        new RangeError(
          `mongoKeyStore: database must be 1 to 63 bytes without / \\ . " $ * < > : | ? or NUL, got ${JSON.stringify(name)}`,
        ),
      )
  })
})
