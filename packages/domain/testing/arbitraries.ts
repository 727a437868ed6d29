/**
 * fast-check arbitraries for every command and event, derived from their io-ts codecs, so that a new
 * field or a new event gets an arbitrary without anyone writing one.
 */
import {
  type Command,
  type CommandRequest,
  type CommandType,
  commandCodecs,
  type Event,
  type EventType,
  eventCodecs,
  hasForbiddenCharacter,
  limits,
  requestCodecs,
} from '@property-services/domain'
import * as fc from 'fast-check'
import type * as t from 'io-ts'

const minTime = Date.parse('2020-01-01T00:00:00.000Z')
const maxTime = Date.parse('2035-12-31T23:59:59.999Z')

export const idArbitrary: fc.Arbitrary<string> = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,11}$/)
// Graphemes may carry control characters; the codecs refuse those, so they are left out here.
export const textArbitrary: fc.Arbitrary<string> = fc
  .string({ minLength: 1, maxLength: 30, unit: 'grapheme' })
  .filter((s) => s.trim().length > 0 && !hasForbiddenCharacter(s, false))
export const fenArbitrary: fc.Arbitrary<number> = fc.integer({ min: 0, max: 100_000_000 })
export const areaArbitrary: fc.Arbitrary<number> = fc.integer({ min: 1, max: 5_000_000 })
export const scoreArbitrary: fc.Arbitrary<number> = fc.integer({ min: 1, max: 5 })
export const isoDateTimeArbitrary: fc.Arbitrary<string> = fc
  .integer({ min: minTime, max: maxTime })
  .map((ms) => new Date(ms).toISOString())
export const isoDateArbitrary: fc.Arbitrary<string> = isoDateTimeArbitrary.map((iso) => iso.slice(0, 10))

/** Arbitraries for the value codecs of the domain, by codec name. */
const named: Record<string, fc.Arbitrary<unknown>> = {
  ShortText: textArbitrary,
  FreeText: textArbitrary,
  Id: idArbitrary,
  Int: fc.integer({ min: 0, max: 1_000_000 }),
  Fen: fenArbitrary,
  SignedFen: fc.integer({ min: -100_000_000, max: 100_000_000 }),
  AreaCm2: areaArbitrary,
  Score: scoreArbitrary,
  Minutes: fc.integer({ min: 1, max: 10_000 }),
  ReviewAfterDays: fc.integer({ min: 1, max: 365 }),
  IsoDateTime: isoDateTimeArbitrary,
  IsoDate: isoDateArbitrary,
  HalfYear: fc
    .tuple(fc.integer({ min: 2020, max: 2035 }), fc.constantFrom(1, 2))
    .map(([y, h]) => `${y}-H${h}`),
  Month: fc
    .tuple(fc.integer({ min: 2020, max: 2035 }), fc.integer({ min: 1, max: 12 }))
    .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
  MonthsBilled: fc.integer({ min: 1, max: 12 }),
  TimeZone: fc.constantFrom('Asia/Shanghai', 'Asia/Urumqi', 'Asia/Hong_Kong', 'UTC'),
  WeekendDays: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 6 }),
  Dates: fc.uniqueArray(isoDateArbitrary, { maxLength: 10 }),
  CommunityRoles: fc
    .uniqueArray(idArbitrary, { minLength: 1, maxLength: 5 })
    .chain((ids) =>
      fc
        .array(fc.constantFrom('staff', 'manager'), { minLength: ids.length, maxLength: ids.length })
        .map((roles) => Object.fromEntries(ids.map((id, i) => [id, roles[i]]))),
    ),
}

const longest = (length: number) => '界'.repeat(length - 1) + 'z'
const boundaryId = fc.oneof(
  fc
    .constant(`${'Z'.repeat(limits.idLength - 6)}`)
    .chain((prefix) => idArbitrary.map((id) => `${prefix}${id.slice(0, 6)}`)),
  idArbitrary,
)

/**
 * The values at the edges of each value codec: the longest texts (in three-byte characters), the
 * largest amounts and areas, the earliest and latest moments. For properties that must hold at the limits.
 */
const boundaries: Record<string, fc.Arbitrary<unknown>> = {
  ShortText: fc.constantFrom('a', longest(limits.shortTextLength)),
  FreeText: fc.constantFrom('a', `${longest(limits.freeTextLength - 2)}\n\t`),
  Id: boundaryId,
  Int: fc.constantFrom(0, 2 ** 31),
  Fen: fc.constantFrom(0, 1, limits.maxFen),
  SignedFen: fc.constantFrom(-limits.maxFen, -1, 1, limits.maxFen),
  AreaCm2: fc.constantFrom(1, limits.maxAreaCm2),
  Score: fc.constantFrom(1, 5),
  Minutes: fc.constantFrom(1, 527_040),
  ReviewAfterDays: fc.constantFrom(1, 365),
  IsoDateTime: fc.constantFrom(limits.earliest, limits.latest, '2199-12-31T23:59:59.999+00:00'),
  IsoDate: fc.constantFrom('2000-01-01', '2199-12-31'),
  HalfYear: fc.constantFrom('2000-H1', '2199-H2'),
  Month: fc.constantFrom('2000-01', '2199-12'),
  MonthsBilled: fc.constantFrom(1, 12),
  TimeZone: fc.constantFrom('UTC', 'America/Argentina/ComodRivadavia'),
  WeekendDays: fc.constantFrom([], [0, 1, 2, 3, 4, 5]),
  Dates: fc.constantFrom(
    [],
    Array.from({ length: 400 }, (_, i) =>
      new Date(Date.UTC(2199, 0, 1) - i * 86_400_000).toISOString().slice(0, 10),
    ),
  ),
  CommunityRoles: fc.constantFrom(
    { a: 'staff' },
    Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`${'Z'.repeat(58)}${i}`, 'manager'])),
  ),
}

