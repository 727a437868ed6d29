/**
 * Visit cadence (策略六: 每季度一次的上门拜访, by grade): when an owner is next due a home visit. The
 * cadence per grade is policy (`visitCadenceMonths`); a visit is due that many calendar months after
 * the last one (or after the owner registered), on the same day of the month, or the month's last day
 * when it has no such day.
 */
import type { Policies } from '../policies.js'
import type { OwnerGrade } from './owner.js'

/** The moment `months` calendar months after `from` (UTC), clamped to the end of a shorter month. */
export const addMonths = (from: string, months: number): string => {
  const date = new Date(from)
  const day = date.getUTCDate()
  date.setUTCDate(1)
  date.setUTCMonth(date.getUTCMonth() + months)
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate()
  date.setUTCDate(Math.min(day, lastDay))
  return date.toISOString()
}

/** When an owner of this grade, last visited (or registered) at `since`, is next due a visit. */
export const nextVisitDue = (since: string, grade: OwnerGrade, policies: Policies): string =>
  addMonths(since, policies.visitCadenceMonths[grade])
