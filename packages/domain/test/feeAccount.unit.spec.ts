import {
  arrearsOf,
  balanceOf,
  type FeeAccountCommand,
  type FeeAccountEvent,
  feeAccountDecider as feeAccountDeciderWith,
  limits,
  replay,
  sharedCostDecider,
} from '@property-services/domain'
import { specification } from '@property-services/domain/testing'
import { describe, expect, it } from 'vitest'
import { manager, meta, owner, staff, stranger } from './support.js'

const feeAccountDecider = feeAccountDeciderWith()
const spec = specification(feeAccountDecider, { context: { unitCommunity: 'community-1' } })
const unitId = 'unit-1'
const at = '2026-03-02T01:00:00.000Z'
const ownsUnit = { unitOwner: 'owner-1', unitCommunity: 'community-1' }

type Data<T extends FeeAccountCommand['type']> = Omit<
  Extract<FeeAccountCommand, { type: T }>['data'],
  'unitId'
>
const cmd = <T extends FeeAccountCommand['type']>(type: T, data: Data<T>, actor = staff) =>
  ({ type, meta: meta(actor, at), data: { unitId, ...data } }) as unknown as FeeAccountCommand

const bill = (billId: string, dueDate: string, totalFen: number): FeeAccountEvent => ({
  type: 'BillIssued',
  data: {
    unitId,
    billId,
    period: dueDate.slice(0, 7),
    dueDate,
    lines: [{ item: 'special-repair', description: 'lock', amountFen: totalFen }],
    totalFen,
    at,
  },
})
const paid = (paymentId: string, amountFen: number): FeeAccountEvent => ({
  type: 'PaymentRecorded',
  data: { unitId, paymentId, amountFen, at },
})

describe('bills', () => {
  it('prices the regular service fee from rate, area and months', () => {
    const { outcome } = spec.given([]).when(
      cmd('IssueBill', {
        billId: 'b1',
        period: '2026-03',
        dueDate: '2026-03-31',
        lines: [
          { item: 'service-fee', ratePerM2MonthFen: 250, floorAreaCm2: 893_700, months: 3 },
          { item: 'shared-cost', sharedCostId: 'lift-power-2026-02', amountFen: 1_234 },
        ],
      }),
    )
    expect(outcome).toMatchObject({ right: [{ data: { totalFen: 67_028 + 1_234 } }] })
  })

  it('are issued by staff, once, with at least one line', () => {
    const issue = cmd('IssueBill', { billId: 'b1', period: '2026-03', dueDate: '2026-03-31', lines: [] })
    spec.given([]).when(issue).thenFails({ _tag: 'RuleViolated', rule: 'lines' })
    const byOwner = cmd(
      'IssueBill',
      {
        billId: 'b2',
        period: '2026-03',
        dueDate: '2026-03-31',
        lines: [{ item: 'special-repair', description: 'x', amountFen: 1 }],
      },
      owner,
    )
    spec.given([]).when(byOwner, ownsUnit).thenFails('NotAllowed')
    spec
      .given([bill('b1', '2026-03-31', 100)])
      .when({
        ...issue,
        data: { ...issue.data, lines: [{ item: 'special-repair', description: 'x', amountFen: 1 }] },
      } as FeeAccountCommand)
      .thenFails({ rule: 'bill-once' })
  })
})

describe('payments', () => {
  it('settle the oldest bill first and keep any overpayment as credit', () => {
    const state = replay(feeAccountDecider, [
      bill('b2', '2026-04-30', 300),
      bill('b1', '2026-03-31', 500),
      paid('p1', 1_000),
    ])
    expect(state.bills.map((b) => [b.billId, b.outstandingFen])).toEqual([
      ['b1', 0],
      ['b2', 0],
    ])
    expect(state.creditFen).toBe(200)
    expect(balanceOf(state)).toBe(-200)
    const next = replay(feeAccountDecider, [
      ...[bill('b2', '2026-04-30', 300), bill('b1', '2026-03-31', 500), paid('p1', 1_000)],
      bill('b3', '2026-05-31', 450),
    ])
    expect(next.bills.find((b) => b.billId === 'b3')?.outstandingFen).toBe(250)
    expect(next.creditFen).toBe(0)
  })

  it('come from the unit owner or staff, once per payment id', () => {
    const pay = cmd('RecordPayment', { paymentId: 'p1', amountFen: 100 }, owner)
    expect(spec.given([]).when(pay, ownsUnit).outcome._tag).toBe('Right')
    spec
      .given([])
      .when(cmd('RecordPayment', { paymentId: 'p1', amountFen: 100 }, stranger), ownsUnit)
      .thenFails('NotAllowed')
    spec
      .given([paid('p1', 100)])
      .when(pay, ownsUnit)
      .thenFails({ rule: 'payment-once' })
    spec
      .given([])
      .when(cmd('RecordPayment', { paymentId: 'p2', amountFen: 0 }))
      .thenFails({ rule: 'positive' })
  })
})

