import { isoMillis } from './isoTime.js'

/**
 * The working calendar: which days count as working days for reply deadlines. Weekends and holidays are
 * configuration, as are make-up working days (调休) that fall on a weekend.
 */
export interface WorkingCalendar {
  /** Offset of the property's local time from UTC, in minutes (China Standard Time: 480). */
  readonly utcOffsetMinutes: number
  /** Days of the week that are not working days: 0 is Sunday, 6 is Saturday. */
  readonly weekendDays: readonly number[]
  /** Dates (`YYYY-MM-DD`, local) that are not working days. */
  readonly holidays: readonly string[]
  /** Weekend dates (`YYYY-MM-DD`, local) that are working days all the same. */
  readonly extraWorkingDays: readonly string[]
}

const DAY = 86_400_000

export const defaultCalendar: WorkingCalendar = {
  utcOffsetMinutes: 480,
  weekendDays: [0, 6],
  holidays: [],
  extraWorkingDays: [],
}

// A company's history spans a few thousand local dates, asked for again with every event projected:
// each is formatted once (the memo is emptied if a caller ever walks past a hundred thousand).
const datesOfDays = new Map<number, string>()
const dateOfDay = (day: number): string => {
  let date = datesOfDays.get(day)
  if (date === undefined) {
    date = new Date(day * DAY).toISOString().slice(0, 10)
    if (datesOfDays.size >= 100_000) datesOfDays.clear()
    datesOfDays.set(day, date)
  }
  return date
}

const isWorkingDayNumber = (day: number, calendar: WorkingCalendar): boolean => {
  const date = dateOfDay(day)
  if (calendar.extraWorkingDays.includes(date)) return true
  if (calendar.holidays.includes(date)) return false
  return !calendar.weekendDays.includes(new Date(day * DAY).getUTCDay())
}

const nextWorkingDayNumber = (day: number, calendar: WorkingCalendar): number => {
  // Holidays are finite, so with fewer than seven weekend days a working day always comes.
  if (new Set(calendar.weekendDays).size >= 7) {
    throw new Error('invalid working calendar: every day of the week is a weekend day')
  }
  let next = day + 1
  while (!isWorkingDayNumber(next, calendar)) next++
  return next
}

/** The local calendar date (`YYYY-MM-DD`) of a moment. */
export const localDate = (iso: string, calendar: WorkingCalendar): string =>
  dateOfDay(Math.floor((isoMillis(iso) + calendar.utcOffsetMinutes * 60_000) / DAY))

/** Whether a local date (`YYYY-MM-DD`) is a working day. */
export const isWorkingDay = (date: string, calendar: WorkingCalendar): boolean =>
  isWorkingDayNumber(Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY), calendar)

/**
 * The moment `workingDays` working days after `from`. From a working day it is the same local time of
 * day that many working days on; from a non-working day the clock starts with the next working day, so
 * the deadline is the end of the `workingDays`-th working day after it. Either way it falls on a
 * working day, after `from`, and no more than `workingDays` working days of time later.
 */
export const addWorkingDays = (from: string, workingDays: number, calendar: WorkingCalendar): string => {
  const offset = calendar.utcOffsetMinutes * 60_000
  const local = isoMillis(from) + offset
  const day = Math.floor(local / DAY)
  const timeOfDay = local - day * DAY
  let target = day
  for (let i = 0; i < workingDays; i++) target = nextWorkingDayNumber(target, calendar)
  const deadline = isWorkingDayNumber(day, calendar) ? target * DAY + timeOfDay : target * DAY + DAY - 1
  return new Date(deadline - offset).toISOString()
}
