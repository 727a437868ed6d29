/** Scripts of generated histories: owners' and staff satisfaction surveys. */
import type { StaffSurveyState, SurveyState } from '@property-services/domain'
import { actorFor, build, cast, pickOf, type Script } from './script.js'

const dimensions = ['cleanliness', 'security', 'greening', 'staff-attitude', 'repairs']
const surveyId = 'survey-1'
const surveyOwners = Array.from({ length: 12 }, (_, i) => `owner-${i}`)

export const surveyScript: Script<SurveyState> = {
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

const staffSurveyId = 'staff-survey-1'
export const departments = ['engineering', 'security', 'customer-service']
/** Who answers staff surveys: each answers for themself. */
const respondents = [cast.staff, cast.manager]

export const staffSurveyScript: Script<StaffSurveyState> = {
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
