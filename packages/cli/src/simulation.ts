/**
 * Simulates a residential community from a seed: buildings and units, owners of each grade, a service
 * catalogue and a package, a year (or more) of complaints in all four categories, service orders,
 * monthly bills with an apportioned shared cost, payments with some arrears, and half-yearly surveys.
 * Every change goes through the command handler, so the domain's rules apply. Some complaints are
 * handled badly on purpose; the simulation returns those planted deviations so audits can be checked.
 *
 * Complaints and service orders are planned first and then played in order of time, with the deadline
 * watch (a process manager on a manual scheduler) woken at each due time in between, as it would be in
 * production: it warns before verbal reply deadlines and escalates late emergencies and departments.
 */
import {
  type Actor,
  addWorkingDays,
  type ComplaintCategory,
  nextVisitDue,
  type OwnerGrade,
  subjectsByCategory,
} from '@property-services/domain'
import { commandHandler, type EventStore, type KeyStore } from '@property-services/infrastructure'
import {
  correctiveActionWatch,
  deadlineWatch,
  inMemoryReadModelStore,
  manualScheduler,
} from '@property-services/projections'
import * as E from 'fp-ts/lib/Either.js'
import { cliPolicies } from './policies.js'
import { type Random, seededRandom } from './random.js'
import { simulateMeetings } from './simulateMeetings.js'
import { simulateStaff } from './simulateStaff.js'

export interface SimulationOptions {
  readonly seed: number
  readonly months: number
  readonly buildings?: number
  readonly unitsPerBuilding?: number
  readonly onProgress?: (done: number, total: number) => void
  /** Owners' data keys: with them, personal data is stored encrypted (see `KeyStore`). */
  readonly keys?: KeyStore
}

export type DeviationStep =
  | 'acknowledged'
  | 'replied in time'
  | 'dispatched in time'
  | 'resolved by the department deadline'
  | 'outcome told'

/** A complaint the simulation handled against the procedure on purpose. */
export interface PlantedDeviation {
  readonly complaintId: string
  readonly step: DeviationStep
}

