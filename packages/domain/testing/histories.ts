/**
 * Arbitraries of command sequences per aggregate, and the history they produce. Each step picks a
 * command that fits the aggregate's current state (mode `valid`) or any command of the aggregate by any
 * actor (mode `any`, for properties that must hold whatever is attempted); the decider then accepts or
 * refuses it. Time moves forward between steps. Everything derives from the random steps, so fast-check
 * can shrink a failing history.
 */
import {
  type Actor,
  type AggregateName,
  type Aggregates,
  aggregates,
  type BillLineRequest,
  type Command,
  type CommandType,
  type CommunityState,
  type ComplaintCategory,
  type ComplaintState,
  type CorrectiveActionState,
  type CourseState,
  type DecisionContext,
  defaultPolicies,
  dueDeadlineActions,
  type Event,
  type FeeAccountState,
  type MeetingState,
  type OwnerState,
  type Policies,
  pendingDeadlineActions,
  type ServiceOrderState,
  type ServiceState,
  type StaffMemberState,
  type StaffSurveyState,
  type SurveyState,
  subjectsByCategory,
  type UnitState,
} from '@property-services/domain'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'

/** The random material of one step. */
export interface Step {
  readonly pick: number
  readonly advanceMinutes: number
  readonly amount: number
  readonly flag: boolean
}

export const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  pick: fc.nat({ max: 1_000_000 }),
  // Short steps too, so that windows of minutes (a warning before a deadline) are hit as well as days.
  advanceMinutes: fc.oneof(fc.integer({ min: 1, max: 4 * 24 * 60 }), fc.integer({ min: 1, max: 90 })),
  amount: fc.integer({ min: 1, max: 200_000 }),
  flag: fc.boolean(),
})

/** The owner, unit and staff every generated history is about. */
export const cast = {
  owner: { id: 'owner-1', role: 'owner' } as Actor,
  otherOwner: { id: 'owner-2', role: 'owner' } as Actor,
  staff: { id: 'staff-1', role: 'staff' } as Actor,
  manager: { id: 'manager-1', role: 'manager' } as Actor,
  system: { id: 'system', role: 'system' } as Actor,
  /** A manager of community-1 only (a clerk at company level). */
  communityManager: { id: 'manager-2', role: 'staff', communities: { 'community-1': 'manager' } } as Actor,
  /** Staff of another community only: refused everything about community-1. */
  outsider: { id: 'staff-2', role: 'manager', communities: { 'community-2': 'staff' } } as Actor,
  unitId: 'unit-1',
  communityId: 'community-1',
} as const

/** The context the application would look up: unit-1 belongs to owner-1, in community-1. */
export const castContext: DecisionContext = { unitOwner: cast.owner.id, unitCommunity: cast.communityId }

/** One attempted command, what it was decided into, and the state after it. */
export interface Attempt<S = unknown> {
  readonly command: Command
  readonly outcome: E.Either<{ readonly _tag: string; readonly message: string }, readonly Event[]>
  readonly stateAfter: S
}

export interface History<S = unknown> {
  readonly aggregate: AggregateName
  readonly attempts: readonly Attempt<S>[]
  /** The commands the decider accepted, in order. */
  readonly accepted: readonly Command[]
  /** Every event produced, in order. */
  readonly events: readonly Event[]
  readonly finalState: S
}

interface Env {
  readonly step: Step
  readonly at: string
  readonly index: number
  readonly any: boolean
}

type Data<T extends CommandType> = Extract<Command, { type: T }>['data']
type Built = { readonly type: CommandType; readonly data: unknown; readonly actor: Actor }

const pickOf = <A>(items: readonly A[], n: number): A => items[n % items.length] as A
const anyActor = (env: Env): Actor =>
  pickOf(
    [
      cast.owner,
      cast.otherOwner,
      cast.staff,
      cast.manager,
      cast.system,
      cast.communityManager,
      cast.outsider,
    ],
    env.step.pick >> 3,
  )
const actorFor = (env: Env, valid: Actor): Actor => (env.any ? anyActor(env) : valid)
const plusMinutes = (iso: string, minutes: number) =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString()
const text = (what: string, env: Env) => `${what} ${env.index}`
const build = <T extends CommandType>(type: T, data: Data<T>, actor: Actor): Built => ({ type, data, actor })

