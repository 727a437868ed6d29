/**
 * Staff satisfaction surveys (内部顾客满意度, 策略七): staff are the company's internal customers, and
 * their satisfaction decides the service owners get. Half-yearly, by department: each staff member
 * answers once, for their department, scoring every dimension 1-5. Reports show departments only,
 * never a person.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { command, event } from '../shared/actor.js'
import { authorize } from '../shared/authorize.js'
import { type Decider, decideByCommand, type TimeOrdered, timeOrdered } from '../shared/decider.js'
import { ruleViolated, wrongState } from '../shared/errors.js'
import { boundedArray } from '../shared/structure.js'
import { HalfYear, Id, Int, IsoDateTime, ShortText } from '../shared/values.js'
import { Dimensions, Scores, scoresRefused } from './survey.js'

const Departments = boundedArray(ShortText, 50, 'Departments')

export const OpenStaffSurvey = command(
  'OpenStaffSurvey',
  t.type({ surveyId: Id, period: HalfYear, departments: Departments, dimensions: Dimensions }),
)
export const RecordStaffSurveyResponse = command(
  'RecordStaffSurveyResponse',
  t.type({ surveyId: Id, staffId: Id, department: ShortText, scores: Scores }),
)
export const CloseStaffSurvey = command('CloseStaffSurvey', t.type({ surveyId: Id }))

export const StaffSurveyCommand = t.union([OpenStaffSurvey, RecordStaffSurveyResponse, CloseStaffSurvey])
export type StaffSurveyCommand = t.TypeOf<typeof StaffSurveyCommand>

export const StaffSurveyOpened = event(
  'StaffSurveyOpened',
  t.type({
    surveyId: Id,
    period: HalfYear,
    departments: Departments,
    dimensions: Dimensions,
    at: IsoDateTime,
  }),
)
export const StaffSurveyResponseRecorded = event(
  'StaffSurveyResponseRecorded',
  t.type({
    surveyId: Id,
    period: HalfYear,
    staffId: Id,
    department: ShortText,
    scores: Scores,
    at: IsoDateTime,
  }),
)
export const StaffSurveyClosed = event(
  'StaffSurveyClosed',
  t.type({ surveyId: Id, responses: Int, at: IsoDateTime }),
)

export const StaffSurveyEvent = t.union([StaffSurveyOpened, StaffSurveyResponseRecorded, StaffSurveyClosed])
export type StaffSurveyEvent = t.TypeOf<typeof StaffSurveyEvent>

export type StaffSurveyState =
  | { readonly status: 'none' }
  | {
      readonly status: 'open' | 'closed'
      readonly surveyId: string
      readonly period: string
      readonly departments: readonly string[]
      readonly dimensions: readonly string[]
      readonly respondents: readonly string[]
    }

const distinct = (items: readonly string[]) => items.length > 0 && new Set(items).size === items.length

export const staffSurveyDecider: Decider<
  StaffSurveyCommand,
  StaffSurveyEvent,
  StaffSurveyState & TimeOrdered
> = timeOrdered<StaffSurveyCommand, StaffSurveyEvent, StaffSurveyState>({
  initialState: { status: 'none' },
  decide: decideByCommand<StaffSurveyCommand, StaffSurveyEvent, StaffSurveyState>({
    OpenStaffSurvey: (command, state) => {
      const at = command.meta.occurredAt
      const denied = authorize(command)
      if (denied) return E.left(denied)
      if (state.status !== 'none')
        return E.left(wrongState(command.type, state.status, 'survey already opened'))
      const { departments, dimensions } = command.data
      if (!distinct(dimensions) || !distinct(departments))
        return E.left(
          ruleViolated(
            command.type,
            'distinct',
            'a staff survey asks one or more distinct departments about one or more distinct dimensions',
          ),
        )
      return E.right([{ type: 'StaffSurveyOpened', data: { ...command.data, at } }])
    },
    RecordStaffSurveyResponse: (command, state) => {
      const at = command.meta.occurredAt
      const { staffId, department, scores } = command.data
      const denied = authorize(command, { self: staffId })
      if (denied) return E.left(denied)
      if (state.status !== 'open') return E.left(wrongState(command.type, state.status, 'survey is not open'))
      if (state.respondents.includes(staffId))
        return E.left(ruleViolated(command.type, 'one-response', `${staffId} already responded`))
      if (!state.departments.includes(department))
        return E.left(
          ruleViolated(
            command.type,
            'surveyed-department',
            `this survey asks ${state.departments.join(', ')}, not ${department}`,
          ),
        )
      const unscored = scoresRefused(command.type, scores, state.dimensions)
      if (unscored) return E.left(unscored)
      return E.right([
        { type: 'StaffSurveyResponseRecorded', data: { ...command.data, period: state.period, at } },
      ])
    },
    CloseStaffSurvey: (command, state) => {
      const at = command.meta.occurredAt
      const denied = authorize(command)
      if (denied) return E.left(denied)
      if (state.status !== 'open') return E.left(wrongState(command.type, state.status, 'survey is not open'))
      return E.right([
        {
          type: 'StaffSurveyClosed',
          data: { surveyId: state.surveyId, responses: state.respondents.length, at },
        },
      ])
    },
  }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'StaffSurveyOpened': {
        const { surveyId, period, departments, dimensions } = event.data
        return { status: 'open', surveyId, period, departments, dimensions, respondents: [] }
      }
      case 'StaffSurveyResponseRecorded':
        return state.status === 'none'
          ? state
          : { ...state, respondents: [...state.respondents, event.data.staffId] }
      case 'StaffSurveyClosed':
        return state.status === 'none' ? state : { ...state, status: 'closed' }
    }
  },
})
