import * as t from 'io-ts'

/**
 * What a field of personal data reads as once it can no longer be read: its owner's data key was
 * deleted (crypto-shredding) or an older store rewrote it. Events keep decoding and replaying.
 */
export const Erased = t.readonly(t.type({ erased: t.literal(true) }), 'Erased')
export type Erased = t.TypeOf<typeof Erased>
export const erased: Erased = { erased: true }

/** A field of personal data: its value, or the erased marker. */
export const erasable = <C extends t.Mixed>(codec: C) => t.union([codec, Erased], `Erasable(${codec.name})`)

/** Whether a personal-data field was erased. */
export const isErased = (value: unknown): value is Erased => Erased.is(value)
