/**
 * Simulates a residential community from a seed: buildings and units, owners of each grade, a service
 * catalogue and a package, a year (or more) of complaints in all four categories, service orders,
 * monthly bills with an apportioned shared cost, payments with some arrears, and half-yearly surveys.
 * Every change goes through the command handler, so the domain's rules apply. Some complaints are
 * handled badly on purpose; the simulation returns those planted deviations so audits can be checked.
 *
 * Complaints and service orders are planned a week at a time and played in order of time, with the
 * deadline watch (a process manager on a manual scheduler) woken at each due time in between, as it
 * would be in production: it warns before verbal reply deadlines and escalates late emergencies and
 * departments.
 */
import {
  type Actor,
  addWorkingDays,
  type CommandRequest,
  type CommandType,
  type ComplaintCategory,
  type ComplaintSubject,
  subjectsByCategory,
} from '@property-services/domain'
import {
  commandHandler,
  type DeviationStep,
  type EventStore,
  type KeyStore,
} from '@property-services/infrastructure'
import {
  correctiveActionWatch,
  deadlineWatch,
  inMemoryReadModelStore,
  manualScheduler,
} from '@property-services/projections'
import * as E from 'fp-ts/lib/Either.js'
import { cliPolicies } from './policies.js'
import { type Random, seededRandom } from './random.js'
import { type SimulatedCommunity, simulatedCommunities } from './simulatedCommunities.js'
import { type SimulatedUnit, simulateFees } from './simulateFees.js'
import { type Send, simulateMeetings } from './simulateMeetings.js'
import { simulateStaff } from './simulateStaff.js'
import { simulateSurveys } from './simulateSurveys.js'
import { simulateVisits } from './simulateVisits.js'

