/**
 * The simulation's fees: each month a bill per unit with the service fee and a share of the lifts'
 * electricity, apportioned by floor area; most owners pay, some part, some not (arrears).
 */
import type { OwnerGrade } from '@property-services/domain'
import type { Random } from './random.js'
import type { Send } from './simulateMeetings.js'

const DAY = 86_400_000

/** A unit of the simulated community, with its owner, floor area and the owner's grade. */
export interface SimulatedUnit {
  readonly unitId: string
  readonly ownerId: string
  readonly area: number
  readonly grade: OwnerGrade
}

export const simulateFees = async (
  send: Send,
  random: Random,
  options: {
    readonly communityId: string
    readonly start: number
    readonly months: number
    readonly units: readonly SimulatedUnit[]
    /** The chance that a bill is not paid at all; default 0.1. */
    readonly arrears?: number
  },
): Promise<void> => {
  const { start, units, communityId } = options
  for (let month = 0; month < options.months; month++) {
    const at = start + month * 30 * DAY
    const period = new Date(at).toISOString().slice(0, 7)
    const sharedCostId = `${communityId}-lift-power-${period}`
    await send(
      'ApportionSharedCost',
      {
        sharedCostId,
        communityId,
        kind: 'electricity',
        description: `lift electricity ${period}`,
        totalFen: random.int(150_000, 250_000),
        units: units.map((u) => ({ unitId: u.unitId, floorAreaCm2: u.area })),
      },
      at,
    )
    for (const unit of units) {
      const billId = `bill-${unit.unitId}-${period}`
      const share = Math.round((200_000 * unit.area) / units.reduce((s, u) => s + u.area, 0))
      await send(
        'IssueBill',
        {
          unitId: unit.unitId,
          billId,
          period,
          dueDate: new Date(at + 20 * DAY).toISOString().slice(0, 10),
          lines: [
            { item: 'service-fee', ratePerM2MonthFen: 250, floorAreaCm2: unit.area, months: 1 },
            { item: 'shared-cost', sharedCostId, amountFen: share },
          ],
        },
        at,
      )
      if (!random.chance(options.arrears ?? 0.1)) {
        const amount = random.chance(0.1) ? random.int(5_000, 15_000) : 30_000 + share
        await send(
          'RecordPayment',
          { unitId: unit.unitId, paymentId: `pay-${billId}`, amountFen: amount },
          at + random.int(1, 25) * DAY,
          { id: unit.ownerId, role: 'owner' },
        )
      }
    }
  }
}
