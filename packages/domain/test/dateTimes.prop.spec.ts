import { IsoDate, IsoDateTime, limits } from '@property-services/domain'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'

// The codecs check dates arithmetically and work out the moment only near the ends of the range; these
// are their plain statements, through Date.
const dayExists = (date: string): boolean => {
  const year = Number(date.slice(0, 4))
  const parsed = new Date(`${date}T00:00:00.000Z`)
  return (
    year >= 2000 && year <= 2199 && !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date)
  )
}
const plainIsoDateTime = (s: string): boolean => {
  const match =
    /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/.exec(s)
  if (match === null || !dayExists(match[1] as string)) return false
  const ms = Date.parse(s)
  return ms >= Date.parse(limits.earliest) && ms <= Date.parse(limits.latest)
}
const plainIsoDate = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && dayExists(s)

const padded = (max: number, width: number) =>
  fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, '0'))
const date = fc
  .tuple(fc.constantFrom(1999, 2000, 2001, 2024, 2100, 2198, 2199, 2200, 9999), padded(13, 2), padded(32, 2))
  .map(([y, m, d]) => `${y}-${m}-${d}`)
const nearlyDateTime = fc
  .tuple(
    date,
    padded(24, 2),
    padded(60, 2),
    padded(60, 2),
    fc.constantFrom('', '.', '.5', '.25', '.125', '.1250'),
    fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), padded(24, 2), padded(60, 2)).map(([s, h, m]) => `${s}${h}:${m}`),
      fc.constantFrom('', 'z', '+0800', ' '),
    ),
  )
  .map(([d, h, m, s, fraction, offset]) => `${d}T${h}:${m}:${s}${fraction}${offset}`)

describe('date and date-time codecs', () => {
  it('accept exactly the date-times their plain statement does, at the ends of the range too', () => {
    fc.assert(
      fc.property(fc.oneof(nearlyDateTime, fc.string()), (s) => {
        expect(IsoDateTime.is(s)).toBe(plainIsoDateTime(s))
        expect(E.isRight(IsoDateTime.decode(s))).toBe(plainIsoDateTime(s))
      }),
      { numRuns: 5_000 },
    )
  })

  it('refuse the moments just outside the range, through an offset on its first or last day', () => {
    expect(IsoDateTime.is('2000-01-01T07:59:59.999+08:00')).toBe(false)
    expect(IsoDateTime.is('2000-01-01T08:00:00.000+08:00')).toBe(true)
    expect(IsoDateTime.is('2199-12-31T20:00:00.000-04:00')).toBe(false)
    expect(IsoDateTime.is('2199-12-31T19:59:59.999-04:00')).toBe(true)
  })

  it('accept exactly the dates their plain statement does', () => {
    fc.assert(
      fc.property(fc.oneof(date, fc.string()), (s) => {
        expect(IsoDate.is(s)).toBe(plainIsoDate(s))
      }),
      { numRuns: 2_000 },
    )
  })
})
