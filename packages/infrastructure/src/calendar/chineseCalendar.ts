/**
 * Mainland China's working calendar: statutory holidays (法定节假日) and the weekend days worked in
 * exchange (调休), from the maintained `chinese-days` data package (updated each year when the State
 * Council publishes the next year's arrangement), turned into the domain's `WorkingCalendar`. Kept here,
 * outside the pure domain, because it is data from outside.
 */
import { createRequire } from 'node:module'
import type { WorkingCalendar } from '@property-services/domain'

interface ChineseDays {
  /** `YYYY-MM-DD` → the holiday's name, e.g. `National Day,国庆节,3`. */
  readonly holidays: Readonly<Record<string, string>>
  /** Weekend dates worked in exchange for a holiday. */
  readonly workdays: Readonly<Record<string, string>>
}

const data = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as ChineseDays

/** The years the shipped data covers, first and last. Past the last, only weekends are days off. */
export const chineseCalendarCoverage = (): { readonly firstYear: number; readonly lastYear: number } => {
  const years = Object.keys(data.holidays).map((date) => Number(date.slice(0, 4)))
  return { firstYear: Math.min(...years), lastYear: Math.max(...years) }
}

/**
 * China Standard Time (UTC+8), Saturday and Sunday off, the statutory holidays off, and the 调休
 * weekend days worked. Pass it as `policies({ calendar: chineseWorkingCalendar() })`.
 */
export const chineseWorkingCalendar = (): WorkingCalendar => ({
  utcOffsetMinutes: 480,
  weekendDays: [0, 6],
  holidays: Object.keys(data.holidays).sort(),
  extraWorkingDays: Object.keys(data.workdays).sort(),
})
