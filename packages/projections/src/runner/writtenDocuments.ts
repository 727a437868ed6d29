/**
 * The documents a runner has written since it started a generation from nothing, as 32-bit digests of
 * their keys (`keyOf(collection, id)`). A digest stands for every key that hashes to it, so the answer
 * is "may have been written" (the document is then looked up, and may turn out absent) or "never
 * written" (it is absent, for certain). Nothing is ever taken out: a deleted document's digest may also
 * stand for one that still exists.
 *
 * The digests are kept in a table of 32-bit slots outside V8's heap (open addressing, a quarter to a
 * half full): 8 to 16 bytes a document, against about 21 in a `Set` of numbers, and none of it in the
 * heap, whose live size V8 multiplies when it decides how much garbage to let accumulate.
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
  // 0 marks an empty slot: the one digest that would be 0 is kept as 1 (both then stand for it).
  return hash === 0 ? 1 : hash | 0
}

/** Where a digest's probe starts: its bits mixed (FNV's low bits alone cluster), masked to the table. */
const slotOf = (digest: number, mask: number): number => {
  let h = Math.imul(digest ^ (digest >>> 16), 0x45d9f3b)
  h ^= h >>> 16
  return h & mask
}

const initialSlots = 1 << 12

export const writtenDocuments = (): WrittenDocuments => {
  let slots = new Int32Array(initialSlots)
  let count = 0

  /** The slot holding `digest`, or the empty slot where it would go. */
  const find = (table: Int32Array, digest: number): number => {
    const mask = table.length - 1
    let i = slotOf(digest, mask)
    for (;;) {
      const held = table[i]!
      if (held === digest || held === 0) return i
      i = (i + 1) & mask
    }
  }

  const grow = () => {
    const larger = new Int32Array(slots.length * 2)
    for (const digest of slots) if (digest !== 0) larger[find(larger, digest)] = digest
    slots = larger
  }

  return {
    add: (key) => {
      const digest = digestOf(key)
      const at = find(slots, digest)
      if (slots[at] !== 0) return
      slots[at] = digest
      count++
      if (count * 2 > slots.length) grow()
    },
    mayHold: (key) => {
      const digest = digestOf(key)
      return slots[find(slots, digest)] === digest
    },
    size: () => count,
  }
}
