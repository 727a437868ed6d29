import {
  addWorkingDays,
  defaultCalendar,
  isWorkingDay,
  localDate,
  type WorkingCalendar,
} from '@property-services/domain'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'

// 2026-10-01..07 is China's National Day holiday; Saturday 2026-10-10 is a make-up working day.
const chinaOctober: WorkingCalendar = {
  ...defaultCalendar,
  holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
  extraWorkingDays: ['2026-10-10'],
}

describe('working calendar', () => {
  it('moves a Friday deadline over the weekend to Monday, same local time', () => {
    // Friday 2026-03-06 16:00 in Beijing (08:00Z) -> Monday 2026-03-09 16:00 Beijing
    expect(addWorkingDays('2026-03-06T08:00:00.000Z', 1, defaultCalendar)).toBe('2026-03-09T08:00:00.000Z')
  })

  it('starts the clock on the next working day when filed on a weekend', () => {
    // Saturday 2026-03-07 10:00 Beijing -> end of Monday 2026-03-09 Beijing
    expect(addWorkingDays('2026-03-07T02:00:00.000Z', 1, defaultCalendar)).toBe('2026-03-09T15:59:59.999Z')
  })

  it('reads the local date in the calendar offset, not UTC', () => {
    // 2026-03-06T20:00Z is already Saturday 04:00 in Beijing
    expect(localDate('2026-03-06T20:00:00.000Z', defaultCalendar)).toBe('2026-03-07')
    expect(addWorkingDays('2026-03-06T20:00:00.000Z', 1, defaultCalendar)).toBe('2026-03-09T15:59:59.999Z')
  })

  it('skips holidays and counts make-up working days', () => {
    // Wednesday 2026-09-30 09:00 Beijing: Oct 1-7 are holidays or weekend -> Thursday Oct 8
    expect(addWorkingDays('2026-09-30T01:00:00.000Z', 1, chinaOctober)).toBe('2026-10-08T01:00:00.000Z')
    // Friday Oct 9 -> make-up Saturday Oct 10
    expect(addWorkingDays('2026-10-09T01:00:00.000Z', 1, chinaOctober)).toBe('2026-10-10T01:00:00.000Z')
    expect(isWorkingDay('2026-10-10', chinaOctober)).toBe(true)
    expect(isWorkingDay('2026-10-02', chinaOctober)).toBe(false)
  })

  it('refuses a calendar with no working day in the week', () => {
    const never = { ...defaultCalendar, weekendDays: [0, 1, 2, 3, 4, 5, 6] }
    expect(() => addWorkingDays('2026-03-06T08:00:00.000Z', 1, never)).toThrow(/every day of the week/)
  })

  it('puts the reply deadline on a working day, after filing, at most one working day later', () => {
    const calendarArbitrary = fc.record({
      utcOffsetMinutes: fc.integer({ min: -12 * 60, max: 14 * 60 }),
      weekendDays: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
      holidays: fc.array(
        fc
          .integer({ min: 0, max: 60 })
          .map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10)),
        {
          maxLength: 20,
        },
      ),
      extraWorkingDays: fc.array(
        fc
          .integer({ min: 0, max: 60 })
          .map((d) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10)),
        { maxLength: 3 },
      ),
    })
    const filedArbitrary = fc
      .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 2, 1) })
      .map((ms) => new Date(ms).toISOString())
    fc.assert(
      fc.property(calendarArbitrary, filedArbitrary, (calendar, filedAt) => {
        const deadline = addWorkingDays(filedAt, 1, calendar)
        const deadlineDate = localDate(deadline, calendar)
        expect(isWorkingDay(deadlineDate, calendar)).toBe(true)
        expect(Date.parse(deadline)).toBeGreaterThan(Date.parse(filedAt))
        // No working day lies strictly between the filing date and the deadline's date.
        const filedDate = localDate(filedAt, calendar)
        for (let d = Date.parse(filedDate) + 86_400_000; d < Date.parse(deadlineDate); d += 86_400_000) {
          expect(isWorkingDay(new Date(d).toISOString().slice(0, 10), calendar)).toBe(false)
        }
        // From a working day, exactly the same local time of day.
        if (isWorkingDay(filedDate, calendar)) {
          expect((Date.parse(deadline) - Date.parse(filedAt)) % 86_400_000).toBe(0)
        }
      }),
    )
  })
})
