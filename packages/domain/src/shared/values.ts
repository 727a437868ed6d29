/**
 * Value codecs shared by every aggregate. Each validates on decode and keeps the plain TypeScript type,
 * so a caller can write literals and still get a precise error when decoding untrusted input.
 */
import * as t from 'io-ts'

const refine = <A>(name: string, base: t.Type<A, A, unknown>, ok: (a: A) => boolean): t.Type<A, A, unknown> =>
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

/** A string with at least one non-blank character. */
export const NonEmptyString = refine('NonEmptyString', t.string, (s) => s.trim().length > 0)

/** An identifier: 1-64 characters of letters, digits, `_` or `-` (safe inside a stream name). */
export const Id = refine('Id', t.string, (s) => /^[A-Za-z0-9_-]{1,64}$/.test(s))

/** An integer within the range where JavaScript numbers are exact. */
export const Int = refine('Int', t.number, Number.isSafeInteger)

/** Money in fen (1/100 CNY), never negative. */
export const Fen = refine('Fen', t.number, (n) => Number.isSafeInteger(n) && n >= 0)

/** A signed amount of money in fen: adjustments may lower or raise what is owed. */
export const SignedFen = refine('SignedFen', t.number, Number.isSafeInteger)

/** Floor area in square centimetres; strictly positive. */
export const AreaCm2 = refine('AreaCm2', t.number, (n) => Number.isSafeInteger(n) && n > 0)

/** A score given by an owner: an integer from 1 (worst) to 5 (best). */
export const Score = refine('Score', t.number, (n) => Number.isInteger(n) && n >= 1 && n <= 5)

/** A positive whole number of minutes. */
export const Minutes = refine('Minutes', t.number, (n) => Number.isSafeInteger(n) && n > 0)

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Whether `YYYY-MM-DD` names a day that exists (checked arithmetically: this runs on every event read). */
const isRealDate = (s: string): boolean => {
  const year = Number(s.slice(0, 4))
  const month = Number(s.slice(5, 7))
  const day = Number(s.slice(8, 10))
  if (month < 1 || month > 12 || day < 1) return false
  return day <= (month === 2 && isLeapYear(year) ? 29 : (daysInMonth[month - 1] as number))
}

const isoDateTimePattern =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/

/** A moment as an ISO-8601 date-time with an explicit offset, e.g. `2026-03-02T09:30:00.000Z`. */
export const IsoDateTime = refine('IsoDateTime', t.string, (s) => {
  const match = isoDateTimePattern.exec(s)
  return match !== null && isRealDate(match[1] as string)
})

/** A calendar date, `YYYY-MM-DD`, that exists. */
export const IsoDate = refine('IsoDate', t.string, (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isRealDate(s))

/** A half-year period such as `2026-H1`. */
export const HalfYear = refine('HalfYear', t.string, (s) => /^\d{4}-H[12]$/.test(s))

/** A month such as `2026-03`. */
export const Month = refine('Month', t.string, (s) => /^\d{4}-(0[1-9]|1[0-2])$/.test(s))
