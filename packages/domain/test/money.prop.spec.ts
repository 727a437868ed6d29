import { apportion, serviceFee } from '@property-services/domain'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'

const unitsArbitrary = fc.uniqueArray(
  fc.record({
    unitId: fc.stringMatching(/^u[0-9a-z]{1,6}$/),
    floorAreaCm2: fc.integer({ min: 1, max: 3_000_000 }),
  }),
  { minLength: 1, maxLength: 40, selector: (u) => u.unitId },
)
const totalArbitrary = fc.integer({ min: 0, max: 1_000_000_000 })

describe('apportionment of a shared cost by floor area', () => {
  it('gives whole-fen shares that add up exactly to the total', () => {
    fc.assert(
      fc.property(totalArbitrary, unitsArbitrary, (total, units) => {
        const shares = apportion(total, units)
        expect(shares.every((s) => Number.isInteger(s.amountFen) && s.amountFen >= 0)).toBe(true)
        expect(shares.reduce((sum, s) => sum + s.amountFen, 0)).toBe(total)
      }),
    )
  })

  it('keeps each share within one fen of its exact proportion', () => {
    fc.assert(
      fc.property(totalArbitrary, unitsArbitrary, (total, units) => {
        const area = units.reduce((sum, u) => sum + BigInt(u.floorAreaCm2), 0n)
        for (const share of apportion(total, units)) {
          // |share - total * a / A| < 1  <=>  |share * A - total * a| < A
          const diff = BigInt(share.amountFen) * area - BigInt(total) * BigInt(share.floorAreaCm2)
          expect(diff < area && -diff < area).toBe(true)
        }
      }),
    )
  })

  it('gives each unit the same share whatever order the units are listed in', () => {
    fc.assert(
      fc.property(
        totalArbitrary,
        unitsArbitrary.chain((units) =>
          fc.tuple(fc.constant(units), fc.shuffledSubarray(units, { minLength: units.length })),
        ),
        (total, [units, shuffled]) => {
          const byUnit = (shares: ReturnType<typeof apportion>) =>
            Object.fromEntries(shares.map((s) => [s.unitId, s.amountFen]))
          expect(byUnit(apportion(total, shuffled))).toEqual(byUnit(apportion(total, units)))
        },
      ),
    )
  })

  it('splits a remainder by the largest remainders', () => {
    const shares = apportion(100, [
      { unitId: 'a', floorAreaCm2: 1 },
      { unitId: 'b', floorAreaCm2: 1 },
      { unitId: 'c', floorAreaCm2: 1 },
    ])
    // 33.33 each: one fen left, ties broken by unit id
    expect(shares.map((s) => s.amountFen)).toEqual([34, 33, 33])
    const uneven = apportion(1000, [
      { unitId: 'small', floorAreaCm2: 700_000 },
      { unitId: 'large', floorAreaCm2: 1_300_000 },
      { unitId: 'mid', floorAreaCm2: 1_000_000 },
    ])
    // exact: 233.33, 433.33, 333.33 -> floors 233+433+333 = 999, the larger area takes the extra fen
    expect(uneven.map((s) => s.amountFen)).toEqual([233, 434, 333])
  })
})

describe('regular service fee', () => {
  it('is rate x area x months, rounded half up to whole fen', () => {
    // 2.50 CNY per m² per month over 89.37 m² for 3 months = 670.275 CNY -> 67028 fen (67027.5 rounds up)
    expect(serviceFee(250, 893_700, 3)).toBe(67_028)
    expect(serviceFee(199, 1_000_000, 1)).toBe(19_900)
    expect(serviceFee(0, 1_000_000, 12)).toBe(0)
  })

  it('never strays more than half a fen from the exact amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 12 }),
        (rate, area, months) => {
          const exactTimes10000 = BigInt(rate) * BigInt(area) * BigInt(months)
          const twiceDiff = BigInt(serviceFee(rate, area, months)) * 20_000n - exactTimes10000 * 2n
          expect(twiceDiff <= 10_000n && twiceDiff > -10_000n).toBe(true)
        },
      ),
    )
  })
})