type AnyCodec = t.Decoder<unknown, unknown> & { readonly _tag?: string; readonly name: string }

/** An arbitrary of the values a codec accepts, built by walking the codec. */
export const arbitraryOf = <A>(codec: t.Type<A, unknown, unknown>): fc.Arbitrary<A> =>
  derive(codec as unknown as AnyCodec, false) as fc.Arbitrary<A>

/**
 * An arbitrary of the values a codec accepts at its limits: every array at its largest or with one
 * item, every value at an edge of its range.
 */
export const boundaryArbitraryOf = <A>(codec: t.Type<A, unknown, unknown>): fc.Arbitrary<A> =>
  derive(codec as unknown as AnyCodec, true) as fc.Arbitrary<A>

const derive = (codec: AnyCodec, edges: boolean): fc.Arbitrary<unknown> => {
  const c = codec as AnyCodec & Record<string, unknown>
  const derive_ = (inner: AnyCodec) => derive(inner, edges)
  switch (c._tag) {
    case 'ReadonlyType':
    case 'StrictType':
      return derive_(c.type as AnyCodec)
    case 'InterfaceType':
      return fc.record(mapValues(c.props as Record<string, AnyCodec>, derive_))
    case 'PartialType':
      return fc.record(mapValues(c.props as Record<string, AnyCodec>, derive_), { requiredKeys: [] })
    case 'IntersectionType':
      return fc
        .tuple(...(c.types as AnyCodec[]).map(derive_))
        .map((parts) => Object.assign({}, ...(parts as object[])))
    case 'UnionType':
      return fc.oneof(...(c.types as AnyCodec[]).map(derive_))
    case 'ReadonlyArrayType':
    case 'ArrayType':
      return fc.array(derive_(c.type as AnyCodec), { maxLength: 5 })
    case 'BoundedArrayType':
      return edges
        ? fc.oneof(
            fc.array(derive_(c.type as AnyCodec), { minLength: 1, maxLength: 1 }),
            fc.array(derive_(c.type as AnyCodec), {
              minLength: c.maxLength as number,
              maxLength: c.maxLength as number,
            }),
          )
        : fc.array(derive_(c.type as AnyCodec), { maxLength: Math.min(5, c.maxLength as number) })
    case 'DictionaryType':
    case 'BoundedDictionaryType':
      return fc.dictionary(
        derive_(c.domain as AnyCodec) as fc.Arbitrary<string>,
        derive_(c.codomain as AnyCodec),
        {
          maxKeys: 5,
        },
      )
    case 'LiteralType':
      return fc.constant(c.value)
    case 'KeyofType':
      return fc.constantFrom(...Object.keys(c.keys as object))
    case 'NullType':
      return fc.constant(null)
    case 'BooleanType':
      return fc.boolean()
    case 'StringType':
      return idArbitrary
    case 'NumberType':
      return fc.integer()
  }
  const arbitrary = (edges ? boundaries[c.name] : undefined) ?? named[c.name]
  if (arbitrary === undefined) throw new Error(`no arbitrary for codec ${c.name}`)
  return arbitrary
}

const mapValues = <A, B>(record: Record<string, A>, f: (a: A) => B): Record<string, B> =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]))

/** An arbitrary command of the given type (well-formed, not necessarily acceptable). */
export const commandArbitrary = <T extends CommandType>(
  type: T,
): fc.Arbitrary<Extract<Command, { type: T }>> =>
  arbitraryOf(commandCodecs[type] as unknown as t.Type<Extract<Command, { type: T }>, unknown, unknown>)

/** An arbitrary event of the given type. */
export const eventArbitrary = <T extends EventType>(type: T): fc.Arbitrary<Extract<Event, { type: T }>> =>
  arbitraryOf(eventCodecs[type] as unknown as t.Type<Extract<Event, { type: T }>, unknown, unknown>)

/** Any well-formed command of the domain. */
export const anyCommand: fc.Arbitrary<Command> = fc.oneof(
  ...(Object.keys(commandCodecs) as CommandType[]).map(
    (type) => commandArbitrary(type) as fc.Arbitrary<Command>,
  ),
)

/** Any well-formed event of the domain. */
export const anyEvent: fc.Arbitrary<Event> = fc.oneof(
  ...(Object.keys(eventCodecs) as EventType[]).map((type) => eventArbitrary(type) as fc.Arbitrary<Event>),
)

/** An arbitrary request (what a caller sends) for a command of the given type. */
export const requestArbitrary = <T extends CommandType>(
  type: T,
): fc.Arbitrary<Extract<CommandRequest, { type: T }>> =>
  arbitraryOf(
    requestCodecs[type] as unknown as t.Type<Extract<CommandRequest, { type: T }>, unknown, unknown>,
  )

/** Any well-formed request of the domain. */
export const anyRequest: fc.Arbitrary<CommandRequest> = fc.oneof(
  ...(Object.keys(requestCodecs) as CommandType[]).map(
    (type) => requestArbitrary(type) as fc.Arbitrary<CommandRequest>,
  ),
)
