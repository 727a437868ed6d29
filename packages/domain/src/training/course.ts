/**
 * Training (篇4: business and technical training of staff). A course is business or technical and is
 * required for some job roles; its sessions record who attended. Whether a staff member has the
 * training their role requires is a question for the training read model.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { command, event } from '../shared/actor.js'
import { authorizedFirst } from '../shared/authorize.js'
import { type Decider, decideByCommand, type TimeOrdered, timeOrdered } from '../shared/decider.js'
import { type DomainError, ruleViolated, wrongState } from '../shared/errors.js'
import { boundedArray } from '../shared/structure.js'
import { Id, IsoDateTime, ShortText } from '../shared/values.js'
import { JobRole } from '../staff/staffMember.js'

export const CourseKind = t.keyof({ business: null, technical: null }, 'CourseKind')
const JobRoles = boundedArray(JobRole, 50, 'JobRoles')
/** Up to 500 attendees per session: a large all-hands briefing, not more. */
const Attendees = boundedArray(Id, 500, 'Attendees')
/** How many sessions one course keeps track of. */
export const maxSessionsPerCourse = 1_000

export const DefineCourse = command(
  'DefineCourse',
  t.type({ courseId: Id, title: ShortText, kind: CourseKind, requiredFor: JobRoles }),
)
export const ChangeCourseRequirement = command(
  'ChangeCourseRequirement',
  t.type({ courseId: Id, requiredFor: JobRoles }),
)
export const RecordTrainingSession = command(
  'RecordTrainingSession',
  t.type({ courseId: Id, sessionId: Id, attendees: Attendees }),
)
export const RetireCourse = command('RetireCourse', t.type({ courseId: Id }))

export const CourseCommand = t.union([
  DefineCourse,
  ChangeCourseRequirement,
  RecordTrainingSession,
  RetireCourse,
])
export type CourseCommand = t.TypeOf<typeof CourseCommand>

export const CourseDefined = event(
  'CourseDefined',
  t.type({ courseId: Id, title: ShortText, kind: CourseKind, requiredFor: JobRoles, at: IsoDateTime }),
)
export const CourseRequirementChanged = event(
  'CourseRequirementChanged',
  t.type({ courseId: Id, requiredFor: JobRoles, at: IsoDateTime }),
)
export const TrainingSessionHeld = event(
  'TrainingSessionHeld',
  t.type({ courseId: Id, sessionId: Id, attendees: Attendees, at: IsoDateTime }),
)
export const CourseRetired = event('CourseRetired', t.type({ courseId: Id, at: IsoDateTime }))

export const CourseEvent = t.union([
  CourseDefined,
  CourseRequirementChanged,
  TrainingSessionHeld,
  CourseRetired,
])
export type CourseEvent = t.TypeOf<typeof CourseEvent>

export type CourseState =
  | { readonly status: 'none' }
  | {
      readonly status: 'offered' | 'retired'
      readonly courseId: string
      readonly requiredFor: readonly string[]
      readonly sessions: readonly string[]
    }

const distinct = (items: readonly string[]) => new Set(items).size === items.length

/** A course not on offer: why a command about a course is refused. */
const notOffered = (command: CourseCommand, state: CourseState): DomainError | undefined =>
  state.status === 'offered' ? undefined : wrongState(command.type, state.status, 'the course is not offered')

export const courseDecider: Decider<CourseCommand, CourseEvent, CourseState & TimeOrdered> = timeOrdered<
  CourseCommand,
  CourseEvent,
  CourseState
>({
  initialState: { status: 'none' },
  decide: authorizedFirst(
    decideByCommand<CourseCommand, CourseEvent, CourseState>({
      DefineCourse: (command, state) => {
        if (state.status !== 'none')
          return E.left(wrongState(command.type, state.status, 'course already defined'))
        if (!distinct(command.data.requiredFor))
          return E.left(ruleViolated(command.type, 'distinct', 'name each job role once'))
        return E.right([{ type: 'CourseDefined', data: { ...command.data, at: command.meta.occurredAt } }])
      },
      ChangeCourseRequirement: (command, state) => {
        const refused = notOffered(command, state)
        if (refused) return E.left(refused)
        if (!distinct(command.data.requiredFor))
          return E.left(ruleViolated(command.type, 'distinct', 'name each job role once'))
        return E.right([
          { type: 'CourseRequirementChanged', data: { ...command.data, at: command.meta.occurredAt } },
        ])
      },
      RecordTrainingSession: (command, state) => {
        const refused = notOffered(command, state)
        if (refused) return E.left(refused)
        if (state.status === 'none') return E.left(wrongState(command.type, 'none', 'no such course'))
        const { sessionId, attendees } = command.data
        if (state.sessions.includes(sessionId))
          return E.left(
            ruleViolated(command.type, 'new-session', `session ${sessionId} was recorded already`),
          )
        if (state.sessions.length >= maxSessionsPerCourse)
          return E.left(
            ruleViolated(
              command.type,
              'session-limit',
              `a course keeps at most ${maxSessionsPerCourse} sessions`,
            ),
          )
        if (attendees.length === 0 || !distinct(attendees))
          return E.left(ruleViolated(command.type, 'attendees', 'one or more distinct attendees'))
        return E.right([
          { type: 'TrainingSessionHeld', data: { ...command.data, at: command.meta.occurredAt } },
        ])
      },
      RetireCourse: (command, state) => {
        const refused = notOffered(command, state)
        if (refused) return E.left(refused)
        if (state.status === 'none') return E.left(wrongState(command.type, 'none', 'no such course'))
        return E.right([
          { type: 'CourseRetired', data: { courseId: state.courseId, at: command.meta.occurredAt } },
        ])
      },
    }),
  ),
  evolve: (state, event) => {
    switch (event.type) {
      case 'CourseDefined':
        return {
          status: 'offered',
          courseId: event.data.courseId,
          requiredFor: event.data.requiredFor,
          sessions: [],
        }
      case 'CourseRequirementChanged':
        return state.status === 'none' ? state : { ...state, requiredFor: event.data.requiredFor }
      case 'TrainingSessionHeld':
        return state.status === 'none'
          ? state
          : { ...state, sessions: [...state.sessions, event.data.sessionId] }
      case 'CourseRetired':
        return state.status === 'none' ? state : { ...state, status: 'retired' }
    }
  },
})