/** For one aggregate: which commands fit a state, and how to build each from a step. */
interface Script<S> {
  /** The commands that fit the state at the step's time. */
  readonly next: (state: S, at: string) => readonly CommandType[]
  /**
   * Where a step may take time instead of `proposed` (later than `previous`): into a window of minutes
   * that steps of random length would rarely hit.
   */
  readonly timeOf?: (state: S, previous: string, proposed: string, step: Step) => string
  readonly build: (type: CommandType, state: S, env: Env) => Built
}

const complaintId = 'complaint-1'
const categories = Object.keys(subjectsByCategory) as ComplaintCategory[]

/** The warnings and escalations due at `at`, as commands (the deadline watch sends them). */
const deadlineCommands = (s: ComplaintState, at: string): CommandType[] =>
  s.status === 'none'
    ? []
    : dueDeadlineActions(s, at, defaultPolicies).map((a) =>
        a.action === 'warn-reply' ? 'WarnOfReplyDeadline' : 'EscalateComplaint',
      )

const complaintScript: Script<ComplaintState> = {
  next: (s, at) => [...deadlineCommands(s, at), ...complaintSteps(s)],
  // One step in three goes into the window before a verbal reply deadline, if one is ahead.
  timeOf: (s, previous, proposed, step) => {
    if (s.status === 'none' || step.pick % 3 !== 0) return proposed
    const warning = pendingDeadlineActions(s, defaultPolicies).find((a) => a.action === 'warn-reply')
    if (warning === undefined || warning.until === null) return proposed
    const from = Math.max(Date.parse(warning.from), Date.parse(previous) + 60_000)
    const until = Date.parse(warning.until)
    return from < until
      ? new Date(from + ((step.advanceMinutes * 60_000) % (until - from))).toISOString()
      : proposed
  },
  build: (type, state, env) => {
    if (type === 'EscalateComplaint') {
      const due = state.status === 'none' ? [] : dueDeadlineActions(state, env.at, defaultPolicies)
      const deadline = due.some((a) => a.action === 'escalate-dispatch') ? 'dispatch' : 'department'
      return build(type, { complaintId, deadline }, actorFor(env, env.step.flag ? cast.system : cast.manager))
    }
    if (type === 'WarnOfReplyDeadline')
      return build(type, { complaintId }, actorFor(env, env.step.flag ? cast.system : cast.manager))
    return complaintStepBuild(type, state, env)
  },
}

const complaintSteps = (s: ComplaintState): readonly CommandType[] => {
  switch (s.status) {
    case 'none':
      return ['FileComplaint']
    case 'filed':
    case 'reopened':
      return ['AcknowledgeComplaint']
    case 'acknowledged':
      return [
        ...(s.proposed ? [] : (['ProposeResolution'] as const)),
        'RejectComplaint',
        ...(s.proposed || s.category === 'emergency' ? (['DispatchComplaint'] as const) : []),
      ]
    case 'dispatched':
      return s.proposed ? ['ResolveComplaint'] : ['ProposeResolution']
    case 'resolved':
    case 'rejected':
      return ['NotifyComplaintOutcome']
    case 'notified':
      return ['CloseComplaint', 'ReopenComplaint']
    case 'closed':
      return ['ReopenComplaint']
  }
}

