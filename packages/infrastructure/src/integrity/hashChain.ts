/**
 * Tamper evidence per stream: each event's metadata carries `hash`, a SHA-256 over the canonical JSON of
 * its type, its data as stored (ciphertext for personal data, so crypto-shredding leaves the chain
 * whole), its metadata without the hash, and the hash of the event before it in its stream. Changing,
 * removing, inserting or reordering a stored event breaks the chain from there on.
 */
import * as crypto from 'node:crypto'
import { canonicalJson } from './canonicalJson.js'

export interface Hashable {
  readonly type: string
  readonly data: unknown
  readonly metadata: unknown
}

// One-shot hashing where Node has it (20.12+): a hasher object per event costs more than the hashing.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash
const sha256Hex = (text: string): string =>
  oneShot !== undefined
    ? oneShot('sha256', text, 'hex')
    : crypto.createHash('sha256').update(text).digest('hex')

/** The hash an event must carry, given the hash of the event before it in its stream (null for the first). */
export const eventHash = (event: Hashable, previousHash: string | null): string => {
  const { hash: _, ...metadata } = (event.metadata ?? {}) as Record<string, unknown>
  return sha256Hex(canonicalJson({ type: event.type, data: event.data, metadata, previousHash }))
}

/** The hash an event carries, if it was stored with one (events from before chaining have none). */
export const storedHash = (event: { readonly metadata: unknown }): string | undefined => {
  const hash = (event.metadata as { hash?: unknown } | null)?.hash
  return typeof hash === 'string' ? hash : undefined
}
