/**
 * The deadline watch (a process manager) warns and escalates exactly once per deadline, whatever the
 * moment it crashes and restarts, and wakes at the due times its scheduler is asked for.
 */
import { type Actor, defaultPolicies } from '@property-services/domain'
import {
  type CommandHandler,
  commandHandler,
  type EventStore,
  inMemoryEventStore,
  serde,
} from '@property-services/infrastructure'
import {
  deadlineWatch,
  inMemoryReadModelStore,
  type ManualScheduler,
  manualScheduler,
  type ReadModelStore,
  RunnerBusyError,
} from '@property-services/projections'
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { storeTargets } from './support.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const start = Date.parse('2026-03-02T01:00:00.000Z') // Monday 09:00 in Beijing
const staff: Actor = { id: 'staff-1', role: 'staff' }

/** How a complaint goes, and what the watch must do about it. */
type Plan =
  | 'emergency left undispatched' // one dispatch escalation
  | 'emergency dispatched at once' // nothing
  | 'department late' // one department escalation
  | 'department in time' // nothing
  | 'verbal left unanswered' // one warning
  | 'verbal answered at once' // nothing
const plans: readonly Plan[] = [
  'emergency left undispatched',
  'emergency dispatched at once',
  'department late',
  'department in time',
  'verbal left unanswered',
  'verbal answered at once',
]

interface Step {
  readonly at: number
  readonly type: string
  readonly data: object
  readonly actor: Actor
}

/** The commands of one complaint, at their times. */
const stepsOf = (complaintId: string, plan: Plan, filedAt: number, dueHours: number): Step[] => {
  const ownerId = `owner-${complaintId}`
  const emergency = plan.startsWith('emergency')
  const verbal = plan.startsWith('verbal')
  const steps: Step[] = [
    {
      at: filedAt,
      type: 'RegisterUnit',
      data: {
        unitId: `unit-${complaintId}`,
        communityId: 'default',
        building: '1',
        number: complaintId,
        floorAreaCm2: 800_000,
      },
      actor: staff,
    },
    {
      at: filedAt,
      type: 'FileComplaint',
      data: {
        complaintId,
        ownerId,
        unitId: `unit-${complaintId}`,
        category: emergency ? 'emergency' : 'facilities',
        subject: emergency ? 'flooding' : 'lift-stoppage',
        channel: verbal ? 'phone' : 'letter',
        description: 'see for yourself',
      },
      // Staff record a complaint taken at the desk: no unit ownership needed.
      actor: staff,
    },
  ]
  const then = (minutes: number, type: string, data: object) =>
    steps.push({ at: filedAt + minutes * MINUTE, type, data: { complaintId, ...data }, actor: staff })
  if (plan === 'emergency left undispatched' || plan === 'verbal left unanswered') return steps
  then(2, 'AcknowledgeComplaint', { gesture: 'apology', note: 'heard' })
  if (plan === 'verbal answered at once') {
    then(3, 'RejectComplaint', { reason: 'not ours' })
    return steps
  }
  if (!emergency) then(3, 'ProposeResolution', { proposal: 'a fitter', partial: false })
  then(4, 'DispatchComplaint', {
    department: 'engineering',
    dueBy: new Date(filedAt + dueHours * HOUR).toISOString(),
  })
  if (plan === 'department late') return steps
  if (emergency) then(5, 'ProposeResolution', { proposal: 'pumps on the way', partial: false })
  then(dueHours * 30, 'ResolveComplaint', { cause: 'worn seal' })
  return steps
}

const scenarioArbitrary = fc.record({
  complaints: fc.array(
    fc.record({
      plan: fc.constantFrom(...plans),
      filedAfterMinutes: fc.integer({ min: 0, max: 3 * 24 * 60 }),
      dueHours: fc.integer({ min: 1, max: 48 }),
    }),
    { minLength: 1, maxLength: 8 },
  ),
  /** The watch crashes right after its n-th command was appended (none when past the last). */
  crashAfter: fc.integer({ min: 1, max: 3 }),
})
interface Scenario {
  readonly complaints: readonly { plan: Plan; filedAfterMinutes: number; dueHours: number }[]
  readonly crashAfter: number
}

class Crash extends Error {}

/** Appends as the real handler does, then dies on the n-th command: nothing after it happens. */
const crashingAfter = (handler: CommandHandler, n: number): CommandHandler => {
  let calls = 0
  return {
    handle: async (request, principal) => {
      const result = await handler.handle(request, principal)
      if (++calls === n) throw new Crash(`crashed after command ${n}`)
      return result
    },
  }
}

/** Per complaint: dispatch escalations, department escalations and warnings in the log. */
const actionsInLog = async (events: EventStore) => {
  const codec = serde()
  const counts = new Map<string, { dispatch: number; department: number; warned: number }>()
  const page = await events.readAll({ maxCount: 100_000 })
  for (const stored of page.events) {
    const { event } = codec.decode(stored)
    if (event.type !== 'ComplaintEscalated' && event.type !== 'ReplyDeadlineWarned') continue
    const c = counts.get(event.data.complaintId) ?? { dispatch: 0, department: 0, warned: 0 }
    if (event.type === 'ReplyDeadlineWarned') c.warned++
    else c[event.data.deadline]++
    counts.set(event.data.complaintId, c)
  }
  return counts
}

const expectedActions = (plan: Plan) => ({
  dispatch: plan === 'emergency left undispatched' ? 1 : 0,
  department: plan === 'department late' ? 1 : 0,
  warned: plan === 'verbal left unanswered' ? 1 : 0,
})

