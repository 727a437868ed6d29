/** Opening a MongoDB client for a store: checked options first, and no client left open on failure. */
import type { MongoClient } from 'mongodb'

export interface MongoConnectionOptions {
  readonly url: string
  readonly database: string
  readonly serverSelectionTimeoutMS?: number
}

/**
 * MongoDB's rules for a database name: 1 to 63 bytes, none of `/\. "$*<>:|?` nor NUL. The driver
 * checks only some of them, and FerretDB fewer (an empty name read the URL's default database).
 */
const assertDatabaseName = (store: string, name: unknown): void => {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    Buffer.byteLength(name) > 63 ||
    /[/\\. "$*<>:|?\0]/.test(name)
  )
    throw new RangeError(
      `${store}: database must be 1 to 63 bytes without / \\ . " $ * < > : | ? or NUL, got ${JSON.stringify(name)}`,
    )
}

/**
 * Connects a new client and hands it to `open`, which makes the store. If `open` fails, the client is
 * closed: an open client keeps the process alive. The driver is loaded here, so a process that never
 * opens a store never loads it.
 */
export const openWithNewClient = async <T>(
  store: string,
  options: MongoConnectionOptions,
  open: (client: MongoClient, driver: typeof import('mongodb')) => Promise<T>,
): Promise<T> => {
  assertDatabaseName(store, options.database)
  const driver = await import('mongodb')
  const client = new driver.MongoClient(options.url, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
  })
  await client.connect()
  try {
    return await open(client, driver)
  } catch (error) {
    await client.close()
    throw error
  }
}
