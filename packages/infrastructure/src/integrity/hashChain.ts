/**
 * Tamper evidence per stream: each event's metadata carries `hash`, a SHA-256 over the canonical JSON of
 * its type, its data as stored, its metadata without the hash, and the hash of the event before it in
 * its stream. Changing, removing, inserting or reordering a stored event breaks the chain from there on.
 *
 * Personal data counts as stored only when encrypted: its ciphertext is hashed, so deleting a key
 * (crypto-shredding) leaves the chain whole. Personal data kept in plain text (no key store) may be
 * lawfully rewritten by an erasure, so it enters the hash as a placeholder and is not tamper-evident.
 */
import { type EventType, personalDataFields } from '@property-services/domain'
import { isEncrypted } from '../serialization/encryption.js'
import { canonicalJson } from './canonicalJson.js'
import { hexDigest } from './digest.js'

export interface Hashable {
  readonly type: string
  readonly data: unknown
  readonly metadata: unknown
}

/** The hash an event must carry, given the hash of the event before it in its stream (null for the first). */
export const eventHash = (event: Hashable, previousHash: string | null): string => {
  return hexDigest(
    'sha256',
    canonicalJson({
      type: event.type,
      data: hashedData(event),
      metadata: hashedMetadata(event),
      previousHash,
    }),
  )
}

/** The metadata without its hash: a copy only when it has one (a new event's has none yet). */
const hashedMetadata = (event: Hashable): unknown => {
  const metadata = event.metadata ?? {}
  if (typeof metadata === 'object' && !Array.isArray(metadata) && !Object.hasOwn(metadata, 'hash'))
    return metadata
  const { hash: _, ...rest } = metadata as Record<string, unknown>
  return rest
}

const plainPersonalData = '(personal data in plain text)'

/** The data as hashed: personal-data fields only in their encrypted form. */
const hashedData = (event: Hashable): unknown => {
  const fields = personalDataFields[event.type as EventType]
  if (fields === undefined || typeof event.data !== 'object' || event.data === null) return event.data
  const data = event.data as Record<string, unknown>
  let hashed: Record<string, unknown> | undefined
  for (const field of fields) {
    const value = data[field]
    if (value === undefined || isEncrypted(value)) continue
    hashed ??= { ...data }
    hashed[field] = plainPersonalData
  }
  return hashed ?? data
}

/** The hash an event carries, if it was stored with one (events from before chaining have none). */
export const storedHash = (event: { readonly metadata: unknown }): string | undefined => {
  const hash = (event.metadata as { hash?: unknown } | null)?.hash
  return typeof hash === 'string' ? hash : undefined
}
