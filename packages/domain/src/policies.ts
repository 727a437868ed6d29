import type { OwnerGrade } from './owners/owner.js'
import { defaultCalendar, type WorkingCalendar } from './shared/calendar.js'

/**
 * Facts of a property company that are configuration, not constants: the working calendar, how soon a
 * verbal complaint must be answered, how soon an emergency must be dispatched, and how long after a
 * handled complaint a new one about the same thing counts as a repeat (二次投诉).
 */
export interface Policies {
  readonly calendar: WorkingCalendar
  /** Working days within which a verbal (phone or in-person) complaint gets its reply. */
  readonly verbalReplyWorkingDays: number
  /** Minutes within which an emergency complaint must be dispatched to a department. */
  readonly emergencyDispatchMinutes: number
  /** Minutes before a verbal complaint's reply deadline at which staff are warned it is still unanswered. */
  readonly replyWarningMinutes: number
  /** Days after a complaint was handled during which a new one about the same thing is a repeat. */
  readonly repeatComplaintWindowDays: number
  /** How long before it is recorded staff may say something happened (a business time in the past). */
  readonly maxBackdatingHours: number
  /**
   * How far, in fen, staff may adjust a bill down on their own; more needs a manager (the waiver role).
   * Adjustments up are not limited.
   */
  readonly staffAdjustmentLimitFen: number
  /**
   * Months between home visits (上门拜访) by customer grade: key customers are visited most often. The
   * handbook's quarterly visit is the general customer's.
   */
  readonly visitCadenceMonths: Readonly<Record<OwnerGrade, number>>
  /** Days a corrective action reopened by a repeat complaint is given, from that complaint. */
  readonly correctiveActionReopenDays: number
}

export const defaultPolicies: Policies = {
  calendar: defaultCalendar,
  verbalReplyWorkingDays: 1,
  emergencyDispatchMinutes: 30,
  replyWarningMinutes: 120,
  repeatComplaintWindowDays: 90,
  maxBackdatingHours: 72,
  staffAdjustmentLimitFen: 10_000,
  visitCadenceMonths: { key: 1, general: 3, potential: 6 },
  correctiveActionReopenDays: 14,
}

/** Default policies with some of them replaced. */
export const policies = (overrides: Partial<Policies> = {}): Policies => ({
  ...defaultPolicies,
  ...overrides,
})
