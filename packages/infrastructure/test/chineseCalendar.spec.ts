import { addWorkingDays, isWorkingDay } from '@property-services/domain'
import { chineseCalendarCoverage, chineseWorkingCalendar } from '@property-services/infrastructure'
import { describe, expect, it } from 'vitest'

const calendar = chineseWorkingCalendar()

describe("China's working calendar (chinese-days)", () => {
  it('pins National Day 2025: 1–8 October off, Sunday 28 September and Saturday 11 October worked', () => {
    for (let day = 1; day <= 8; day++)
      expect(isWorkingDay(`2025-10-${String(day).padStart(2, '0')}`, calendar), `2025-10-0${day}`).toBe(false)
    expect(isWorkingDay('2025-09-28', calendar)).toBe(true) // a Sunday, worked (调休)
    expect(isWorkingDay('2025-10-11', calendar)).toBe(true) // a Saturday, worked
    expect(isWorkingDay('2025-10-09', calendar)).toBe(true)
    expect(isWorkingDay('2025-10-12', calendar)).toBe(false) // an ordinary Sunday
  })

  it('moves a one-working-day reply deadline past the holiday', () => {
    // Filed in Beijing on 30 September at 10:00: one working day later is 9 October, same time.
    expect(addWorkingDays('2025-09-30T02:00:00.000Z', 1, calendar)).toBe('2025-10-09T02:00:00.000Z')
  })

  it('covers this year and the years the simulations use, and says where it ends', () => {
    const { firstYear, lastYear } = chineseCalendarCoverage()
    expect(firstYear).toBeLessThanOrEqual(2025)
    expect(lastYear).toBeGreaterThanOrEqual(2026)
    // Spring Festival 2026 (17 February) is off, and it is the shipped data that says so.
    expect(isWorkingDay('2026-02-17', calendar)).toBe(false)
    expect(calendar.holidays.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))).toBe(true)
  })
})
