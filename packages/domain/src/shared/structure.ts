/**
 * Codecs for the shape of untrusted input: objects that refuse fields they do not name, arrays and
 * records with a maximum size, and a guard on nesting depth and size that runs before any decoding (so
 * hostile JSON is refused, never thrown on).
 */
import * as t from 'io-ts'

type AnyCodec = t.Decoder<unknown, unknown> & { readonly _tag?: string; readonly name: string }

const noSuchField = new t.Type<never, never, unknown>(
  'no such field',
  (_): _ is never => false,
  (u, c) => t.failure(u, c),
  t.identity,
)

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/** A plain object, as JSON makes: not a Date, a Map or an instance of some class. */
const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (!isRecord(u)) return false
  const prototype = Object.getPrototypeOf(u)
  return prototype === Object.prototype || prototype === null
}

const fieldsOf = (codec: AnyCodec): t.Props | undefined => {
  const c = codec as AnyCodec & Record<string, unknown>
  switch (c._tag) {
    case 'ReadonlyType':
    case 'StrictType':
      return namedFields(c.type as AnyCodec)
    case 'InterfaceType':
    case 'PartialType':
      return c.props as t.Props
    case 'IntersectionType': {
      const parts = (c.types as AnyCodec[]).map(namedFields)
      return parts.every((p) => p !== undefined) ? Object.assign({}, ...parts) : undefined
    }
    default:
      return undefined
  }
}

// Codecs are built once and never change: their fields are worked out once (this runs on every write).
const fieldsCache = new WeakMap<object, t.Props | null>()

/** The fields an object codec names, through readonly and intersections; undefined for non-objects. */
const namedFields = (codec: AnyCodec): t.Props | undefined => {
  let fields = fieldsCache.get(codec)
  if (fields === undefined) {
    fields = fieldsOf(codec) ?? null
    fieldsCache.set(codec, fields)
  }
  return fields ?? undefined
}

/**
 * The paths of fields in `value` that `codec` does not name, at any depth. `value` must already be
 * accepted by `codec`.
 */
export const unknownFields = (codec: t.Decoder<unknown, unknown>, value: unknown): string[][] => {
  const found: string[][] = []
  const path: string[] = []
  const walk = (codec: AnyCodec, value: unknown): void => {
    const c = codec as AnyCodec & Record<string, unknown>
    const fields = namedFields(codec)
    if (fields !== undefined) {
      if (!isRecord(value)) return
      // for-in, not Object.keys: this runs for every request and every new event, and allocates nothing.
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue
        const field = Object.hasOwn(fields, key) ? fields[key] : undefined
        path.push(key)
        if (field === undefined) found.push([...path])
        else walk(field as AnyCodec, value[key])
        path.pop()
      }
      return
    }
    switch (c._tag) {
      case 'UnionType':
        for (const member of c.types as t.Mixed[])
          if (member.is(value)) {
            walk(member as AnyCodec, value)
            return
          }
        return
      case 'ArrayType':
      case 'ReadonlyArrayType':
      case 'BoundedArrayType':
        if (Array.isArray(value))
          for (let i = 0; i < value.length; i++) {
            path.push(String(i))
            walk(c.type as AnyCodec, value[i])
            path.pop()
          }
        return
      case 'DictionaryType':
      case 'BoundedDictionaryType':
        if (isRecord(value))
          for (const key of Object.keys(value)) {
            path.push(key)
            walk(c.codomain as AnyCodec, value[key])
            path.pop()
          }
        return
      default:
        return
    }
  }
  walk(codec as AnyCodec, value)
  return found
}

/** A codec that accepts what `type` accepts, and refuses any field it does not name, at any depth. */
export class StrictType<C extends t.Any> extends t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> {
  readonly _tag = 'StrictType' as const
  constructor(
    name: string,
    readonly type: C,
  ) {
    super(
      name,
      (u): u is t.TypeOf<C> => type.is(u) && unknownFields(type, u).length === 0,
      (u, c) => {
        const decoded = type.validate(u, c)
        if (decoded._tag === 'Left') return decoded
        const unknown = unknownFields(type, u)
        if (unknown.length === 0) return decoded
        return t.failures(
          unknown.map((path) => ({
            value: path.reduce<unknown>((v, key) => (v as Record<string, unknown>)[key], u),
            // The first entry stands for the object itself (reporting skips it, as it skips the
            // members of the intersection this codec wraps); the rest name the path to the field.
            context: [
              ...c,
              { key: '', type: noSuchField, actual: u },
              ...path.map((key) => ({ key, type: noSuchField, actual: undefined })),
            ],
          })),
        )
      },
      type.encode,
    )
  }
}

/** Accepts what `codec` accepts and refuses unknown fields anywhere inside. */
export const strict = <C extends t.Any>(codec: C, name: string = codec.name): StrictType<C> =>
  new StrictType(name, codec)

/**
 * `t.readonlyArray` with a guard that reads a hole as the `undefined` decoding reads there (io-ts's
 * guard goes through `every`, which skips holes): the guard accepts exactly what decoding accepts.
 */
export const readonlyArrayOf = <C extends t.Mixed>(item: C, name?: string): t.ReadonlyArrayC<C> => {
  const array = t.readonlyArray(item, name)
  return new t.ReadonlyArrayType(
    array.name,
    (u): u is readonly t.TypeOf<C>[] => {
      if (!Array.isArray(u)) return false
      for (let i = 0; i < u.length; i++) if (!item.is(u[i])) return false
      return true
    },
    array.validate,
    array.encode,
    item,
  )
}

