/** Scripts of generated histories: corrective actions. */
import { type CorrectiveActionState, subjectsByCategory } from '@property-services/domain'
import { categories } from './complaints.js'
import { actorFor, build, cast, pickOf, plusMinutes, type Script, text } from './script.js'

const actionId = 'capa-1'

export const correctiveActionScript: Script<CorrectiveActionState> = {
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
