import * as t from 'io-ts'

/**
 * What a field of personal data reads as once it can no longer be read: its owner's data key was
 * deleted (crypto-shredding) or an older store rewrote it. Events keep decoding and replaying.
 */
export const Erased = t.readonly(t.type({ erased: t.literal(true) }), 'Erased')
export type Erased = t.TypeOf<typeof Erased>
export const erased: Erased = { erased: true }

/** Whether a personal-data field was erased. */
export const isErased = (value: unknown): value is Erased =>
  typeof value === 'object' &&
  value !== null &&
  (value as { erased?: unknown }).erased === true &&
  Object.keys(value).length === 1

/**
 * A field of personal data: its value, or the erased marker. A union of the two (for tools that walk
 * codecs), decided by one look at the value instead of trying each member (this runs on every read).
 */
export const erasable = <C extends t.Mixed>(codec: C) =>
  new t.UnionType<[C, typeof Erased], t.TypeOf<C> | Erased, t.OutputOf<C> | Erased, unknown>(
    `Erasable(${codec.name})`,
    (u): u is t.TypeOf<C> | Erased => isErased(u) || codec.is(u),
    (u, c) => (isErased(u) ? t.success(u) : codec.validate(u, c)),
    (a) => (isErased(a) ? a : codec.encode(a)),
    [codec, Erased],
  )
