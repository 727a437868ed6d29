/**
 * A unit's fee account (收费): bills of fee items, payments, waivers and adjustments, with reasons.
 *
 * Money rules, all in whole fen:
 * - balance = charges + adjustments - payments - waivers; positive is owed, negative is credit;
 * - a payment settles the oldest bill first (by due date, then bill id); what is left over is credit,
 *   which settles the next bills issued;
 * - only a manager waives, at most what a bill still owes; an adjustment names its bill and a reason,
 *   and staff may adjust a bill down by at most the policies' `staffAdjustmentLimitFen` (more is a
 *   waiver in all but name, and needs a manager);
 * - no amount, total or balance leaves the bounds of `limits` (far below 2^53).
 * - a bill's unpaid part is in arrears from the day after its due date.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { communityOfUnit } from '../communities/community.js'
import { grantOf } from '../permissions.js'
import { defaultPolicies, type Policies } from '../policies.js'
import { command, event } from '../shared/actor.js'
import { authorize, roleIn } from '../shared/authorize.js'
import { type Decider, decideByCommand, type TimeOrdered, timeOrdered } from '../shared/decider.js'
import { notAllowed, ruleViolated, wrongState } from '../shared/errors.js'
import { serviceFee } from '../shared/money.js'
import { boundedArray } from '../shared/structure.js'
import {
  AreaCm2,
  Fen,
  FreeText,
  Id,
  IsoDate,
  IsoDateTime,
  limits,
  Month,
  ShortText,
  SignedFen,
} from '../shared/values.js'

const MonthsBilled = new t.Type<number, number, unknown>(
  'MonthsBilled',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 1 && u <= 12,
  (u, c) =>
    typeof u === 'number' && Number.isInteger(u) && u >= 1 && u <= 12 ? t.success(u) : t.failure(u, c),
  t.identity,
)

/** What a bill line asks for: how a fee item's amount is arrived at. */
export const BillLineRequest = t.union(
  [
    t.type({
      item: t.literal('service-fee'),
      ratePerM2MonthFen: Fen,
      floorAreaCm2: AreaCm2,
      months: MonthsBilled,
    }),
    t.type({ item: t.literal('shared-cost'), sharedCostId: Id, amountFen: Fen }),
    t.type({ item: t.literal('special-repair'), description: ShortText, amountFen: Fen }),
  ],
  'BillLineRequest',
)
export type BillLineRequest = t.TypeOf<typeof BillLineRequest>

export const FeeItem = t.keyof(
  { 'service-fee': null, 'shared-cost': null, 'special-repair': null },
  'FeeItem',
)
export type FeeItem = t.TypeOf<typeof FeeItem>

/** A billed line: the fee item, what it is for, and its amount. */
export const BillLine = t.readonly(
  t.type({ item: FeeItem, description: ShortText, amountFen: Fen }),
  'BillLine',
)
export type BillLine = t.TypeOf<typeof BillLine>

export const IssueBill = command(
  'IssueBill',
  t.type({
    unitId: Id,
    billId: Id,
    period: Month,
    dueDate: IsoDate,
    lines: boundedArray(BillLineRequest, 50, 'BillLineRequests'),
  }),
)
export const RecordPayment = command('RecordPayment', t.type({ unitId: Id, paymentId: Id, amountFen: Fen }))
export const WaiveCharge = command(
  'WaiveCharge',
  t.type({ unitId: Id, billId: Id, amountFen: Fen, reason: FreeText }),
)
export const AdjustBill = command(
  'AdjustBill',
  t.type({ unitId: Id, billId: Id, amountFen: SignedFen, reason: FreeText }),
)

export const FeeAccountCommand = t.union([IssueBill, RecordPayment, WaiveCharge, AdjustBill])
export type FeeAccountCommand = t.TypeOf<typeof FeeAccountCommand>

export const BillIssued = event(
  'BillIssued',
  t.type({
    unitId: Id,
    billId: Id,
    period: Month,
    dueDate: IsoDate,
    lines: boundedArray(BillLine, 50, 'BillLines'),
    totalFen: Fen,
    at: IsoDateTime,
  }),
)
export const PaymentRecorded = event(
  'PaymentRecorded',
  t.type({ unitId: Id, paymentId: Id, amountFen: Fen, at: IsoDateTime }),
)
export const ChargeWaived = event(
  'ChargeWaived',
  t.type({ unitId: Id, billId: Id, amountFen: Fen, reason: FreeText, at: IsoDateTime }),
)
export const BillAdjusted = event(
  'BillAdjusted',
  t.type({ unitId: Id, billId: Id, amountFen: SignedFen, reason: FreeText, at: IsoDateTime }),
)

export const FeeAccountEvent = t.union([BillIssued, PaymentRecorded, ChargeWaived, BillAdjusted])
export type FeeAccountEvent = t.TypeOf<typeof FeeAccountEvent>