const complaintStepBuild = (type: CommandType, _state: ComplaintState, env: Env): Built => {
  const { pick, flag, amount } = env.step
  const ownerOrStaff = actorFor(env, flag ? cast.owner : cast.staff)
  const staff = actorFor(env, cast.staff)
  switch (type) {
    case 'FileComplaint': {
      const category = pickOf(categories, pick)
      return build(
        type,
        {
          complaintId,
          ownerId: cast.owner.id,
          unitId: cast.unitId,
          category,
          subject: pickOf(subjectsByCategory[category], pick >> 2),
          channel: pickOf(['phone', 'visit', 'letter', 'online'] as const, pick >> 5),
          description: text('complaint', env),
        },
        ownerOrStaff,
      )
    }
    case 'AcknowledgeComplaint':
      return build(
        type,
        { complaintId, gesture: flag ? 'apology' : 'sympathy', note: text('heard', env) },
        staff,
      )
    case 'ProposeResolution':
      return build(type, { complaintId, proposal: text('proposal', env), partial: flag }, staff)
    case 'RejectComplaint':
      return build(type, { complaintId, reason: text('unfounded', env) }, staff)
    case 'DispatchComplaint':
      return build(
        type,
        {
          complaintId,
          department: pickOf(['engineering', 'security', 'cleaning', 'finance'], pick),
          dueBy: plusMinutes(env.at, (amount % 72) * 60 + 60),
        },
        staff,
      )
    case 'ResolveComplaint':
      return build(type, { complaintId, cause: text('cause', env) }, staff)
    case 'NotifyComplaintOutcome':
      return build(
        type,
        { complaintId, via: flag ? 'phone' : 'letter', summary: text('outcome', env) },
        staff,
      )
    case 'CloseComplaint':
      return build(type, { complaintId, rating: (pick % 5) + 1 }, ownerOrStaff)
    case 'ReopenComplaint':
      return build(type, { complaintId, reason: text('not fixed', env) }, ownerOrStaff)
    default:
      throw new Error(`not a complaint command: ${type}`)
  }
}

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

