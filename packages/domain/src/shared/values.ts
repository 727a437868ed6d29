/**
 * Value codecs shared by every aggregate, and the one place that says how large a value may be. Each
 * validates on decode and keeps the plain TypeScript type, so a caller can write literals and still get
 * a precise error when decoding untrusted input. Every bound keeps a value storable and readable back:
 * amounts stay far below 2^53, text stays well under any document limit, dates stay where date
 * arithmetic and ISO formatting are exact.
 */
import * as t from 'io-ts'

/** The bounds of every value, in one place. */
export const limits = {
  /** Characters of an identifier. */
  idLength: 64,
  /** Characters of a short text: a name, a department, a phone number, a building. */
  shortTextLength: 200,
  /** Characters of free text: a description, a note, a reason. */
  freeTextLength: 4_000,
  /** Fen of one amount (a line, a payment, a total): ten billion yuan. */
  maxFen: 1_000_000_000_000,
  /** Fen an account may owe or hold in credit. */
  maxAccountFen: 100_000_000_000_000,
  /** Square centimetres of one unit's floor area: 100,000 m². */
  maxAreaCm2: 1_000_000_000,
  /** Earliest and latest moment a date-time may name. */
  earliest: '2000-01-01T00:00:00.000Z',
  latest: '2199-12-31T23:59:59.999Z',
} as const

const earliestMs = Date.parse(limits.earliest)
const latestMs = Date.parse(limits.latest)

export const refine = <A>(
  name: string,
  base: t.Type<A, A, unknown>,
  ok: (a: A) => boolean,
): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    name,
    (u): u is A => base.is(u) && ok(u),
    (u, c) => {
      const decoded = base.validate(u, c)
      if (decoded._tag === 'Left') return decoded
      return ok(decoded.right) ? t.success(decoded.right) : t.failure(u, c)
    },
    t.identity,
  )

/**
 * Whether text holds a character no stored text may: a C0 or C1 control (line breaks and tabs are
 * allowed in free text), or half of a UTF-16 surrogate pair on its own (not Unicode: MongoDB and other
 * stores would change it).
 */
export const hasForbiddenCharacter = (s: string, allowLineBreaks: boolean): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20) {
      if (!(allowLineBreaks && (c === 0x09 || c === 0x0a || c === 0x0d))) return true
    } else if (c >= 0x7f && c <= 0x9f) return true
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) return true
  }
  return false
}

const text = (name: string, maxLength: number, allowLineBreaks: boolean) =>
  refine(
    name,
    t.string,
    (s) => s.length <= maxLength && s.trim().length > 0 && !hasForbiddenCharacter(s, allowLineBreaks),
  )

/** A short text (a name, a department, a phone number): 1-200 characters, not blank, no control characters. */
export const ShortText = text('ShortText', limits.shortTextLength, false)

/** Free text (a description, a note, a reason): 1-4,000 characters, not blank; line breaks and tabs allowed. */
export const FreeText = text('FreeText', limits.freeTextLength, true)

/**
 * An identifier: 1-64 characters of letters, digits, `_` or `-`, starting with a letter or digit (safe
 * inside a stream name and as a document key: never `__proto__`).
 */
export const Id = refine('Id', t.string, (s) => /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(s))

/** A count: a whole number from 0 to 2^31. */
export const Int = refine('Int', t.number, (n) => Number.isInteger(n) && n >= 0 && n <= 2 ** 31)

/** Money in fen (1/100 CNY), from 0 to {@link limits.maxFen}. */
export const Fen = refine('Fen', t.number, (n) => Number.isInteger(n) && n >= 0 && n <= limits.maxFen)

/** A signed amount of money in fen, at most {@link limits.maxFen} either way: adjustments lower or raise what is owed. */
export const SignedFen = refine(
  'SignedFen',
  t.number,
  (n) => Number.isInteger(n) && Math.abs(n) <= limits.maxFen,
)

/** Floor area in square centimetres; strictly positive, at most {@link limits.maxAreaCm2}. */
export const AreaCm2 = refine(
  'AreaCm2',
  t.number,
  (n) => Number.isInteger(n) && n > 0 && n <= limits.maxAreaCm2,
)

/** A score given by an owner: an integer from 1 (worst) to 5 (best). */
export const Score = refine('Score', t.number, (n) => Number.isInteger(n) && n >= 1 && n <= 5)

/** A positive whole number of minutes, at most a year. */
export const Minutes = refine('Minutes', t.number, (n) => Number.isInteger(n) && n > 0 && n <= 527_040)

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** The number the decimal digits of `s` from `from` to `to` spell (the caller has checked they are digits). */
const digitsAt = (s: string, from: number, to: number): number => {
  let n = 0
  for (let i = from; i < to; i++) n = n * 10 + s.charCodeAt(i) - 48
  return n
}

/**
 * Whether text starting `YYYY-MM-DD` (digits checked) names a day that exists in 2000-2199, worked out
 * arithmetically and without allocating: this runs for every date of every event read.
 */
const isRealDate = (s: string): boolean => {
  const year = digitsAt(s, 0, 4)
  const month = digitsAt(s, 5, 7)
  const day = digitsAt(s, 8, 10)
  if (year < 2000 || year > 2199 || month < 1 || month > 12 || day < 1) return false
  return day <= (month === 2 && isLeapYear(year) ? 29 : (daysInMonth[month - 1] as number))
}

const isoDateTimePattern =
  /^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,3})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/

/** Whether a moment (milliseconds since the epoch) lies in the range every date-time must. */
export const inTimeRange = (ms: number): boolean => ms >= earliestMs && ms <= latestMs

/**
 * A moment as an ISO-8601 date-time with an explicit offset, e.g. `2026-03-02T09:30:00.000+08:00`,
 * from 2000 to 2199 (UTC).
 */
export const IsoDateTime = refine(
  'IsoDateTime',
  t.string,
  (s) =>
    isoDateTimePattern.test(s) &&
    isRealDate(s) &&
    // An offset moves a moment by less than a day, so only the first and the last day of the range can
    // fall outside it: only there is the moment worked out (Date.parse is most of the cost otherwise).
    (!(s.startsWith('2000-01-01') || s.startsWith('2199-12-31')) || inTimeRange(Date.parse(s))),
)

/** A calendar date, `YYYY-MM-DD`, that exists, from 2000 to 2199. */
export const IsoDate = refine('IsoDate', t.string, (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isRealDate(s))

const inYears = (s: string) => {
  const year = Number(s.slice(0, 4))
  return year >= 2000 && year <= 2199
}

/** A half-year period such as `2026-H1`. */
export const HalfYear = refine('HalfYear', t.string, (s) => /^\d{4}-H[12]$/.test(s) && inYears(s))

/** A month such as `2026-03`. */
export const Month = refine('Month', t.string, (s) => /^\d{4}-(0[1-9]|1[0-2])$/.test(s) && inYears(s))