export interface SimulationResult {
  readonly commands: number
  readonly refused: number
  readonly complaints: number
  readonly planted: readonly PlantedDeviation[]
  /** What the deadline watch sent: warnings to staff and escalations to the manager. */
  readonly warnings: number
  readonly escalations: number
  /** Corrective actions opened, and how many times the corrective-action watch reopened one. */
  readonly correctiveActions: number
  readonly reopenedActions: number
  /** The simulated moment the history ends (with time after the story for the last deadlines to pass). */
  readonly endsAt: string
  /** The story's last day: the figures of a report are as of then. */
  readonly lastDayAt: string
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const start = Date.parse('2025-01-06T01:00:00.000Z') // Monday 09:00 in Beijing
const staff: Actor = { id: 'staff-1', role: 'staff' }
const manager: Actor = { id: 'manager-1', role: 'manager' }
const departments: Record<ComplaintCategory, string> = {
  facilities: 'engineering',
  'management-service': 'customer-service',
  fees: 'finance',
  emergency: 'security',
}

export const simulate = async (store: EventStore, options: SimulationOptions): Promise<SimulationResult> => {
  // The simulated days pass on the handler's clock: each command is recorded when the story says.
  let now = start
  const handler = commandHandler({
    store,
    policies: cliPolicies,
    clock: () => new Date(now),
    ...(options.keys === undefined ? {} : { keys: options.keys }),
  })
  const random: Random = seededRandom(options.seed)
  const buildings = options.buildings ?? 3
  const perBuilding = options.unitsPerBuilding ?? 8
  const endsAt = start + options.months * 30 * DAY
  const planted: PlantedDeviation[] = []
  let commands = 0
  let refused = 0
  let complaints = 0
  let n = 0

  const send = async (type: string, data: object, at: number, actor: Actor = staff) => {
    commands++
    now = at
    const result = await handler.handle({ type, commandId: `sim${options.seed}-${++n}`, data }, { actor })
    if (E.isLeft(result)) refused++
    return E.isRight(result)
  }
  // Complaints and orders: planned now, played in order of time later (see the top of the file).
  const agenda: Array<{
    at: number
    type: string
    data: object
    actor: Actor
    /** Checked when the command's time comes: the command is sent only if it says so. */
    when?: () => Promise<boolean>
  }> = []
  const plan = (
    type: string,
    data: object,
    at: number,
    actor: Actor = staff,
    when?: () => Promise<boolean>,
  ) => {
    agenda.push({ at, type, data, actor, ...(when === undefined ? {} : { when }) })
  }
  const scheduler = manualScheduler(new Date(start))
  const watched = {
    events: store,
    readModels: inMemoryReadModelStore(),
    handler: { handle: handler.handle },
    policies: cliPolicies,
    scheduler,
  }
  const watches = [deadlineWatch(watched), correctiveActionWatch(watched)]
  const sentByWatches: Record<string, number> = {}
  /** Wakes the watches at every due time up to `t`, on the handler's clock. */
  const watchUntil = async (t: number) => {
    for (;;) {
      now = scheduler.now().getTime()
      let next: number | undefined
      for (const watch of watches) {
        const round = await watch.runOnce()
        for (const [type, n] of Object.entries(round.appended))
          sentByWatches[type] = (sentByWatches[type] ?? 0) + n
        const due = (await watch.nextDueAt())?.getTime()
        if (due !== undefined && (next === undefined || due < next)) next = due
      }
      if (next === undefined || next > t) break
      scheduler.advanceTo(new Date(next))
    }
    scheduler.advanceTo(new Date(t))
  }
  const playAgenda = async () => {
    // A stable sort: one complaint's steps at the same moment keep their order.
    const ordered = agenda.map((item, i) => ({ ...item, i })).sort((a, b) => a.at - b.at || a.i - b.i)
    const weeks = Math.max(1, Math.floor((endsAt - start) / (7 * DAY)))
    let week = 0
    for (const item of ordered) {
      await watchUntil(item.at)
      if (item.when !== undefined && !(await item.when())) continue
      await send(item.type, item.data, item.at, item.actor)
      const reached = Math.min(weeks, Math.floor((item.at - start) / (7 * DAY)))
      if (reached > week) {
        week = reached
        options.onProgress?.(week, weeks)
      }
    }
    await watchUntil(endsAt + 60 * DAY)
    options.onProgress?.(weeks, weeks)
  }

  // The community.
  const units: Array<{ unitId: string; ownerId: string; area: number; grade: OwnerGrade }> = []
  for (let b = 1; b <= buildings; b++) {
    for (let u = 1; u <= perBuilding; u++) {
      const unitId = `b${b}-${String(u).padStart(2, '0')}`
      const area = random.int(600_000, 1_600_000) // 60-160 m²
      const ownerId = `owner-${unitId}`
      await send(
        'RegisterUnit',
        { unitId, building: `Building ${b}`, number: `${u}01`, floorAreaCm2: area },
        start,
      )
      await send(
        'RegisterOwner',
        {
          ownerId,
          contact: { name: `Owner ${unitId}`, phone: `1380000${String(b * 100 + u).padStart(4, '0')}` },
        },
        start,
      )
      await send('AssignUnitOwner', { unitId, ownerId }, start)
      const grade = random.pick(['key', 'general', 'general', 'potential'] as const)
      if (grade !== 'general') await send('GradeOwner', { ownerId, grade }, start + HOUR)
      units.push({ unitId, ownerId, area, grade })
    }
  }
  const catalogue = [
    { serviceId: 'cleaning', name: 'Corridor cleaning', kind: 'free', priceFen: 0, disclosedCostFen: 1_200 },
    { serviceId: 'repairs', name: 'Minor repairs', kind: 'paid', priceFen: 5_000, disclosedCostFen: 3_500 },
    { serviceId: 'windows', name: 'Window cleaning', kind: 'paid', priceFen: 8_000, disclosedCostFen: 5_000 },
  ] as const
  for (const s of catalogue)
    await send('PublishService', { ...s, qualityStandard: 'within two working days' }, start, manager)
  await send(
    'ComposeServicePackage',
    { packageId: 'comfort', name: 'Comfort', serviceIds: ['repairs', 'windows'], monthlyPriceFen: 9_900 },
    start,
    manager,
  )
  for (const unit of units) {
    if (random.chance(0.3)) {
      await send(
        'SubscribeToPackage',
        { ownerId: unit.ownerId, unitId: unit.unitId, packageId: 'comfort' },
        start + DAY,
        { id: unit.ownerId, role: 'owner' },
      )
    }
  }

  /** One complaint and its handling, good or planted-bad. */
  const complaint = (
    at: number,
    unit: (typeof units)[number],
    forced?: { category: ComplaintCategory; subject: string },
  ) => {
    const complaintId = `c${++complaints}`
    const category =
      forced?.category ??
      random.pick(['facilities', 'facilities', 'management-service', 'fees', 'emergency'] as const)
    const subject = forced?.subject ?? random.pick(subjectsByCategory[category].filter((s) => s !== 'other'))
    const channel = random.pick(['phone', 'phone', 'visit', 'letter', 'online'] as const)
    const verbal = channel === 'phone' || channel === 'visit'
    const owner: Actor = { id: unit.ownerId, role: 'owner' }
    plan(
      'FileComplaint',
      {
        complaintId,
        ownerId: unit.ownerId,
        unitId: unit.unitId,
        category,
        subject,
        channel,
        description: `${subject} at ${unit.unitId}`,
      },
      at,
      owner,
    )
    const roll = random.next()
    const emergency = category === 'emergency'
    if (roll < 0.04) {
      // Left alone: never acknowledged, a verbal one never answered, an emergency never dispatched.
      planted.push({ complaintId, step: 'acknowledged' })
      if (verbal) planted.push({ complaintId, step: 'replied in time' })
      if (emergency) planted.push({ complaintId, step: 'dispatched in time' })
      return { complaintId, category, subject, handledAt: undefined }
    }
    // An emergency is acknowledged within minutes, and dispatched within its deadline unless planted late.
    let t = at + random.int(1, 3) * (emergency ? 5 * MINUTE : HOUR)
    plan(
      'AcknowledgeComplaint',
      { complaintId, gesture: random.pick(['apology', 'sympathy'] as const), note: 'listened and recorded' },
      t,
    )
    // Emergencies are answered at once: the planted late replies are among the others.
    const late = verbal && !emergency && roll < 0.14
    if (late) planted.push({ complaintId, step: 'replied in time' })
    const rejected = roll > 0.9
    const dispatchedLate = emergency && !rejected && roll >= 0.19 && roll < 0.3
    if (dispatchedLate) planted.push({ complaintId, step: 'dispatched in time' })
    const departmentLate = !rejected && roll >= 0.3 && roll < 0.34
    if (departmentLate) planted.push({ complaintId, step: 'resolved by the department deadline' })
    const dispatch = (when: number) => {
      const dueBy = when + 3 * DAY
      plan(
        'DispatchComplaint',
        { complaintId, department: departments[category], dueBy: new Date(dueBy).toISOString() },
        when,
      )
      return dueBy
    }
    // An emergency goes to its department first (the procedure allows it), the proposal after.
    let dueBy = 0
    if (emergency && !rejected) {
      const when = dispatchedLate ? at + 2 * HOUR : t + 10 * MINUTE
      dueBy = dispatch(when)
      t = Math.max(t, when)
    }
    // Late is after the deadline the calendar gives, which a holiday (Spring Festival) can push a week.
    const replyDue = Date.parse(
      addWorkingDays(new Date(at).toISOString(), cliPolicies.verbalReplyWorkingDays, cliPolicies.calendar),
    )
    t = late ? Math.max(t + 3 * DAY + HOUR, replyDue + HOUR) : t + (emergency && rejected ? 5 * MINUTE : HOUR)
    if (rejected) {
      plan('RejectComplaint', { complaintId, reason: 'inspection found no fault' }, t)
    } else {
      plan(
        'ProposeResolution',
        { complaintId, proposal: 'we will send someone', partial: random.chance(0.2) },
        t,
      )
      if (!emergency) {
        t += HOUR
        dueBy = dispatch(t)
      }
      t = departmentLate ? dueBy + random.int(4, 48) * HOUR : t + random.int(4, 48) * HOUR
      plan('ResolveComplaint', { complaintId, cause: 'worn part replaced' }, t)
    }
    if (roll > 0.14 && roll < 0.19) {
      planted.push({ complaintId, step: 'outcome told' })
      return { complaintId, category, subject, handledAt: t }
    }
    t += 2 * HOUR
    plan(
      'NotifyComplaintOutcome',
      { complaintId, via: random.pick(['phone', 'letter'] as const), summary: 'fixed' },
      t,
    )
    t += DAY
    plan(
      'CloseComplaint',
      { complaintId, rating: roll > 0.9 ? random.int(1, 3) : random.int(3, 5) },
      t,
      owner,
    )
    if (roll > 0.8 && roll <= 0.86) {
      // Reopened a few days later, then handled properly.
      t += random.int(2, 6) * DAY
      plan('ReopenComplaint', { complaintId, reason: 'the problem came back' }, t, owner)
      t += HOUR
      plan('AcknowledgeComplaint', { complaintId, gesture: 'apology', note: 'sorry it came back' }, t)
      plan('ProposeResolution', { complaintId, proposal: 'replace the whole unit', partial: false }, t + HOUR)
      plan(
        'DispatchComplaint',
        { complaintId, department: departments[category], dueBy: new Date(t + 4 * DAY).toISOString() },
        t + 2 * HOUR,
      )
      plan('ResolveComplaint', { complaintId, cause: 'unit replaced' }, t + DAY)
      plan('NotifyComplaintOutcome', { complaintId, via: 'phone', summary: 'replaced' }, t + DAY + HOUR)
      plan('CloseComplaint', { complaintId, rating: 4 }, t + 2 * DAY, owner)
    }
    return { complaintId, category, subject, handledAt: t }
  }

  // Corrective actions (CAPA) for some handled complaints: a random of its own, so the rest of the story
  // stays as it was. A repeat on the same unit and subject reopens one (the corrective-action watch).
  const corrections = seededRandom(options.seed + 4)
  let correctiveActions = 0
  const lastEventOf = async (streamName: string) => (await store.readStream(streamName)).events.at(-1)?.type
  const correctiveAction = (
    complaintId: string,
    category: ComplaintCategory,
    subject: string,
    handledAt: number,
    unitId: string,
  ) => {
    correctiveActions++
    const actionId = `capa-${complaintId}`
    const openedAt = handledAt + DAY
    plan(
      'OpenCorrectiveAction',
      {
        actionId,
        complaintId,
        unitId,
        category,
        subject,
        rootCause: corrections.pick([
          'worn parts',
          'no maintenance plan',
          'unclear procedure',
          'staff not trained',
        ]),
        action: corrections.pick([
          'replace and add to the maintenance plan',
          'write the procedure',
          'train the team',
        ]),
        department: departments[category],
        dueBy: new Date(openedAt + 14 * DAY).toISOString(),
        reviewAfterDays: 30,
      },
      openedAt,
    )
    const completedAt = openedAt + corrections.int(5, 20) * DAY
    const stillOpen = async () =>
      (await lastEventOf(`correctiveAction-${actionId}`)) !== 'CorrectiveActionCompleted'
    plan('CompleteCorrectiveAction', { actionId, outcome: 'done' }, completedAt, staff, stillOpen)
    // Reviewed a month after, unless a repeat reopened it meanwhile.
    plan(
      'ReviewCorrectiveAction',
      { actionId, effective: corrections.chance(0.7), note: 'checked with the owner and the records' },
      completedAt + corrections.int(30, 40) * DAY,
      manager,
      async () => (await lastEventOf(`correctiveAction-${actionId}`)) === 'CorrectiveActionCompleted',
    )
  }

  const weeks = Math.floor((endsAt - start) / (7 * DAY))
  for (let week = 0; week < weeks; week++) {
    const weekStart = start + week * 7 * DAY
    for (let i = random.int(1, 4); i > 0; i--) {
      const unit = random.pick(units)
      const filed = complaint(weekStart + random.int(0, 4) * DAY + random.int(0, 9) * HOUR, unit)
      // Now and then the same owner complains again about the same thing: a repeat.
      const repeated = filed.handledAt !== undefined && random.chance(0.1)
      if (filed.handledAt !== undefined && filed.category !== 'emergency' && corrections.chance(0.15))
        correctiveAction(filed.complaintId, filed.category, filed.subject, filed.handledAt, unit.unitId)
      if (repeated && filed.handledAt !== undefined) {
        complaint(filed.handledAt + random.int(3, 40) * DAY, unit, {
          category: filed.category,
          subject: filed.subject,
        })
      }
    }
    for (let i = random.int(0, 2); i > 0; i--) {
      const unit = random.pick(units)
      const orderId = `o${week}-${i}`
      const owner: Actor = { id: unit.ownerId, role: 'owner' }
      const at = weekStart + random.int(0, 4) * DAY + 2 * HOUR
      plan(
        'RequestServiceOrder',
        {
          orderId,
          ownerId: unit.ownerId,
          unitId: unit.unitId,
          serviceId: random.pick(catalogue).serviceId,
          description: 'please come',
        },
        at,
        owner,
      )
      plan(
        'ScheduleServiceOrder',
        { orderId, scheduledFor: new Date(at + DAY).toISOString(), assigneeId: `fitter-${random.int(1, 3)}` },
        at + HOUR,
      )
      plan('DeliverServiceOrder', { orderId }, at + DAY + 2 * HOUR)
      plan('RateServiceOrder', { orderId, score: random.int(2, 5) }, at + 2 * DAY, owner)
    }
  }
  await playAgenda()

  // Fees: a monthly bill per unit with the service fee and a share of the lifts' electricity.
  for (let month = 0; month < options.months; month++) {
    const at = start + month * 30 * DAY
    const period = new Date(at).toISOString().slice(0, 7)
    const sharedCostId = `lift-power-${period}`
    await send(
      'ApportionSharedCost',
      {
        sharedCostId,
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
      if (!random.chance(0.1)) {
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

  // Half-yearly satisfaction surveys.
  for (let half = 0; half * 6 < options.months; half++) {
    const at = start + (half * 6 + 5) * 30 * DAY
    const year = new Date(at).getUTCFullYear()
    const surveyId = `survey-${year}-h${(half % 2) + 1}`
    const period = `${year}-H${new Date(at).getUTCMonth() < 6 ? 1 : 2}`
    const dimensions = ['cleanliness', 'security', 'repairs', 'staff-attitude']
    await send('OpenSurvey', { surveyId, period, dimensions }, at)
    const responses: Array<{ ownerId: string; scores: Record<string, number>; at: number }> = []
    for (const unit of units) {
      if (!random.chance(0.6)) continue
      const scores = Object.fromEntries(dimensions.map((d) => [d, random.int(half % 2 === 0 ? 2 : 3, 5)]))
      responses.push({ ownerId: unit.ownerId, scores, at: at + random.int(1, 10) * DAY })
    }
    // Responses arrive in the order owners send them: time moves forward in the survey.
    for (const { ownerId, scores, at: answeredAt } of responses.sort((a, b) => a.at - b.at))
      await send('RecordSurveyResponse', { surveyId, ownerId, scores }, answeredAt, {
        id: ownerId,
        role: 'owner',
      })
    await send('CloseSurvey', { surveyId }, at + 14 * DAY)
  }

  // Home visits (策略六) at each owner's cadence by grade; one in six slips by weeks, so some owners are
  // overdue. A random of its own, so that adding visits left the rest of the story as it was.
  const visits = seededRandom(options.seed + 1)
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

  // Owner forums and committee meetings; staff, their training and their satisfaction. Randoms of their own.
  await simulateMeetings(send, { seed: options.seed + 2, start, months: options.months })
  await simulateStaff(send, { seed: options.seed + 3, start, months: options.months })

  return {
    commands,
    refused,
    complaints,
    planted,
    warnings: sentByWatches.WarnOfReplyDeadline ?? 0,
    escalations: sentByWatches.EscalateComplaint ?? 0,
    correctiveActions,
    reopenedActions: sentByWatches.ReopenCorrectiveAction ?? 0,
    endsAt: new Date(endsAt + 60 * DAY).toISOString(),
    lastDayAt: new Date(endsAt).toISOString(),
  }
}
