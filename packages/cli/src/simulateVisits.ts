/**
 * The simulation's home visits (上门拜访, 策略六) at each owner's cadence by grade; one in six slips by
 * weeks, so some owners are overdue. A random of its own, so that adding visits left the rest of the
 * story as it was.
 */
import { nextVisitDue } from '@property-services/domain'
import { cliPolicies } from './policies.js'
import { seededRandom } from './random.js'
import type { SimulatedUnit } from './simulateFees.js'
import type { Send } from './simulateMeetings.js'

const DAY = 86_400_000

export const simulateVisits = async (
  send: Send,
  options: {
    readonly seed: number
    readonly start: number
    readonly endsAt: number
    readonly units: readonly SimulatedUnit[]
  },
): Promise<void> => {
  const { start, endsAt, units } = options
  const visits = seededRandom(options.seed)
  for (const unit of units) {
    let since = start
    for (;;) {
      const planned = Date.parse(nextVisitDue(new Date(since).toISOString(), unit.grade, cliPolicies))
      const at = visits.chance(1 / 6) ? planned + visits.int(20, 50) * DAY : planned + visits.int(-3, 3) * DAY
      if (at > endsAt) break
      const needs = [
        visits.pick(['lift noise at night', 'parking at the gate', 'none raised', 'corridor lights']),
      ]
      await send('RecordOwnerVisit', { ownerId: unit.ownerId, needs }, Math.max(at, start + 2 * DAY))
      since = Math.max(at, start + 2 * DAY)
    }
  }
}