export interface SimulationOptions {
  readonly seed: number
  readonly months: number
  /** How many communities the company manages, each with its profile (see simulatedCommunities.ts); default 1. */
  readonly communities?: number
  /** Buildings per community, and units per building. */
  readonly buildings?: number
  readonly unitsPerBuilding?: number
  readonly onProgress?: (done: number, total: number) => void
  /** Owners' data keys: with them, personal data is stored encrypted (see `KeyStore`). */
  readonly keys?: KeyStore
}

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

  const send: Send = async (type, data, at, actor = staff) => {
    commands++
    now = at
    const result = await handler.handle({ type, commandId: `sim${options.seed}-${++n}`, data }, { actor })
    if (E.isLeft(result)) refused++
    return E.isRight(result)
  }
  // Complaints and orders: planned a week ahead, played in order of time (see the top of the file).
  interface Planned {
    readonly at: number
    readonly send: () => Promise<boolean>
    /** Checked when the command's time comes: the command is sent only if it says so. */
    readonly when?: () => Promise<boolean>
  }
  const agenda: Planned[] = []
  const plan = <T extends CommandType>(
    type: T,
    data: Extract<CommandRequest, { readonly type: T }>['data'],
    at: number,
    actor: Actor = staff,
    when?: () => Promise<boolean>,
  ) => {
    // `send` is generic in the same T; TypeScript cannot follow the type through the closure.
    agenda.push({
      at,
      send: () => send(type, data as never, at, actor),
      ...(when === undefined ? {} : { when }),
    })
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
  // Planned a week at a time, and played in order of time: everything planned for a week is at or after
  // the week's start, so what falls before the next week's start is played before that week is planned.
  // Only what is still to come is held (five years of a company's plans, held at once, took gigabytes).
  let upcoming: Planned[] = []
  let playedUntil = Number.NEGATIVE_INFINITY
  const progressWeeks = Math.max(1, Math.floor((endsAt - start) / (7 * DAY)))
  let weekReached = 0
  const playUntil = async (horizon: number) => {
    // A stable sort: one complaint's steps at the same moment keep their order; on a tie what was
    // planned earlier goes first, as if everything had been planned up front and sorted once.
    const fresh = agenda.splice(0).sort((a, b) => a.at - b.at)
    if (fresh.length > 0 && fresh[0]!.at < playedUntil)
      throw new Error('the simulation planned a command before what it has already played')
    const merged: Planned[] = []
    for (let i = 0, j = 0; i < upcoming.length || j < fresh.length; )
      merged.push(
        j >= fresh.length || (i < upcoming.length && upcoming[i]!.at <= fresh[j]!.at)
          ? upcoming[i++]!
          : fresh[j++]!,
      )
    let k = 0
    for (; k < merged.length && merged[k]!.at < horizon; k++) {
      const item = merged[k]!
      await watchUntil(item.at)
      if (item.when !== undefined && !(await item.when())) continue
      await item.send()
      const reached = Math.min(progressWeeks, Math.floor((item.at - start) / (7 * DAY)))
      if (reached > weekReached) {
        weekReached = reached
        options.onProgress?.(weekReached, progressWeeks)
      }
    }
    upcoming = merged.slice(k)
    playedUntil = horizon
  }

  // The communities: each registered, with its buildings, units and owners.
  const communities = simulatedCommunities(options.communities ?? 1)
  type Unit = SimulatedUnit & { readonly community: SimulatedCommunity }
  const unitsOf = new Map<string, Unit[]>()
  for (const community of communities) {
    const { communityId, name, address, serviceGrade } = community
    const calendar = { weekendDays: [0, 6], holidays: [], extraWorkingDays: [] }
    await send(
      'RegisterCommunity',
      { communityId, name, address, timeZone: 'Asia/Shanghai', calendar, serviceGrade },
      start - DAY,
      manager,
    )
    const units: Unit[] = []
    for (let b = 1; b <= buildings; b++) {
      for (let u = 1; u <= perBuilding; u++) {
        const unitId = `${communityId}-b${b}-${String(u).padStart(2, '0')}`
        const area = random.int(600_000, 1_600_000) // 60-160 m²
        const ownerId = `owner-${unitId}`
        await send(
          'RegisterUnit',
          { unitId, communityId, building: `Building ${b}`, number: `${u}01`, floorAreaCm2: area },
          start,
        )
        await send(
          'RegisterOwner',
          {
            ownerId,
            communityId,
            contact: { name: `Owner ${unitId}`, phone: `1380000${String(b * 100 + u).padStart(4, '0')}` },
          },
          start,
        )
        await send('AssignUnitOwner', { unitId, ownerId }, start)
        const grade = random.pick(['key', 'general', 'general', 'potential'] as const)
        if (grade !== 'general') await send('GradeOwner', { ownerId, grade }, start + HOUR)
        units.push({ unitId, ownerId, area, grade, community })
      }
    }
    unitsOf.set(communityId, units)
  }
  const units = [...unitsOf.values()].flat()
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

  /** One complaint and its handling, good or planted-bad; what it is about follows its community's profile. */
  const complaint = (
    at: number,
    unit: Unit,
    forced?: { category: ComplaintCategory; subject: ComplaintSubject },
  ) => {
    const complaintId = `c${++complaints}`
    const profile = unit.community
    const category = forced?.category ?? random.pick(profile.categories)
    const subject =
      forced?.subject ??
      (category === 'facilities' && random.chance(profile.liftShare)
        ? 'lift-stoppage'
        : random.pick(subjectsByCategory[category].filter((s) => s !== 'other')))
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
    subject: ComplaintSubject,
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
  // Complaints and orders grow with a community's size: the default 24 units is one share.
  const scale = Math.max(1, Math.round((buildings * perBuilding) / 24))
  for (let week = 0; week < weeks; week++) {
    for (const community of communities) {
      const units = unitsOf.get(community.communityId) as Unit[]
      const weekStart = start + week * 7 * DAY
      for (let i = random.int(1, 4) * scale; i > 0; i--) {
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
      for (let i = random.int(0, 2) * scale; i > 0; i--) {
        const unit = random.pick(units)
        const orderId = `${community.communityId}-o${week}-${i}`
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
          {
            orderId,
            scheduledFor: new Date(at + DAY).toISOString(),
            assigneeId: `fitter-${random.int(1, 3)}`,
          },
          at + HOUR,
        )
        plan('DeliverServiceOrder', { orderId }, at + DAY + 2 * HOUR)
        plan('RateServiceOrder', { orderId, score: random.int(2, 5) }, at + 2 * DAY, owner)
      }
    }
    await playUntil(start + (week + 1) * 7 * DAY)
  }
  await playUntil(Number.POSITIVE_INFINITY)
  await watchUntil(endsAt + 60 * DAY)
  options.onProgress?.(progressWeeks, progressWeeks)

  // Per community: fees, owner surveys and home visits, each a part of its own (the last with its own
  // random), and owner forums and committee meetings.
  for (const [k, community] of communities.entries()) {
    const { communityId } = community
    const units = unitsOf.get(communityId) as Unit[]
    const { months } = options
    await simulateFees(send, random, { communityId, start, months, units, arrears: community.arrears })
    await simulateSurveys(send, random, { communityId, start, months, units })
    await simulateVisits(send, { seed: options.seed + 1 + 10 * k, start, endsAt, units })
    await simulateMeetings(send, { communityId, seed: options.seed + 2 + 10 * k, start, months })
  }
  // The company's staff, their training and their satisfaction. A random of its own.
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
