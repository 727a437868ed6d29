/** One unit's part of a shared cost. */
export interface Share {
  readonly unitId: string
  readonly floorAreaCm2: number
  readonly amountFen: number
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Apportions `totalFen` over units in proportion to floor area by the largest-remainder method: each
 * share is the exact proportion rounded down, and the fen left over go one each to the units with the
 * largest remainders (ties: larger area first, then unit id). Shares are whole fen, add up to the total
 * exactly, each lies within one fen of its exact proportion, and the result does not depend on the
 * order the units are listed in. Shares come back in the order given. Exact: computed in BigInt.
 */
export const apportion = (
  totalFen: number,
  units: readonly { readonly unitId: string; readonly floorAreaCm2: number }[],
): Share[] => {
  const total = BigInt(totalFen)
  const area = units.reduce((sum, u) => sum + BigInt(u.floorAreaCm2), 0n)
  if (units.length === 0 || area === 0n) return []
  const exact = units.map((u) => {
    const numerator = total * BigInt(u.floorAreaCm2)
    return { unit: u, floor: numerator / area, remainder: numerator % area }
  })
  let left = total - exact.reduce((sum, e) => sum + e.floor, 0n)
  const byRemainder = [...exact].sort(
    (a, b) =>
      (a.remainder === b.remainder ? 0 : a.remainder > b.remainder ? -1 : 1) ||
      b.unit.floorAreaCm2 - a.unit.floorAreaCm2 ||
      compareIds(a.unit.unitId, b.unit.unitId),
  )
  const extra = new Set<(typeof exact)[number]>()
  for (const e of byRemainder) {
    if (left === 0n) break
    extra.add(e)
    left -= 1n
  }
  return exact.map((e) => ({
    unitId: e.unit.unitId,
    floorAreaCm2: e.unit.floorAreaCm2,
    amountFen: Number(e.floor + (extra.has(e) ? 1n : 0n)),
  }))
}

/**
 * The regular service fee: a rate in fen per square metre per month, times the floor area (in cm²),
 * times the number of months, rounded half up to whole fen.
 */
export const serviceFee = (ratePerM2MonthFen: number, floorAreaCm2: number, months: number): number => {
  const exactTimes10000 = BigInt(ratePerM2MonthFen) * BigInt(floorAreaCm2) * BigInt(months)
  return Number((exactTimes10000 * 2n + 10_000n) / 20_000n)
}
