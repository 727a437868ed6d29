import * as crypto from 'node:crypto'

// One-shot hashing where Node has it (20.12+): a hasher object per call costs more than the hashing.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash

/** The hex digest of a text's UTF-8 bytes. */
export const hexDigest = (algorithm: 'sha1' | 'sha256', text: string): string =>
  oneShot !== undefined
    ? oneShot(algorithm, text, 'hex')
    : crypto.createHash(algorithm).update(text).digest('hex')
