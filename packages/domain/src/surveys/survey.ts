/** A half-yearly satisfaction survey (满意度调查): scores of 1-5 per dimension, one response per owner. */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { CommunityId, inRegisteredCommunity } from '../communities/community.js'
import { command, event } from '../shared/actor.js'
import { authorize, communityActedIn } from '../shared/authorize.js'
import { type Decider, decideByCommand, type TimeOrdered, timeOrdered } from '../shared/decider.js'
import { type DomainError, ruleViolated, wrongState } from '../shared/errors.js'
import { boundedArray, boundedRecord } from '../shared/structure.js'
import { HalfYear, Id, Int, IsoDateTime, Score } from '../shared/values.js'

/** A dimension of satisfaction, e.g. `cleanliness` or `staff-attitude`. */
export const Dimension = Id
/** The dimensions a survey asks about. */
export const Dimensions = boundedArray(Dimension, 20, 'Dimensions')
/** One response: a score of 1-5 per dimension. */
export const Scores = boundedRecord(Dimension, Score, 20, 'Scores')

export const OpenSurvey = command(
  'OpenSurvey',
  t.type({ surveyId: Id, communityId: CommunityId, period: HalfYear, dimensions: Dimensions }),
)
export const RecordSurveyResponse = command(
  'RecordSurveyResponse',
  t.type({ surveyId: Id, ownerId: Id, scores: Scores }),
)
export const CloseSurvey = command('CloseSurvey', t.type({ surveyId: Id }))

export const SurveyCommand = t.union([OpenSurvey, RecordSurveyResponse, CloseSurvey])
export type SurveyCommand = t.TypeOf<typeof SurveyCommand>

export const SurveyOpened = event(
  'SurveyOpened',
  t.type({
    surveyId: Id,
    communityId: CommunityId,
    period: HalfYear,
    dimensions: Dimensions,
    at: IsoDateTime,
  }),
)
export const SurveyResponseRecorded = event(
  'SurveyResponseRecorded',
  t.type({
    surveyId: Id,
    /** The survey's community and half-year, said again for satisfaction by community and period. */
    communityId: CommunityId,
    period: HalfYear,
    ownerId: Id,
    scores: Scores,
    at: IsoDateTime,
  }),
)
export const SurveyClosed = event('SurveyClosed', t.type({ surveyId: Id, responses: Int, at: IsoDateTime }))

export const SurveyEvent = t.union([SurveyOpened, SurveyResponseRecorded, SurveyClosed])
export type SurveyEvent = t.TypeOf<typeof SurveyEvent>

export type SurveyState =
  | { readonly status: 'none' }
  | {
      readonly status: 'open' | 'closed'
      readonly surveyId: string
      readonly communityId: string
      readonly period: string
      readonly dimensions: readonly string[]
      readonly respondents: readonly string[]
    }

/** Why a response's scores are refused: they must score exactly the survey's dimensions (any survey). */
export const scoresRefused = (
  type: string,
  scores: Readonly<Record<string, number>>,
  dimensions: readonly string[],
): DomainError | undefined =>
  Object.keys(scores).length === dimensions.length && dimensions.every((d) => Object.hasOwn(scores, d))
    ? undefined
    : ruleViolated(type, 'all-dimensions', `score exactly these dimensions: ${dimensions.join(', ')}`)

export const surveyDecider: Decider<SurveyCommand, SurveyEvent, SurveyState & TimeOrdered> = timeOrdered<
  SurveyCommand,
  SurveyEvent,
  SurveyState
>({
  initialState: { status: 'none' },
  decide: decideByCommand<SurveyCommand, SurveyEvent, SurveyState>({
    OpenSurvey: (command, state, context) => {
      const at = command.meta.occurredAt
      const denied = authorize(command, { community: command.data.communityId })
      if (denied) return E.left(denied)
      const unknown = inRegisteredCommunity(command, command.data.communityId, context)
      if (unknown) return E.left(unknown)
      if (state.status !== 'none')
        return E.left(wrongState(command.type, state.status, 'survey already opened'))
      const { dimensions } = command.data
      if (dimensions.length === 0 || new Set(dimensions).size !== dimensions.length)
        return E.left(
          ruleViolated(command.type, 'dimensions', 'a survey asks about one or more distinct dimensions'),
        )
      return E.right([{ type: 'SurveyOpened', data: { ...command.data, at } }])
    },
    RecordSurveyResponse: (command, state) => {
      const at = command.meta.occurredAt
      const denied = authorize(command, {
        owner: command.data.ownerId,
        community: communityActedIn(command, state, undefined),
      })
      if (denied) return E.left(denied)
      if (state.status !== 'open') return E.left(wrongState(command.type, state.status, 'survey is not open'))
      if (state.respondents.includes(command.data.ownerId))
        return E.left(
          ruleViolated(command.type, 'one-response', `owner ${command.data.ownerId} already responded`),
        )
      const unscored = scoresRefused(command.type, command.data.scores, state.dimensions)
      if (unscored) return E.left(unscored)
      return E.right([
        {
          type: 'SurveyResponseRecorded',
          data: { ...command.data, communityId: state.communityId, period: state.period, at },
        },
      ])
    },
    CloseSurvey: (command, state) => {
      const at = command.meta.occurredAt
      const denied = authorize(command, { community: communityActedIn(command, state, undefined) })
      if (denied) return E.left(denied)
      if (state.status !== 'open') return E.left(wrongState(command.type, state.status, 'survey is not open'))
      return E.right([
        {
          type: 'SurveyClosed',
          data: { surveyId: state.surveyId, responses: state.respondents.length, at },
        },
      ])
    },
  }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'SurveyOpened': {
        const { surveyId, communityId, period, dimensions } = event.data
        return { status: 'open', surveyId, communityId, period, dimensions, respondents: [] }
      }
      case 'SurveyResponseRecorded':
        return state.status === 'none'
          ? state
          : { ...state, respondents: [...state.respondents, event.data.ownerId] }
      case 'SurveyClosed':
        return state.status === 'none' ? state : { ...state, status: 'closed' }
    }
  },
})
