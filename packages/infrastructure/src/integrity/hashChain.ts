/**
 * Tamper evidence per stream: each event's metadata carries `hash`, a SHA-256 over the canonical JSON of
 * its type, its data as stored (ciphertext for personal data, so crypto-shredding leaves the chain
 * whole), its metadata without the hash, and the hash of the event before it in its stream. Changing,
 * removing, inserting or reordering a stored event breaks the chain from there on.
 */
import { createHash } from 'node:crypto'
import { canonicalJson } from './canonicalJson.js'

export interface Hashable {
  readonly type: string
  readonly data: unknown
  readonly metadata: unknown
}

/** The hash an event must carry, given the hash of the event before it in its stream (null for the first). */
export const eventHash = (event: Hashable, previousHash: string | null): string => {
  const { hash: _, ...metadata } = (event.metadata ?? {}) as Record<string, unknown>
  return createHash('sha256')
    .update(canonicalJson({ type: event.type, data: event.data, metadata, previousHash }))
    .digest('hex')
}

/** The hash an event carries, if it was stored with one (events from before chaining have none). */
export const storedHash = (event: { readonly metadata: unknown }): string | undefined => {
  const hash = (event.metadata as { hash?: unknown } | null)?.hash
  return typeof hash === 'string' ? hash : undefined
}