/**
 * Plays the scenario in order of time. Before each command, the watch runs at every due time up to it,
 * as a live watch would wake; a crash loses the watch, and a new one takes over under the same name.
 */
const play = async (scenario: Scenario, readModels: ReadModelStore, scheduler: ManualScheduler) => {
  const events = inMemoryEventStore()
  const handler = commandHandler({ store: events, clock: () => scheduler.now() })
  let crashes = 0
  let watch = deadlineWatch({
    events,
    readModels,
    handler: crashingAfter(handler, scenario.crashAfter),
    scheduler,
    owner: 'watch',
  })
  const runWatch = async () => {
    try {
      return await watch.runOnce()
    } catch (error) {
      if (!(error instanceof Crash)) throw error
      crashes++
      watch = deadlineWatch({ events, readModels, handler, scheduler, owner: 'watch' })
      return watch.runOnce()
    }
  }
  const advanceTo = async (t: number) => {
    for (;;) {
      await runWatch()
      const next = await watch.nextDueAt()
      if (next === undefined || next.getTime() > t) break
      scheduler.advanceTo(next)
    }
    scheduler.advanceTo(new Date(t))
  }
  const steps = scenario.complaints
    .flatMap((c, i) => stepsOf(`k${i}`, c.plan, start + c.filedAfterMinutes * MINUTE, c.dueHours))
    .sort((a, b) => a.at - b.at)
  for (const [i, step] of steps.entries()) {
    await advanceTo(step.at)
    const result = await handler.handle(
      { type: step.type, commandId: `s${i}`, data: step.data },
      { actor: step.actor },
    )
    expect(result._tag === 'Left' ? result.left.message : 'accepted').toBe('accepted')
  }
  // Long after every deadline.
  await advanceTo(start + 30 * 24 * HOUR)
  return { events, crashes }
}

describe('the deadline watch', () => {
  it('warns and escalates exactly once per deadline, across a crash and a restart at any command', async () => {
    let crashed = 0
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const scheduler = manualScheduler(new Date(start))
        const { events, crashes } = await play(scenario as Scenario, inMemoryReadModelStore(), scheduler)
        crashed += crashes
        const found = await actionsInLog(events)
        scenario.complaints.forEach((c, i) => {
          expect({
            complaint: `k${i}`,
            plan: c.plan,
            ...(found.get(`k${i}`) ?? expectedActions('department in time')),
          }).toEqual({
            complaint: `k${i}`,
            plan: c.plan,
            ...expectedActions(c.plan),
          })
        })
      }),
      { numRuns: 40 },
    )
    // The property is about restarts only if some runs crashed.
    expect(crashed).toBeGreaterThan(5)
  }, 120_000)

  /** An emergency complaint filed at `start` and never dispatched, with a manual clock at `start`. */
  const emergencyLeftUndispatched = async () => {
    const scheduler = manualScheduler(new Date(start))
    const events = inMemoryEventStore()
    const readModels = inMemoryReadModelStore()
    const handler = commandHandler({ store: events, clock: () => scheduler.now() })
    for (const [i, step] of stepsOf('k1', 'emergency left undispatched', start, 1).entries())
      await handler.handle({ type: step.type, commandId: `f${i}`, data: step.data }, { actor: staff })
    return { scheduler, events, readModels, handler }
  }

  it('running live, asks its scheduler to wake it at the next deadline and acts then', async () => {
    const { scheduler, events, readModels, handler } = await emergencyLeftUndispatched()
    const watch = deadlineWatch({ events, readModels, handler, scheduler }).start()
    const dueBy = start + defaultPolicies.emergencyDispatchMinutes * MINUTE
    const armedAt = async () => {
      for (let i = 0; i < 200 && scheduler.pending().length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 10))
      return scheduler.pending().map((d) => d.getTime())
    }
    expect(await armedAt()).toEqual([dueBy])
    scheduler.advanceTo(new Date(dueBy + MINUTE))
    let found = await actionsInLog(events)
    for (let i = 0; i < 200 && found.get('k1')?.dispatch !== 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      found = await actionsInLog(events)
    }
    expect(found.get('k1')).toEqual({ dispatch: 1, department: 0, warned: 0 })
    await watch.stop()
  })

  it('started again while it runs, refuses, and the running watch keeps the only wake-up, which stopping cancels', async () => {
    const { scheduler, events, readModels, handler } = await emergencyLeftUndispatched()
    const watching = deadlineWatch({ events, readModels, handler, scheduler })
    const watch = watching.start()
    expect(() => watching.start()).toThrow(RunnerBusyError)
    await expect(watching.runOnce()).rejects.toThrow(RunnerBusyError)
    for (let i = 0; i < 200 && scheduler.pending().length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10))
    expect(scheduler.pending()).toEqual([new Date(start + defaultPolicies.emergencyDispatchMinutes * MINUTE)])
    await watch.stop()
    expect(scheduler.pending()).toEqual([])
  })
})

describe.each(storeTargets)('the deadline watch on %s', (_name, make) => {
  it('keeps its state in the read-model store and acts once on each kind of deadline', async () => {
    const target = await make()
    try {
      const scenario: Scenario = {
        complaints: plans.map((plan, i) => ({ plan, filedAfterMinutes: i * 97, dueHours: 5 + i })),
        crashAfter: 2,
      }
      const { events, crashes } = await play(scenario, target.store, manualScheduler(new Date(start)))
      expect(crashes).toBe(1)
      const found = await actionsInLog(events)
      expect(plans.map((_plan, i) => found.get(`k${i}`) ?? expectedActions('department in time'))).toEqual(
        plans.map(expectedActions),
      )
    } finally {
      await target.cleanup()
    }
  }, 60_000)
})
