import { isoMillis } from '@property-services/domain'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'

const padded = (max: number, width: number) =>
  fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, '0'))

/** The form isoMillis reads itself, each field anywhere in its width (out of range included). */
const nearlyIso = fc
  .tuple(
    padded(9999, 4),
    padded(99, 2),
    padded(99, 2),
    padded(99, 2),
    padded(99, 2),
    padded(99, 2),
    padded(999, 3),
    fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), padded(99, 2), padded(99, 2)).map(([s, h, m]) => `${s}${h}:${m}`),
    ),
  )
  .map(([y, mo, d, h, mi, s, ms, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${zone}`)

/** The same with one character replaced: a separator, a digit, a sign. */
const garbled = fc
  .tuple(nearlyIso, fc.nat(), fc.constantFrom('a', ' ', '-', '+', ':', '.', 'Z', 'T', '/', '٣', '\u0000'))
  .map(([text, at, c]) => {
    const i = at % text.length
    return `${text.slice(0, i)}${c}${text.slice(i + 1)}`
  })

/** Real moments, written as toISOString does and with an offset. */
const moments = fc
  .tuple(
    fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2300-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
  )
  .map(([date, offsetMinutes]) => {
    const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23)
    const sign = offsetMinutes < 0 ? '-' : '+'
    const abs = Math.abs(offsetMinutes)
    const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
    return [date.toISOString(), `${local}${offset}`, date.getTime()] as const
  })

describe('isoMillis', () => {
  it('gives what Date.parse gives, NaN included, for anything near its form', () => {
    fc.assert(
      fc.property(fc.oneof(nearlyIso, garbled, fc.string({ maxLength: 30 })), (text) => {
        expect(Object.is(isoMillis(text), Date.parse(text))).toBe(true)
      }),
      { numRuns: 20_000 },
    )
  })

  it('reads a moment back from toISOString and from any offset', () => {
    fc.assert(
      fc.property(moments, ([utc, withOffset, ms]) => {
        expect(isoMillis(utc)).toBe(ms)
        expect(isoMillis(withOffset)).toBe(ms)
      }),
      { numRuns: 5_000 },
    )
  })

  it('rolls a day past its month over as Date.parse does, and leaves what it refuses to it', () => {
    for (const text of [
      '2026-02-30T00:00:00.000Z',
      '2024-02-29T23:59:59.999+08:00',
      '2026-04-31T12:00:00.000-05:30',
      '2026-01-01T24:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01',
    ])
      expect(Object.is(isoMillis(text), Date.parse(text))).toBe(true)
    expect(isoMillis('2026-02-30T00:00:00.000Z')).toBe(Date.parse('2026-03-02T00:00:00.000Z'))
  })
})
