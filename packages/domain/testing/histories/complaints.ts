/** Scripts of generated histories: complaints (the handling procedure, its deadlines, reopenings). */
import {
  type CommandType,
  type ComplaintCategory,
  type ComplaintState,
  defaultPolicies,
  dueDeadlineActions,
  pendingDeadlineActions,
  subjectsByCategory,
} from '@property-services/domain'
import {
  actorFor,
  type Built,
  build,
  cast,
  type Env,
  pickOf,
  plusMinutes,
  type Script,
  text,
} from './script.js'

const complaintId = 'complaint-1'
export const categories = Object.keys(subjectsByCategory) as ComplaintCategory[]

/** The warnings and escalations due at `at`, as commands (the deadline watch sends them). */
const deadlineCommands = (s: ComplaintState, at: string): CommandType[] =>
  s.status === 'none'
    ? []
    : dueDeadlineActions(s, at, defaultPolicies).map((a) =>
        a.action === 'warn-reply' ? 'WarnOfReplyDeadline' : 'EscalateComplaint',
      )

export const complaintScript: Script<ComplaintState> = {
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