describe('waivers and adjustments', () => {
  const history = [bill('b1', '2026-03-31', 500), paid('p1', 200)]

  it('are waived by a manager only, up to what the bill still owes', () => {
    const waive = (amountFen: number, actor = manager) =>
      cmd('WaiveCharge', { billId: 'b1', amountFen, reason: 'hardship' }, actor)
    spec.given(history).when(waive(100, staff)).thenFails('NotAllowed')
    spec.given(history).when(waive(301)).thenFails({ rule: 'waive-owed' })
    spec
      .given(history)
      .when(waive(300))
      .then([
        { type: 'ChargeWaived', data: { unitId, billId: 'b1', amountFen: 300, reason: 'hardship', at } },
      ])
    spec
      .given(history)
      .when(cmd('WaiveCharge', { billId: 'nope', amountFen: 1, reason: 'r' }, manager))
      .thenFails('WrongState')
  })

  it('turn an adjustment below what is owed into credit', () => {
    const adjusted: FeeAccountEvent = {
      type: 'BillAdjusted',
      data: { unitId, billId: 'b1', amountFen: -450, reason: 'meter misread', at },
    }
    const state = replay(feeAccountDecider, [...history, adjusted])
    expect(state.bills[0]?.outstandingFen).toBe(0)
    expect(state.creditFen).toBe(150)
    expect(balanceOf(state)).toBe(500 - 200 - 450)
  })

  it('let staff adjust down only within the policy limit: more is a waiver and needs a manager', () => {
    const big = [bill('b1', '2026-03-31', 80_000)]
    const adjust = (amountFen: number, actor = staff) =>
      cmd('AdjustBill', { billId: 'b1', amountFen, reason: 'goodwill' }, actor)
    const spec50000 = spec.given(big).when(adjust(-50_000)).thenFails('NotAllowed')
    expect(spec50000.message).toMatch(/at most 10000 fen; more needs a manager/)
    expect(spec.given(big).when(adjust(-10_000)).outcome._tag).toBe('Right')
    expect(spec.given(big).when(adjust(50_000)).outcome._tag).toBe('Right')
    expect(spec.given(big).when(adjust(-50_000, manager)).outcome._tag).toBe('Right')
    const lenient = specification(feeAccountDeciderWith({ staffAdjustmentLimitFen: 60_000 }), {
      context: { unitCommunity: 'community-1' },
    })
    expect(lenient.given(big).when(adjust(-50_000)).outcome._tag).toBe('Right')
  })

  it('keep a bill and the account within the bounds of exact money', () => {
    const lines = Array.from({ length: 2 }, () => ({
      item: 'special-repair' as const,
      description: 'x',
      amountFen: limits.maxFen,
    }))
    spec
      .given([])
      .when(cmd('IssueBill', { billId: 'b9', period: '2026-03', dueDate: '2026-03-31', lines }))
      .thenFails({ rule: 'amount-bound' })
    const rate = {
      item: 'service-fee' as const,
      ratePerM2MonthFen: limits.maxFen,
      floorAreaCm2: limits.maxAreaCm2,
      months: 12,
    }
    spec
      .given([])
      .when(cmd('IssueBill', { billId: 'b9', period: '2026-03', dueDate: '2026-03-31', lines: [rate] }))
      .thenFails({ rule: 'amount-bound' })
    // An account may owe, or hold in credit, at most limits.maxAccountFen: far below 2^53, however many bills.
    const full = Array.from({ length: limits.maxAccountFen / limits.maxFen }, (_, i) =>
      bill(`f${i}`, '2026-03-31', limits.maxFen),
    )
    const one = [{ item: 'special-repair' as const, description: 'x', amountFen: 1 }]
    spec
      .given(full)
      .when(cmd('IssueBill', { billId: 'b9', period: '2026-03', dueDate: '2026-03-31', lines: one }))
      .thenFails({ rule: 'amount-bound' })
    const credit = Array.from({ length: limits.maxAccountFen / limits.maxFen }, (_, i) =>
      paid(`p${i}`, limits.maxFen),
    )
    spec
      .given(credit)
      .when(cmd('RecordPayment', { paymentId: 'p-more', amountFen: 1 }))
      .thenFails({ rule: 'amount-bound' })
  })

  it('require a reason and a non-zero amount', () => {
    spec
      .given(history)
      .when(cmd('AdjustBill', { billId: 'b1', amountFen: 0, reason: 'r' }))
      .thenFails({ rule: 'non-zero' })
  })
})

describe('arrears', () => {
  it('are the unpaid parts of bills past their due date, with their age in days', () => {
    const state = replay(feeAccountDecider, [
      bill('b1', '2026-01-31', 500),
      bill('b2', '2026-02-28', 300),
      bill('b3', '2026-03-31', 100),
      paid('p1', 600),
    ])
    expect(arrearsOf(state, '2026-03-10')).toEqual([
      { billId: 'b2', outstandingFen: 200, dueDate: '2026-02-28', ageDays: 10 },
    ])
    expect(arrearsOf(state, '2026-02-28')).toEqual([])
  })
})

describe('shared costs', () => {
  it('are apportioned over distinct units by floor area', () => {
    const apportionSpec = specification(sharedCostDecider)
    const command = {
      type: 'ApportionSharedCost' as const,
      meta: meta(staff, at),
      data: {
        sharedCostId: 'lift-power-2026-02',
        kind: 'electricity' as const,
        description: 'lift power, February',
        totalFen: 10_000,
        communityId: 'community-1',
        units: [
          { unitId: 'u1', floorAreaCm2: 1_000_000 },
          { unitId: 'u2', floorAreaCm2: 2_000_000 },
        ],
      },
    }
    expect(apportionSpec.given([]).when(command).outcome).toMatchObject({
      right: [
        {
          data: {
            shares: [
              { unitId: 'u1', amountFen: 3_333 },
              { unitId: 'u2', amountFen: 6_667 },
            ],
          },
        },
      ],
    })
    apportionSpec
      .given([])
      .when({
        ...command,
        data: { ...command.data, units: [command.data.units[0]!, command.data.units[0]!] },
      })
      .thenFails({ rule: 'distinct-units' })
  })
})
