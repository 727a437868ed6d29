/**
 * Corrective actions: a complaint about the same thing on the same unit reopens a completed action,
 * once, through the corrective-action watch (a process manager), also across a crash and a restart; the
 * read model answers what stood open, overdue, due for review or ineffective on a date.
 */
import type { Actor } from '@property-services/domain'
import {
  type CommandHandler,
  commandHandler,
  inMemoryEventStore,
  serde,
} from '@property-services/infrastructure'
import {
  correctiveActionQueries,
  correctiveActions,
  correctiveActionWatch,
  manualScheduler,
  projectionRunner,
} from '@property-services/projections'
import { describe, expect, it } from 'vitest'
import { storeTargets } from './support.js'

const DAY = 86_400_000
const start = Date.parse('2026-03-02T01:00:00.000Z')
const staff: Actor = { id: 'staff-1', role: 'staff' }
const manager: Actor = { id: 'manager-1', role: 'manager' }

class Crash extends Error {}

describe.each(storeTargets)('corrective actions on %s', (_name, make) => {
  it('are reopened once by a repeat on the same unit and subject, across a crash, and stand as of a date', async () => {
    const target = await make()
    try {
      const scheduler = manualScheduler(new Date(start))
      const events = inMemoryEventStore()
      const handler = commandHandler({ store: events, clock: () => scheduler.now() })
      let n = 0
      const at = async (day: number, type: string, data: object, actor: Actor = staff) => {
        scheduler.advanceTo(new Date(start + day * DAY))
        const result = await handler.handle({ type, commandId: `c${++n}`, data }, { actor })
        expect(result._tag === 'Left' ? result.left.message : 'ok').toBe('ok')
      }
      const complaint = (complaintId: string, unitId: string, subject: string) => ({
        complaintId,
        ownerId: 'o1',
        unitId,
        category: 'facilities',
        subject,
        channel: 'letter',
        description: 'again',
      })
      // A crash right after the first reopening was appended: the watch restarts and must not repeat it.
      let calls = 0
      const crashing: Pick<CommandHandler, 'handle'> = {
        handle: async (request, principal) => {
          const result = await handler.handle(request, principal)
          if (++calls === 1) throw new Crash('after the first command')
          return result
        },
      }
      let watch = correctiveActionWatch({
        events,
        readModels: target.store,
        handler: crashing,
        scheduler,
        owner: 'w',
      })
      const runWatch = async () => {
        try {
          await watch.runOnce()
        } catch (error) {
          if (!(error instanceof Crash)) throw error
          watch = correctiveActionWatch({ events, readModels: target.store, handler, scheduler, owner: 'w' })
          await watch.runOnce()
        }
      }

      for (const unitId of ['u1', 'u2'])
        await at(0, 'RegisterUnit', {
          unitId,
          communityId: 'default',
          building: '1',
          number: unitId,
          floorAreaCm2: 800_000,
        })
      await at(0, 'FileComplaint', complaint('k1', 'u1', 'lift-stoppage'))
      await at(1, 'OpenCorrectiveAction', {
        actionId: 'a1',
        complaintId: 'k1',
        unitId: 'u1',
        category: 'facilities',
        subject: 'lift-stoppage',
        rootCause: 'worn door sensor',
        action: 'replace the sensors',
        department: 'engineering',
        dueBy: new Date(start + 10 * DAY).toISOString(),
        reviewAfterDays: 30,
      })
      // While the action is open, a new complaint is more of the same: nothing to reopen.
      await at(2, 'FileComplaint', complaint('k2', 'u1', 'lift-stoppage'))
      await runWatch()
      await at(5, 'CompleteCorrectiveAction', { actionId: 'a1', outcome: 'replaced' })
      // Another subject, another unit: not this action's problem.
      await at(6, 'FileComplaint', complaint('k3', 'u1', 'water-supply-fault'))
      await at(6, 'FileComplaint', complaint('k4', 'u2', 'lift-stoppage'))
      await runWatch()
      // The problem came back.
      await at(8, 'FileComplaint', complaint('k5', 'u1', 'lift-stoppage'))
      await runWatch()
      await runWatch()
      await at(12, 'CompleteCorrectiveAction', { actionId: 'a1', outcome: 'rewired' })
      await runWatch()

      const codec = serde()
      const reopenings = (await events.readAll({ maxCount: 1000 })).events
        .map((s) => codec.decode(s).event)
        .filter((e) => e.type === 'CorrectiveActionReopened')
        .map((e) => (e.type === 'CorrectiveActionReopened' ? e.data.complaintId : null))
      expect(reopenings).toEqual(['k5'])

      await at(
        50,
        'ReviewCorrectiveAction',
        { actionId: 'a1', effective: false, note: 'stopped again' },
        manager,
      )
      await projectionRunner({ events, readModels: target.store, projection: correctiveActions() }).catchUp()
      const q = correctiveActionQueries(target.store)
      const standing = async (day: number) =>
        (await q.standing(new Date(start + day * DAY).toISOString())).map((a) => [
          a.status,
          a.overdue,
          a.reviewDue,
          a.reopenings,
        ])
      expect(await standing(0.5)).toEqual([])
      expect(await standing(3)).toEqual([['open', false, false, 0]])
      expect(await standing(6)).toEqual([['completed', false, false, 0]])
      // Reopened on day 8 with 14 days to go; completed again on day 12, reviewed from day 42.
      expect(await standing(9)).toEqual([['open', false, false, 1]])
      expect(await standing(45)).toEqual([['completed', false, true, 1]])
      expect(await standing(51)).toEqual([['ineffective', false, false, 1]])
      expect(await q.summary(new Date(start + 45 * DAY).toISOString())).toMatchObject({
        completed: 1,
        reviewDue: 1,
        reopened: 1,
      })
    } finally {
      await target.cleanup()
    }
  }, 60_000)
})
