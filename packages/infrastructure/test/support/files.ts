import { existsSync, readFileSync } from 'node:fs'

/** Every byte a SQLite database keeps on disk: the file and its write-ahead log, where they exist. */
export const bytesOnDisk = (path: string): Buffer =>
  Buffer.concat([path, `${path}-wal`].filter(existsSync).map((file) => readFileSync(file)))