/** A readonly array of at most `maxLength` items. */
export class BoundedArrayType<C extends t.Any> extends t.Type<
  readonly t.TypeOf<C>[],
  readonly t.OutputOf<C>[],
  unknown
> {
  readonly _tag = 'BoundedArrayType' as const
  constructor(
    name: string,
    readonly type: C,
    readonly maxLength: number,
  ) {
    const array = readonlyArrayOf(type as t.Mixed)
    super(
      name,
      (u): u is readonly t.TypeOf<C>[] => array.is(u) && u.length <= maxLength,
      (u, c) => (Array.isArray(u) && u.length > maxLength ? t.failure(u, c) : array.validate(u, c)),
      array.encode,
    )
  }
}

/** A readonly array of 0 to `maxLength` items of `item`. */
export const boundedArray = <C extends t.Any>(item: C, maxLength: number, name?: string) =>
  new BoundedArrayType(name ?? `array of at most ${maxLength} ${item.name}`, item, maxLength)

/** A record with keys of `domain` and at most `maxKeys` entries. */
export class BoundedDictionaryType<D extends t.Mixed, C extends t.Mixed> extends t.Type<
  Readonly<Record<t.TypeOf<D>, t.TypeOf<C>>>,
  Readonly<Record<t.OutputOf<D>, t.OutputOf<C>>>,
  unknown
> {
  readonly _tag = 'BoundedDictionaryType' as const
  constructor(
    name: string,
    readonly domain: D,
    readonly codomain: C,
    readonly maxKeys: number,
  ) {
    const record = t.record(domain, codomain)
    // A key outside the domain is refused, not left out as io-ts's record leaves it out (its guard
    // skips such keys): the guard and decoding accept the same, and what decodes is what was given.
    const badKeys = (u: Record<string, unknown>, c: t.Context): t.Errors =>
      Object.keys(u)
        .filter((key) => !domain.is(key))
        .map((key) => ({ value: key, context: [...c, { key, type: domain, actual: key }] }))
    super(
      name,
      (u): u is Readonly<Record<t.TypeOf<D>, t.TypeOf<C>>> => {
        if (!isPlainObject(u)) return false
        const keys = Object.keys(u)
        if (keys.length > maxKeys) return false
        for (const key of keys) if (!domain.is(key) || !codomain.is(u[key])) return false
        return true
      },
      (u, c) => {
        if (!isPlainObject(u) || Object.keys(u).length > maxKeys) return t.failure(u, c)
        const refused = badKeys(u, c)
        return refused.length > 0 ? t.failures(refused) : record.validate(u, c)
      },
      record.encode,
    )
  }
}

export const boundedRecord = <D extends t.Mixed, C extends t.Mixed>(
  domain: D,
  codomain: C,
  maxKeys: number,
  name?: string,
) =>
  new BoundedDictionaryType(
    name ?? `record of at most ${maxKeys} ${codomain.name}`,
    domain,
    codomain,
    maxKeys,
  )

/** How deep and how large untrusted input may be before any codec looks at it. */
export interface SizeLimits {
  readonly maxDepth: number
  readonly maxNodes: number
}

export const defaultSizeLimits: SizeLimits = { maxDepth: 12, maxNodes: 20_000 }

/**
 * Where input nests deeper or holds more values than the limits allow, or undefined when it fits.
 * Iterative, and stops at the first excess: it never recurses, so no input can overflow the stack.
 */
export const exceedsSize = (
  input: unknown,
  sizeLimits: SizeLimits = defaultSizeLimits,
): { readonly path: string; readonly reason: string } | undefined => {
  // What is still to look at, as parallel stacks; for each value looked at, its key and its parent's
  // place, so that a path is spelt out only for a refusal (this runs on every request).
  const pending: unknown[] = [input]
  const pendingDepth: number[] = [0]
  const pendingKey: Array<string | number> = ['']
  const pendingParent: number[] = [-1]
  const seenKey: Array<string | number> = []
  const seenParent: number[] = []
  const refuse = (at: number, reason: string) => {
    const keys: Array<string | number> = []
    for (let i = at; i > 0; i = seenParent[i] as number) keys.push(seenKey[i] as string | number)
    let path = ''
    for (let i = keys.length - 1; i >= 0; i--) path = path ? `${path}.${keys[i]}` : String(keys[i])
    return { path: path || '(root)', reason }
  }
  let nodes = 0
  while (pending.length > 0) {
    const value = pending.pop()
    const depth = pendingDepth.pop() as number
    const at = seenKey.length
    seenKey.push(pendingKey.pop() as string | number)
    seenParent.push(pendingParent.pop() as number)
    if (++nodes > sizeLimits.maxNodes) return refuse(at, `more than ${sizeLimits.maxNodes} values`)
    if (typeof value !== 'object' || value === null) continue
    if (depth >= sizeLimits.maxDepth) return refuse(at, `nested deeper than ${sizeLimits.maxDepth} levels`)
    // By index, not by map or entries: a sparse array's holes are values too (undefined), not gaps.
    const keys = Array.isArray(value) ? undefined : Object.keys(value)
    const size = keys === undefined ? (value as unknown[]).length : keys.length
    if (nodes + pending.length + size > sizeLimits.maxNodes)
      return refuse(at, `more than ${sizeLimits.maxNodes} values`)
    for (let i = 0; i < size; i++) {
      const key = keys === undefined ? i : (keys[i] as string)
      pending.push((value as Record<string | number, unknown>)[key])
      pendingDepth.push(depth + 1)
      pendingKey.push(key)
      pendingParent.push(at)
    }
  }
  return undefined
}
