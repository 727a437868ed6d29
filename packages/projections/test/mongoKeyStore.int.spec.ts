import { randomUUID } from 'node:crypto'
import { mongoKeyStore } from '@property-services/projections'
import { MongoClient } from 'mongodb'
import { afterAll, describe, expect, it } from 'vitest'
import { keyStoreContract } from '../../infrastructure/test/keyStoreContract.js'
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
