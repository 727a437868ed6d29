/** Scripts of generated histories: fee accounts (bills, payments, waivers, adjustments) and shared costs. */
import { type BillLineRequest, defaultPolicies, type FeeAccountState } from '@property-services/domain'
import { actorFor, build, cast, type Env, pickOf, plusMinutes, type Script, text } from './script.js'

const lineRequests = (env: Env): BillLineRequest[] => {
  const { pick, amount } = env.step
  const lines: BillLineRequest[] = [
    {
      item: 'service-fee',
      ratePerM2MonthFen: 150 + (pick % 300),
      floorAreaCm2: 500_000 + amount * 7,
      months: 1 + (pick % 6),
    },
  ]
  if (pick % 3 === 0)
    lines.push({ item: 'shared-cost', sharedCostId: `cost-${env.index}`, amountFen: amount % 5_000 })
  if (pick % 5 === 0)
    lines.push({ item: 'special-repair', description: text('lock', env), amountFen: 500 + (amount % 9_500) })
  return lines
}

export const feeAccountScript: Script<FeeAccountState> = {
  next: (s) => [
    'IssueBill',
    'RecordPayment',
    ...(s.bills.some((b) => b.outstandingFen > 0) ? (['WaiveCharge'] as const) : []),
    ...(s.bills.length > 0 ? (['AdjustBill'] as const) : []),
  ],
  build: (type, state, env) => {
    const { pick, amount, flag } = env.step
    const unitId = cast.unitId
    const owing = state.bills.filter((b) => b.outstandingFen > 0)
    const bill = pickOf(owing.length > 0 ? owing : state.bills.length > 0 ? state.bills : [undefined], pick)
    const billId = bill?.billId ?? `bill-${pick % 3}`
    switch (type) {
      case 'IssueBill':
        return build(
          type,
          {
            unitId,
            billId: `bill-${env.index}`,
            period: env.at.slice(0, 7),
            dueDate: plusMinutes(env.at, 30 * 24 * 60).slice(0, 10),
            lines: lineRequests(env),
          },
          actorFor(env, cast.staff),
        )
      case 'RecordPayment':
        return build(
          type,
          { unitId, paymentId: `payment-${env.index}`, amountFen: amount },
          actorFor(env, flag ? cast.owner : cast.staff),
        )
      case 'WaiveCharge':
        return build(
          type,
          {
            unitId,
            billId,
            amountFen: 1 + (amount % Math.max(1, bill?.outstandingFen ?? 1)),
            reason: text('hardship', env),
          },
          actorFor(env, cast.manager),
        )
      case 'AdjustBill':
        return build(
          type,
          { unitId, billId, amountFen: (flag ? 1 : -1) * amount, reason: text('meter misread', env) },
          // Staff adjust down a little on their own; a larger reduction takes a manager.
          actorFor(
            env,
            !flag && amount > defaultPolicies.staffAdjustmentLimitFen ? cast.manager : cast.staff,
          ),
        )
      default:
        throw new Error(`not a fee account command: ${type}`)
    }
  },
}

export const sharedCostScript: Script<{ readonly status: string }> = {
  next: (s) => (s.status === 'none' ? ['ApportionSharedCost'] : []),
  build: (_type, _state, env) =>
    build(
      'ApportionSharedCost',
      {
        sharedCostId: 'cost-1',
        communityId: cast.communityId,
        kind: pickOf(
          ['water', 'electricity', 'cleaning', 'greening', 'shared-equipment'] as const,
          env.step.pick,
        ),
        description: text('lift power', env),
        totalFen: env.step.amount,
        units: Array.from({ length: 1 + (env.step.pick % 6) }, (_, i) => ({
          unitId: `unit-${i}`,
          floorAreaCm2: 400_000 + ((env.step.amount * (i + 3)) % 900_000),
        })),
      },
      actorFor(env, cast.staff),
    ),
}