export interface BillState {
  readonly billId: string
  readonly period: string
  readonly dueDate: string
  readonly totalFen: number
  /** What is still owed on the bill after payments, waivers and adjustments. */
  readonly outstandingFen: number
}

/**
 * The payments recorded, newest first, as a persistent list: recording one more shares the rest, so
 * replaying a long account stays linear.
 */
export interface PaymentLog {
  readonly paymentId: string
  readonly previous: PaymentLog | null
}

export interface FeeAccountState {
  readonly unitId: string | null
  /** Bills in settlement order: oldest due date first, then bill id. */
  readonly bills: readonly BillState[]
  /** Money paid or adjusted in that no bill owes: it settles bills issued later. */
  readonly creditFen: number
  readonly payments: PaymentLog | null
}

/** Whether a payment id was already recorded on the account. */
export const paymentRecorded = (state: FeeAccountState, paymentId: string): boolean => {
  for (let log = state.payments; log !== null; log = log.previous)
    if (log.paymentId === paymentId) return true
  return false
}

/** What the account owes now: positive is owed, negative is credit. */
export const balanceOf = (state: FeeAccountState): number =>
  state.bills.reduce((sum, bill) => sum + bill.outstandingFen, 0) - state.creditFen

export interface Arrear {
  readonly billId: string
  readonly outstandingFen: number
  readonly dueDate: string
  /** Whole days past the due date as of the given date. */
  readonly ageDays: number
}

/** Bills with money owed after their due date, oldest first, as of a local date (`YYYY-MM-DD`). */
export const arrearsOf = (state: FeeAccountState, asOfDate: string): Arrear[] =>
  state.bills
    .filter((bill) => bill.outstandingFen > 0 && bill.dueDate < asOfDate)
    .map((bill) => ({
      billId: bill.billId,
      outstandingFen: bill.outstandingFen,
      dueDate: bill.dueDate,
      ageDays: Math.round((Date.parse(asOfDate) - Date.parse(bill.dueDate)) / 86_400_000),
    }))

/** The amount and description of one requested bill line. */
export const priceLine = (line: BillLineRequest): BillLine => {
  switch (line.item) {
    case 'service-fee':
      return {
        item: line.item,
        description: `service fee ${line.months} month(s) at ${line.ratePerM2MonthFen} fen/m² over ${line.floorAreaCm2} cm²`,
        amountFen: serviceFee(line.ratePerM2MonthFen, line.floorAreaCm2, line.months),
      }
    case 'shared-cost':
      return {
        item: line.item,
        description: `share of shared cost ${line.sharedCostId}`,
        amountFen: line.amountFen,
      }
    case 'special-repair':
      return { item: line.item, description: line.description, amountFen: line.amountFen }
  }
}

const bySettlementOrder = (a: BillState, b: BillState): number =>
  a.dueDate < b.dueDate
    ? -1
    : a.dueDate > b.dueDate
      ? 1
      : a.billId < b.billId
        ? -1
        : a.billId > b.billId
          ? 1
          : 0

/** Uses credit to settle bills, oldest first. */
const settle = (
  bills: readonly BillState[],
  creditFen: number,
): Pick<FeeAccountState, 'bills' | 'creditFen'> => {
  let credit = creditFen
  const settled = bills.map((bill) => {
    const paid = Math.min(credit, Math.max(bill.outstandingFen, 0))
    credit -= paid
    return paid === 0 ? bill : { ...bill, outstandingFen: bill.outstandingFen - paid }
  })
  return { bills: settled, creditFen: credit }
}

/** Whether an account's amounts all stay within the bounds: what any bill owes, and the credit held. */
const withinBounds = (state: FeeAccountState): boolean =>
  Math.abs(state.creditFen) <= limits.maxAccountFen &&
  state.bills.reduce((sum, bill) => sum + bill.outstandingFen, 0) <= limits.maxAccountFen

