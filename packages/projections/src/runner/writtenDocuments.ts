/**
 * The documents a runner has written since it started a generation from nothing, as 32-bit digests of
 * their keys (`keyOf(collection, id)`): about a fifth of the memory of the keys themselves. A digest
 * stands for every key that hashes to it, so the answer is "may have been written" (the document is
 * then looked up, and may turn out absent) or "never written" (it is absent, for certain). Nothing is
 * ever taken out: a deleted document's digest may also stand for one that still exists.
 */
export interface WrittenDocuments {
  readonly add: (key: string) => void
  /** False only for a key never added. */
  readonly mayHold: (key: string) => boolean
  /** How many distinct digests it holds. */
  readonly size: () => number
}

/** FNV-1a over the UTF-16 code units, as a 32-bit integer (a small integer to V8: no allocation). */
const digestOf = (key: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193)
  return hash | 0
}

export const writtenDocuments = (): WrittenDocuments => {
  const digests = new Set<number>()
  return {
    add: (key) => {
      digests.add(digestOf(key))
    },
    mayHold: (key) => digests.has(digestOf(key)),
    size: () => digests.size,
  }
}