const feeAccountScript: Script<FeeAccountState> = {
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

const dimensions = ['cleanliness', 'security', 'greening', 'staff-attitude', 'repairs']
const surveyId = 'survey-1'
const surveyOwners = Array.from({ length: 12 }, (_, i) => `owner-${i}`)

const surveyScript: Script<SurveyState> = {
  next: (s) => {
    if (s.status === 'none') return ['OpenSurvey']
    if (s.status === 'closed') return []
    return s.respondents.length < surveyOwners.length
      ? ['RecordSurveyResponse', 'CloseSurvey']
      : ['CloseSurvey']
  },
  build: (type, state, env) => {
    const { pick, amount } = env.step
    switch (type) {
      case 'OpenSurvey':
        return build(
          type,
          {
            surveyId,
            communityId: cast.communityId,
            period: `${env.at.slice(0, 4)}-H${Number(env.at.slice(5, 7)) <= 6 ? 1 : 2}`,
            dimensions: dimensions.slice(0, 1 + (pick % dimensions.length)),
          },
          actorFor(env, cast.staff),
        )
      case 'RecordSurveyResponse': {
        const dims = state.status === 'none' ? dimensions : state.dimensions
        const waiting = surveyOwners.filter((o) => state.status === 'none' || !state.respondents.includes(o))
        const ownerId = pickOf(waiting.length > 0 ? waiting : surveyOwners, pick)
        return build(
          type,
          {
            surveyId,
            ownerId,
            scores: Object.fromEntries(dims.map((d, i) => [d, ((amount >> i) % 5) + 1])),
          },
          actorFor(env, env.step.flag ? { id: ownerId, role: 'owner' } : cast.staff),
        )
      }
      case 'CloseSurvey':
        return build(type, { surveyId }, actorFor(env, cast.staff))
      default:
        throw new Error(`not a survey command: ${type}`)
    }
  },
}

const orderId = 'order-1'
const serviceOrderScript: Script<ServiceOrderState> = {
  next: (s) => {
    switch (s.status) {
      case 'none':
        return ['RequestServiceOrder']
      case 'requested':
        return ['ScheduleServiceOrder', 'CancelServiceOrder']
      case 'scheduled':
        return ['DeliverServiceOrder', 'ScheduleServiceOrder', 'CancelServiceOrder']
      case 'delivered':
        return ['RateServiceOrder']
      default:
        return []
    }
  },
  build: (type, _state, env) => {
    const { pick, flag, amount } = env.step
    switch (type) {
      case 'RequestServiceOrder':
        return build(
          type,
          {
            orderId,
            ownerId: cast.owner.id,
            unitId: cast.unitId,
            serviceId: `service-${pick % 4}`,
            description: text('fix the tap', env),
          },
          actorFor(env, flag ? cast.owner : cast.staff),
        )
      case 'ScheduleServiceOrder':
        return build(
          type,
          { orderId, scheduledFor: plusMinutes(env.at, amount % 10_000), assigneeId: `fitter-${pick % 3}` },
          actorFor(env, cast.staff),
        )
      case 'DeliverServiceOrder':
        return build(type, { orderId }, actorFor(env, cast.staff))
      case 'RateServiceOrder':
        return build(
          type,
          flag
            ? { orderId, score: (pick % 5) + 1, comment: text('thanks', env) }
            : { orderId, score: (pick % 5) + 1 },
          actorFor(env, cast.owner),
        )
      case 'CancelServiceOrder':
        return build(
          type,
          { orderId, reason: text('no longer needed', env) },
          actorFor(env, flag ? cast.owner : cast.staff),
        )
      default:
        throw new Error(`not a service order command: ${type}`)
    }
  },
}

const grades = ['key', 'general', 'potential'] as const
const ownerScript: Script<OwnerState> = {
  next: (s) => {
    if (s.status === 'none') return ['RegisterOwner']
    const subscribed = Object.keys(s.subscriptions).length > 0
    return [
      'GradeOwner',
      'RecordOwnerVisit',
      ...(s.status === 'registered' ? (['ChangeOwnerContact', 'EraseOwnerPersonalData'] as const) : []),
      'SubscribeToPackage',
      ...(subscribed ? (['UnsubscribeFromPackage'] as const) : []),
    ]
  },
  build: (type, state, env) => {
    const { pick, flag } = env.step
    const ownerId = cast.owner.id
    const contact = { name: `Owner ${env.index}`, phone: `1380000${String(pick % 10_000).padStart(4, '0')}` }
    switch (type) {
      case 'RegisterOwner':
        return build(type, { ownerId, communityId: cast.communityId, contact }, actorFor(env, cast.staff))
      case 'GradeOwner': {
        const current = state.status === 'none' ? 'general' : state.grade
        const others = grades.filter((g) => g !== current)
        return build(type, { ownerId, grade: pickOf(others, pick) }, actorFor(env, cast.manager))
      }
      case 'RecordOwnerVisit':
        return build(type, { ownerId, needs: [text('quieter lifts', env)] }, actorFor(env, cast.staff))
      case 'ChangeOwnerContact':
        return build(
          type,
          { ownerId, contact: flag ? { ...contact, email: `o${pick}@example.com` } : contact },
          actorFor(env, flag ? cast.owner : cast.staff),
        )
      case 'EraseOwnerPersonalData':
        return build(type, { ownerId }, actorFor(env, flag ? cast.owner : cast.manager))
      case 'SubscribeToPackage': {
        const taken = state.status === 'none' ? {} : state.subscriptions
        const free = ['package-1', 'package-2', 'package-3', `package-${env.index}`].filter(
          (p) => !Object.hasOwn(taken, p),
        )
        return build(
          type,
          { ownerId, unitId: cast.unitId, packageId: pickOf(free, pick) },
          actorFor(env, flag ? cast.owner : cast.staff),
        )
      }
      case 'UnsubscribeFromPackage': {
        const taken = Object.keys(state.status === 'none' ? {} : state.subscriptions)
        return build(
          type,
          { ownerId, packageId: pickOf(taken.length > 0 ? taken : ['package-1'], pick) },
          actorFor(env, cast.owner),
        )
      }
      default:
        throw new Error(`not an owner command: ${type}`)
    }
  },
}

const unitScript: Script<UnitState> = {
  next: (s) =>
    s.status === 'none'
      ? ['RegisterUnit']
      : s.ownerId === null
        ? ['AssignUnitOwner']
        : ['TransferUnitOwnership'],
  build: (type, state, env) => {
    const { pick, amount } = env.step
    const unitId = cast.unitId
    switch (type) {
      case 'RegisterUnit':
        return build(
          type,
          {
            unitId,
            communityId: cast.communityId,
            building: `B${pick % 9}`,
            number: `${(pick % 30) + 1}0${(pick % 4) + 1}`,
            floorAreaCm2: 300_000 + amount * 10,
          },
          actorFor(env, cast.staff),
        )
      case 'AssignUnitOwner':
        return build(type, { unitId, ownerId: `owner-${pick % 5}` }, actorFor(env, cast.staff))
      case 'TransferUnitOwnership': {
        const current = state.status === 'registered' ? state.ownerId : null
        const candidates = ['owner-0', 'owner-1', 'owner-2', 'owner-3'].filter((o) => o !== current)
        return build(type, { unitId, toOwnerId: pickOf(candidates, pick) }, actorFor(env, cast.staff))
      }
      default:
        throw new Error(`not a unit command: ${type}`)
    }
  },
}

const serviceScript: Script<ServiceState> = {
  next: (s) => {
    if (s.status === 'none') return ['PublishService']
    if (s.status === 'retired') return []
    // A free service stays free: its price cannot change.
    return s.kind === 'paid' ? ['ChangeServicePrice', 'RetireService'] : ['RetireService']
  },
  build: (type, state, env) => {
    const { amount, flag } = env.step
    const serviceId = 'service-1'
    const kind = state.status === 'none' ? (flag ? 'paid' : 'free') : state.kind
    const price = kind === 'free' ? 0 : amount + (state.status === 'none' ? 0 : state.priceFen)
    switch (type) {
      case 'PublishService':
        return build(
          type,
          {
            serviceId,
            name: text('service', env),
            kind,
            priceFen: price,
            disclosedCostFen: amount % 10_000,
            qualityStandard: text('within 24 hours', env),
          },
          actorFor(env, cast.manager),
        )
      case 'ChangeServicePrice':
        return build(
          type,
          { serviceId, priceFen: kind === 'free' ? amount : price },
          actorFor(env, cast.manager),
        )
      case 'RetireService':
        return build(type, { serviceId }, actorFor(env, cast.manager))
      default:
        throw new Error(`not a service command: ${type}`)
    }
  },
}

const servicePackageScript: Script<{ readonly status: string }> = {
  next: (s) =>
    s.status === 'none' ? ['ComposeServicePackage'] : s.status === 'offered' ? ['RetireServicePackage'] : [],
  build: (type, _state, env) => {
    const packageId = 'package-1'
    return type === 'ComposeServicePackage'
      ? build(
          type,
          {
            packageId,
            name: text('comfort package', env),
            serviceIds: ['service-1', 'service-2', 'service-3'].slice(0, 1 + (env.step.pick % 3)),
            monthlyPriceFen: env.step.amount,
          },
          actorFor(env, cast.manager),
        )
      : build('RetireServicePackage', { packageId }, actorFor(env, cast.manager))
  },
}

const sharedCostScript: Script<{ readonly status: string }> = {
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

const meetingId = 'meeting-1'

const meetingScript: Script<MeetingState> = {
  next: (s) => {
    switch (s.status) {
      case 'none':
        return ['ScheduleMeeting']
      case 'scheduled':
        return ['HoldMeeting', 'CancelMeeting']
      case 'held':
        return s.openItems.length > 0 ? ['RaiseActionItem', 'CloseActionItem'] : ['RaiseActionItem']
      case 'cancelled':
        return []
    }
  },
  build: (type, state, env) => {
    const { pick, amount, flag } = env.step
    const staff = actorFor(env, flag ? cast.staff : cast.manager)
    switch (type) {
      case 'ScheduleMeeting':
        return build(
          type,
          {
            meetingId,
            communityId: cast.communityId,
            kind: flag ? 'forum' : 'committee',
            scheduledFor: plusMinutes(env.at, amount % 20_000),
            agenda: text('agenda', env),
          },
          staff,
        )
      case 'HoldMeeting':
        return build(type, { meetingId, attendance: amount % 300, minutes: text('minutes', env) }, staff)
      case 'CancelMeeting':
        return build(type, { meetingId, reason: text('no quorum', env) }, staff)
      case 'RaiseActionItem':
        return build(
          type,
          {
            meetingId,
            itemId: `item-${env.index}`,
            description: text('fix the gate', env),
            department: pickOf(['engineering', 'security', 'cleaning', 'finance'], pick),
            dueBy: plusMinutes(env.at, 60 + (amount % 20_000)),
          },
          staff,
        )
      case 'CloseActionItem': {
        const open = state.status === 'none' ? [] : state.openItems
        return build(
          type,
          {
            meetingId,
            itemId: pickOf(open.length > 0 ? open : ['item-0'], pick),
            outcome: text('done', env),
          },
          staff,
        )
      }
      default:
        throw new Error(`not a meeting command: ${type}`)
    }
  },
}

const staffSurveyId = 'staff-survey-1'
const departments = ['engineering', 'security', 'customer-service']
/** Who answers staff surveys: each answers for themself. */
const respondents = [cast.staff, cast.manager]

const staffSurveyScript: Script<StaffSurveyState> = {
  next: (s) => {
    if (s.status === 'none') return ['OpenStaffSurvey']
    if (s.status === 'closed') return []
    return s.respondents.length < respondents.length
      ? ['RecordStaffSurveyResponse', 'CloseStaffSurvey']
      : ['CloseStaffSurvey']
  },
  build: (type, state, env) => {
    const { pick, amount } = env.step
    switch (type) {
      case 'OpenStaffSurvey':
        return build(
          type,
          {
            surveyId: staffSurveyId,
            period: `${env.at.slice(0, 4)}-H${Number(env.at.slice(5, 7)) <= 6 ? 1 : 2}`,
            departments: departments.slice(0, 1 + (pick % departments.length)),
            dimensions: dimensions.slice(0, 1 + ((pick >> 2) % dimensions.length)),
          },
          actorFor(env, cast.staff),
        )
      case 'RecordStaffSurveyResponse': {
        const open = state.status === 'none' ? undefined : state
        const waiting = respondents.filter((r) => !open?.respondents.includes(r.id))
        const respondent = pickOf(waiting.length > 0 ? waiting : respondents, pick)
        const dims = open?.dimensions ?? dimensions
        return build(
          type,
          {
            surveyId: staffSurveyId,
            staffId: respondent.id,
            department: pickOf(open?.departments ?? departments, pick >> 3),
            scores: Object.fromEntries(dims.map((d, i) => [d, ((amount >> i) % 5) + 1])),
          },
          actorFor(env, respondent),
        )
      }
      case 'CloseStaffSurvey':
        return build(type, { surveyId: staffSurveyId }, actorFor(env, cast.staff))
      default:
        throw new Error(`not a staff survey command: ${type}`)
    }
  },
}

const jobRoles = ['customer-service', 'engineering', 'security', 'cleaning']
const staffMemberId = 'staff-7'

const staffMemberScript: Script<StaffMemberState> = {
  next: (s) =>
    s.status === 'none'
      ? ['RegisterStaffMember']
      : s.status === 'employed'
        ? ['ReassignStaffMember', 'RecordStaffDeparture']
        : [],
  build: (type, state, env) => {
    const { pick } = env.step
    const manager = actorFor(env, cast.manager)
    switch (type) {
      case 'RegisterStaffMember':
        return build(
          type,
          {
            staffId: staffMemberId,
            department: pickOf(departments, pick),
            jobRole: pickOf(jobRoles, pick >> 2),
          },
          manager,
        )
      case 'ReassignStaffMember': {
        // Another role than the current one, so that it is a change.
        const current = state.status === 'none' ? '' : state.jobRole
        const others = jobRoles.filter((r) => r !== current)
        return build(
          type,
          {
            staffId: staffMemberId,
            department: pickOf(departments, pick),
            jobRole: pickOf(others, pick >> 2),
          },
          manager,
        )
      }
      case 'RecordStaffDeparture':
        return build(type, { staffId: staffMemberId }, manager)
      default:
        throw new Error(`not a staff member command: ${type}`)
    }
  },
}

const courseId = 'course-1'

const courseScript: Script<CourseState> = {
  next: (s) =>
    s.status === 'none'
      ? ['DefineCourse']
      : s.status === 'offered'
        ? ['RecordTrainingSession', 'RecordTrainingSession', 'ChangeCourseRequirement', 'RetireCourse']
        : [],
  build: (type, _state, env) => {
    const { pick, flag } = env.step
    const manager = actorFor(env, cast.manager)
    const roles = jobRoles.slice(
      pick % jobRoles.length,
      1 + ((pick >> 2) % jobRoles.length) + (pick % jobRoles.length),
    )
    switch (type) {
      case 'DefineCourse':
        return build(
          type,
          {
            courseId,
            title: text('Lift safety', env),
            kind: flag ? 'technical' : 'business',
            requiredFor: roles,
          },
          manager,
        )
      case 'ChangeCourseRequirement':
        return build(type, { courseId, requiredFor: roles }, manager)
      case 'RecordTrainingSession':
        return build(
          type,
          {
            courseId,
            sessionId: `session-${env.index}`,
            attendees: Array.from({ length: 1 + (pick % 6) }, (_, i) => `staff-${i + 1}`),
          },
          actorFor(env, flag ? cast.staff : cast.manager),
        )
      case 'RetireCourse':
        return build(type, { courseId }, manager)
      default:
        throw new Error(`not a course command: ${type}`)
    }
  },
}

const actionId = 'capa-1'

const correctiveActionScript: Script<CorrectiveActionState> = {
  next: (s, at) => {
    switch (s.status) {
      case 'none':
        return ['OpenCorrectiveAction']
      case 'open':
        return ['CompleteCorrectiveAction']
      case 'completed':
        return s.reviewDueAt !== null && Date.parse(at) >= Date.parse(s.reviewDueAt)
          ? ['ReviewCorrectiveAction', 'ReviewCorrectiveAction', 'ReopenCorrectiveAction']
          : ['ReopenCorrectiveAction']
      case 'verified':
      case 'ineffective':
        return ['ReopenCorrectiveAction']
    }
  },
  // A review is due days after completion: half the steps after one wait for it.
  timeOf: (s, _previous, proposed, step) =>
    s.status === 'completed' && s.reviewDueAt !== null && step.flag
      ? new Date(
          Math.max(Date.parse(proposed), Date.parse(s.reviewDueAt) + step.advanceMinutes * 60_000),
        ).toISOString()
      : proposed,
  build: (type, _state, env) => {
    const { pick, amount, flag } = env.step
    const staff = actorFor(env, flag ? cast.staff : cast.manager)
    switch (type) {
      case 'OpenCorrectiveAction': {
        const category = pickOf(categories, pick)
        return build(
          type,
          {
            actionId,
            complaintId: 'complaint-1',
            unitId: cast.unitId,
            category,
            subject: pickOf(subjectsByCategory[category], pick >> 2),
            rootCause: text('worn seals', env),
            action: text('replace all seals', env),
            department: pickOf(['engineering', 'security', 'cleaning', 'finance'], pick >> 4),
            dueBy: plusMinutes(env.at, 60 + (amount % 40_000)),
            reviewAfterDays: 1 + (amount % 60),
          },
          staff,
        )
      }
      case 'CompleteCorrectiveAction':
        return build(type, { actionId, outcome: text('replaced', env) }, staff)
      case 'ReviewCorrectiveAction':
        return build(
          type,
          { actionId, effective: flag, note: text('checked', env) },
          actorFor(env, cast.manager),
        )
      case 'ReopenCorrectiveAction':
        return build(
          type,
          {
            actionId,
            complaintId: flag ? `complaint-${env.index + 2}` : null,
            reason: text('it came back', env),
            dueBy: plusMinutes(env.at, 60 + (amount % 40_000)),
          },
          actorFor(env, flag ? cast.system : cast.staff),
        )
      default:
        throw new Error(`not a corrective action command: ${type}`)
    }
  },
}

const timeZones = ['Asia/Shanghai', 'Asia/Urumqi', 'Asia/Hong_Kong'] as const

const communityScript: Script<CommunityState> = {
  next: (s) => (s.status === 'none' ? ['RegisterCommunity'] : ['ChangeCommunityProfile']),
  build: (type, _state, env) => {
    const { pick, flag } = env.step
    return build(
      type as 'RegisterCommunity',
      {
        communityId: cast.communityId,
        name: text('Garden', env),
        address: text('No. 1 Road', env),
        timeZone: pickOf(timeZones, pick),
        calendar: {
          weekendDays: flag ? [0, 6] : [0],
          holidays: pick % 2 === 0 ? [] : [env.at.slice(0, 10)],
          extraWorkingDays: [],
        },
        serviceGrade: pickOf(['grade-1', 'grade-2', 'grade-3'] as const, pick >> 2),
      },
      actorFor(env, flag ? cast.manager : cast.communityManager),
    )
  },
}

const scripts: { readonly [K in AggregateName]: Script<never> } = {
  community: communityScript,
  unit: unitScript,
  owner: ownerScript,
  service: serviceScript,
  servicePackage: servicePackageScript,
  serviceOrder: serviceOrderScript,
  complaint: complaintScript,
  feeAccount: feeAccountScript,
  sharedCost: sharedCostScript,
  survey: surveyScript,
  meeting: meetingScript,
  staffSurvey: staffSurveyScript,
  staffMember: staffMemberScript,
  course: courseScript,
  correctiveAction: correctiveActionScript,
} as unknown as { readonly [K in AggregateName]: Script<never> }

/** Every command type an aggregate handles, for mode `any`. */
const allTypes = (all: Aggregates, name: AggregateName): readonly CommandType[] => all[name].commandTypes

export interface HistoryOptions {
  /** `valid`: commands that fit the state; `any`: any command of the aggregate by any actor. */
  readonly mode?: 'valid' | 'any'
  readonly maxSteps?: number
  readonly policies?: Policies
}

/** Runs steps against an aggregate's decider, from a start time. Deterministic. */
export const runHistory = (
  name: AggregateName,
  start: string,
  steps: readonly Step[],
  options: HistoryOptions = {},
): History => {
  const all = aggregates(options.policies)
  const { decider } = all[name] as unknown as {
    decider: {
      initialState: unknown
      decide: (
        c: Command,
        s: unknown,
        ctx?: DecisionContext,
      ) => E.Either<{ _tag: string; message: string }, readonly Event[]>
      evolve: (s: unknown, e: Event) => unknown
    }
  }
  const script = scripts[name] as unknown as Script<unknown>
  const any = options.mode === 'any'
  let state = decider.initialState
  let at = start
  const attempts: Attempt[] = []
  const accepted: Command[] = []
  const events: Event[] = []
  steps.forEach((step, index) => {
    const proposed = plusMinutes(at, step.advanceMinutes)
    at = any || script.timeOf === undefined ? proposed : script.timeOf(state, at, proposed, step)
    const candidates = any ? allTypes(all, name) : script.next(state, at)
    if (candidates.length === 0) return
    const type = pickOf(candidates, step.pick >> 7)
    const env: Env = { step, at, index, any }
    const built = script.build(type, state, env)
    const command = {
      type: built.type,
      meta: {
        commandId: `cmd-${index}`,
        correlationId: `cmd-${index}`,
        actor: built.actor,
        occurredAt: at,
        recordedAt: at,
      },
      data: built.data,
    } as unknown as Command
    const outcome = decider.decide(command, state, castContext)
    if (E.isRight(outcome)) {
      for (const event of outcome.right) state = decider.evolve(state, event)
      accepted.push(command)
      events.push(...outcome.right)
    }
    attempts.push({ command, outcome, stateAfter: state })
  })
  return { aggregate: name, attempts, accepted, events, finalState: state }
}

const startArbitrary = fc
  .integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') })
  .map((ms) => new Date(ms).toISOString())

/** An arbitrary history of one aggregate: the commands tried, accepted, and the events produced. */
export const historyArbitrary = (name: AggregateName, options: HistoryOptions = {}): fc.Arbitrary<History> =>
  fc
    .tuple(startArbitrary, fc.array(stepArbitrary, { minLength: 1, maxLength: options.maxSteps ?? 30 }))
    .map(([start, steps]) => runHistory(name, start, steps, options))

/** An arbitrary sequence of commands a decider accepts, one after the other, for one aggregate. */
export const validCommandsArbitrary = (name: AggregateName, options: Omit<HistoryOptions, 'mode'> = {}) =>
  historyArbitrary(name, { ...options, mode: 'valid' }).map((history) => history.accepted)