/** The fee-account decider under the given policies (the staff adjustment limit). */
export const feeAccountDecider = (
  policies: Pick<Policies, 'staffAdjustmentLimitFen'> = defaultPolicies,
): Decider<FeeAccountCommand, FeeAccountEvent, FeeAccountState & TimeOrdered> => {
  const decideCommand = decideByCommand<FeeAccountCommand, FeeAccountEvent, FeeAccountState>({
    IssueBill: (command, state, context) => {
      const at = command.meta.occurredAt
      const { unitId } = command.data
      const denied = authorize(command, { community: context?.unitCommunity })
      if (denied) return E.left(denied)
      if (state.bills.some((bill) => bill.billId === command.data.billId))
        return E.left(ruleViolated(command.type, 'bill-once', `bill ${command.data.billId} already issued`))
      if (command.data.lines.length === 0)
        return E.left(ruleViolated(command.type, 'lines', 'a bill has at least one line'))
      const lines = command.data.lines.map(priceLine)
      const totalFen = lines.reduce((sum, line) => sum + line.amountFen, 0)
      if (lines.some((line) => line.amountFen > limits.maxFen) || totalFen > limits.maxFen)
        return E.left(
          ruleViolated(command.type, 'amount-bound', `a line or a bill is at most ${limits.maxFen} fen`),
        )
      const { billId, period, dueDate } = command.data
      return E.right([{ type: 'BillIssued', data: { unitId, billId, period, dueDate, lines, totalFen, at } }])
    },
    RecordPayment: (command, state, context) => {
      const at = command.meta.occurredAt
      const { unitId } = command.data
      const denied = authorize(command, { unitId, context, community: context?.unitCommunity })
      if (denied) return E.left(denied)
      if (command.data.amountFen === 0)
        return E.left(ruleViolated(command.type, 'positive', 'a payment pays something'))
      if (paymentRecorded(state, command.data.paymentId))
        return E.left(
          ruleViolated(command.type, 'payment-once', `payment ${command.data.paymentId} already recorded`),
        )
      return E.right([{ type: 'PaymentRecorded', data: { ...command.data, at } }])
    },
    WaiveCharge: (command, state, context) => {
      const at = command.meta.occurredAt
      const denied = authorize(command, { community: context?.unitCommunity })
      if (denied) return E.left(denied)
      const bill = state.bills.find((b) => b.billId === command.data.billId)
      if (bill === undefined)
        return E.left(wrongState(command.type, 'no-bill', `no bill ${command.data.billId}`))
      if (command.data.amountFen === 0 || command.data.amountFen > bill.outstandingFen)
        return E.left(
          ruleViolated(
            command.type,
            'waive-owed',
            `a waiver is more than 0 and at most the ${bill.outstandingFen} owed`,
          ),
        )
      return E.right([{ type: 'ChargeWaived', data: { ...command.data, at } }])
    },
    AdjustBill: (command, state, context) => {
      const at = command.meta.occurredAt
      const denied = authorize(command, { community: context?.unitCommunity })
      if (denied) return E.left(denied)
      const role = roleIn(command.meta.actor, context?.unitCommunity) ?? command.meta.actor.role
      if (
        grantOf(command.type, role) === 'within-limit' &&
        -command.data.amountFen > policies.staffAdjustmentLimitFen
      )
        return E.left(
          notAllowed(
            command.type,
            role,
            `a ${role} may adjust a bill down by at most ${policies.staffAdjustmentLimitFen} fen; more needs a manager`,
          ),
        )
      if (!state.bills.some((b) => b.billId === command.data.billId))
        return E.left(wrongState(command.type, 'no-bill', `no bill ${command.data.billId}`))
      if (command.data.amountFen === 0)
        return E.left(ruleViolated(command.type, 'non-zero', 'adjust by something'))
      return E.right([{ type: 'BillAdjusted', data: { ...command.data, at } }])
    },
  })
  const decider: Decider<FeeAccountCommand, FeeAccountEvent, FeeAccountState> = {
    initialState: { unitId: null, bills: [], creditFen: 0, payments: null },
    // An account is its unit's, in the unit's community: an unregistered unit has none.
    decide: (command, state, context) => {
      const community = communityOfUnit(command, command.data.unitId, context)
      return E.isLeft(community) ? community : decideCommand(command, state, context)
    },
    evolve: (state, event) => {
      const unitId = state.unitId ?? event.data.unitId
      switch (event.type) {
        case 'BillIssued': {
          const { billId, period, dueDate, totalFen } = event.data
          const bills = [...state.bills, { billId, period, dueDate, totalFen, outstandingFen: totalFen }]
          return { ...state, unitId, ...settle(bills.sort(bySettlementOrder), state.creditFen) }
        }
        case 'PaymentRecorded':
          return {
            ...state,
            unitId,
            payments: { paymentId: event.data.paymentId, previous: state.payments },
            ...settle(state.bills, state.creditFen + event.data.amountFen),
          }
        case 'ChargeWaived':
        case 'BillAdjusted': {
          // A waiver lowers what the bill owes; an adjustment raises or lowers it. Owed below zero is credit.
          const change = event.type === 'ChargeWaived' ? -event.data.amountFen : event.data.amountFen
          let freed = 0
          const bills = state.bills.map((bill) => {
            if (bill.billId !== event.data.billId) return bill
            const outstandingFen = bill.outstandingFen + change
            freed = Math.max(0, -outstandingFen)
            return { ...bill, outstandingFen: Math.max(0, outstandingFen) }
          })
          return { ...state, unitId, ...settle(bills, state.creditFen + freed) }
        }
      }
    },
  }
  // Every decision is checked against the bounds by evolving it: the account stays exact and storable.
  return timeOrdered({
    ...decider,
    decide: (command, state, context) => {
      const decision = decider.decide(command, state, context)
      if (E.isLeft(decision)) return decision
      const after = decision.right.reduce(decider.evolve, state as FeeAccountState)
      return withinBounds(after)
        ? decision
        : E.left(
            ruleViolated(
              command.type,
              'amount-bound',
              `the account would owe or hold more than ${limits.maxAccountFen} fen`,
            ),
          )
    },
  })
}
