/**
 * Every aggregate of the domain in one table: its stream category, decider, codecs and the field of a
 * command that names the instance. Streams are named `<category>-<id>`, e.g. `complaint-c123`.
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { CommunityCommand, CommunityEvent, communityDecider } from './communities/community.js'
import { ComplaintCommand, ComplaintEvent, complaintDecider } from './complaints/complaint.js'
import { FeeAccountCommand, FeeAccountEvent, feeAccountDecider } from './fees/feeAccount.js'
import { SharedCostCommand, SharedCostEvent, sharedCostDecider } from './fees/sharedCost.js'
import { MeetingCommand, MeetingEvent, meetingDecider } from './meetings/meeting.js'
import { OwnerCommand, OwnerEvent, ownerDecider } from './owners/owner.js'
import { defaultPolicies, type Policies } from './policies.js'
import {
  CorrectiveActionCommand,
  CorrectiveActionEvent,
  correctiveActionDecider,
} from './quality/correctiveAction.js'
import { ServiceCommand, ServiceEvent, serviceDecider } from './services/service.js'
import { ServiceOrderCommand, ServiceOrderEvent, serviceOrderDecider } from './services/serviceOrder.js'
import {
  ServicePackageCommand,
  ServicePackageEvent,
  servicePackageDecider,
} from './services/servicePackage.js'
import type { Actor } from './shared/actor.js'
import { commandFrom } from './shared/businessTime.js'
import type { Decider } from './shared/decider.js'
import { type DecodeError, decodeTagged } from './shared/decode.js'
import type { DomainError } from './shared/errors.js'
import { StaffMemberCommand, StaffMemberEvent, staffMemberDecider } from './staff/staffMember.js'
import { StaffSurveyCommand, StaffSurveyEvent, staffSurveyDecider } from './surveys/staffSurvey.js'
import { SurveyCommand, SurveyEvent, surveyDecider } from './surveys/survey.js'
import { CourseCommand, CourseEvent, courseDecider } from './training/course.js'
import { UnitCommand, UnitEvent, unitDecider } from './units/unit.js'

/** Any command of the domain. */
export const Command = t.union([
  ...CommunityCommand.types,
  ...UnitCommand.types,
  ...OwnerCommand.types,
  ...ServiceCommand.types,
  ...ServicePackageCommand.types,
  ...ServiceOrderCommand.types,
  ...ComplaintCommand.types,
  ...FeeAccountCommand.types,
  SharedCostCommand,
  ...SurveyCommand.types,
  ...MeetingCommand.types,
  ...StaffSurveyCommand.types,
  ...StaffMemberCommand.types,
  ...CourseCommand.types,
  ...CorrectiveActionCommand.types,
])
export type Command = t.TypeOf<typeof Command>

/** Any event of the domain. */
export const Event = t.union([
  ...CommunityEvent.types,
  ...UnitEvent.types,
  ...OwnerEvent.types,
  ...ServiceEvent.types,
  ...ServicePackageEvent.types,
  ...ServiceOrderEvent.types,
  ...ComplaintEvent.types,
  ...FeeAccountEvent.types,
  SharedCostEvent,
  ...SurveyEvent.types,
  ...MeetingEvent.types,
  ...StaffSurveyEvent.types,
  ...StaffMemberEvent.types,
  ...CourseEvent.types,
  ...CorrectiveActionEvent.types,
])
export type Event = t.TypeOf<typeof Event>

export type CommandType = Command['type']
export type EventType = Event['type']

/** One aggregate: how its commands and events are named, decoded and decided. */
export interface Aggregate<C extends Command = Command, Ev extends Event = Event, S = unknown> {
  /** The stream category: the part of the stream name before the first `-`. */
  readonly category: string
  readonly decider: Decider<C, Ev, S>
  readonly commandTypes: readonly C['type'][]
  readonly eventTypes: readonly Ev['type'][]
  /** The aggregate instance a command is for. */
  readonly idOf: (command: C) => string
}

const typesOf = <T extends { readonly type: string }>(codec: t.Type<T> | t.UnionType<t.Type<T>[]>) =>
  ('types' in codec ? codec.types : [codec]).map((member) => member.name as T['type'])

const aggregate = <C extends Command, Ev extends Event, S>(
  category: string,
  decider: Decider<C, Ev, S>,
  commands: t.Type<C> | t.UnionType<t.Type<C>[]>,
  events: t.Type<Ev> | t.UnionType<t.Type<Ev>[]>,
  idOf: (command: C) => string,
): Aggregate<C, Ev, S> => ({
  category,
  decider,
  commandTypes: typesOf(commands),
  eventTypes: typesOf(events),
  idOf,
})

/** Every aggregate under the given policies. */
export const aggregates = (policies: Policies = defaultPolicies) =>
  ({
    community: aggregate(
      'community',
      communityDecider,
      CommunityCommand,
      CommunityEvent,
      (c) => c.data.communityId,
    ),
    unit: aggregate('unit', unitDecider, UnitCommand, UnitEvent, (c) => c.data.unitId),
    owner: aggregate('owner', ownerDecider, OwnerCommand, OwnerEvent, (c) => c.data.ownerId),
    service: aggregate('service', serviceDecider, ServiceCommand, ServiceEvent, (c) => c.data.serviceId),
    servicePackage: aggregate(
      'servicePackage',
      servicePackageDecider,
      ServicePackageCommand,
      ServicePackageEvent,
      (c) => c.data.packageId,
    ),
    serviceOrder: aggregate(
      'serviceOrder',
      serviceOrderDecider,
      ServiceOrderCommand,
      ServiceOrderEvent,
      (c) => c.data.orderId,
    ),
    complaint: aggregate(
      'complaint',
      complaintDecider(policies),
      ComplaintCommand,
      ComplaintEvent,
      (c) => c.data.complaintId,
    ),
    feeAccount: aggregate(
      'feeAccount',
      feeAccountDecider(policies),
      FeeAccountCommand,
      FeeAccountEvent,
      (c) => c.data.unitId,
    ),
    sharedCost: aggregate(
      'sharedCost',
      sharedCostDecider,
      SharedCostCommand,
      SharedCostEvent,
      (c) => c.data.sharedCostId,
    ),
    survey: aggregate('survey', surveyDecider, SurveyCommand, SurveyEvent, (c) => c.data.surveyId),
    meeting: aggregate('meeting', meetingDecider, MeetingCommand, MeetingEvent, (c) => c.data.meetingId),
    staffSurvey: aggregate(
      'staffSurvey',
      staffSurveyDecider,
      StaffSurveyCommand,
      StaffSurveyEvent,
      (c) => c.data.surveyId,
    ),
    staffMember: aggregate(
      'staffMember',
      staffMemberDecider,
      StaffMemberCommand,
      StaffMemberEvent,
      (c) => c.data.staffId,
    ),
    course: aggregate('course', courseDecider, CourseCommand, CourseEvent, (c) => c.data.courseId),
    correctiveAction: aggregate(
      'correctiveAction',
      correctiveActionDecider,
      CorrectiveActionCommand,
      CorrectiveActionEvent,
      (c) => c.data.actionId,
    ),
  }) as const

export type Aggregates = ReturnType<typeof aggregates>
export type AggregateName = keyof Aggregates

const byType = <T extends { readonly type: string }>(codec: t.UnionType<t.Type<T>[]>) =>
  Object.fromEntries(codec.types.map((member) => [member.name, member])) as Record<string, t.Type<T>>

/** The codec of each command, by its `type`. */
export const commandCodecs = byType(Command as unknown as t.UnionType<t.Type<Command>[]>)
/** The codec of each event, by its `type`. */
export const eventCodecs = byType(Event as unknown as t.UnionType<t.Type<Event>[]>)

/**
 * What a caller sends for a command: `{ type, commandId, data, correlationId?, occurredAt? }`. The
 * actor and the recording time are not part of it: the command handler adds them (see {@link toCommand}).
 */
export type CommandRequest = Command extends infer C
  ? C extends { readonly type: infer T; readonly data: infer D }
    ? {
        readonly type: T
        readonly commandId: string
        readonly correlationId?: string
        readonly occurredAt?: string
        readonly data: D
      }
    : never
  : never

/** The codec of each command request, by its `type`. */
export const requestCodecs = Object.fromEntries(
  Object.entries(commandCodecs).map(([type, codec]) => [
    type,
    (codec as unknown as { request: t.Mixed }).request,
  ]),
) as Record<string, t.Type<CommandRequest, unknown, unknown>>

/**
 * Decodes an untrusted request: exact (unknown fields are refused), bounded (lengths, amounts, dates,
 * nesting), never throwing. A refusal names the path and what was expected there.
 */
export const decodeRequest: (input: unknown) => E.Either<DecodeError, CommandRequest> = decodeTagged(
  requestCodecs,
  'command',
)

/** Decodes a whole command, metadata included (for tests and tools; callers send requests). */
export const decodeCommand: (input: unknown) => E.Either<DecodeError, Command> = decodeTagged(
  commandCodecs,
  'command',
)

/**
 * The command a request becomes, with metadata from trusted sources: the authenticated principal and
 * the time of recording. Refused when the request's business time breaks the backdating rule.
 */
export const toCommand = (
  request: CommandRequest,
  principal: Actor,
  recordedAt: string,
  policies: Pick<Policies, 'maxBackdatingHours'> = defaultPolicies,
): E.Either<DomainError, Command> =>
  commandFrom(request, principal, recordedAt, policies) as E.Either<DomainError, Command>
/** Decodes a stored or received event, or says which field is wrong and what was expected. */
export const decodeEvent: (input: unknown) => E.Either<DecodeError, Event> = decodeTagged(
  eventCodecs,
  'event',
)

/** The aggregate that handles a command of the given type. */
export const aggregateFor = (all: Aggregates, type: CommandType): Aggregate =>
  Object.values(all).find((a) => (a.commandTypes as readonly string[]).includes(type)) as unknown as Aggregate

/** The stream a command is appended to: `<category>-<id>`. */
export const streamOf = (all: Aggregates, command: Command): string => {
  const aggregate = aggregateFor(all, command.type)
  return `${aggregate.category}-${aggregate.idOf(command)}`
}

/**
 * The unit a command names when the decision needs to know who owns it (an owner acts only for their
 * own units). Unit commands themselves need no lookup.
 */
export const unitNamedBy = (command: Command): string | undefined =>
  command.type === 'RegisterUnit' ||
  command.type === 'AssignUnitOwner' ||
  command.type === 'TransferUnitOwnership'
    ? undefined
    : 'unitId' in command.data
      ? command.data.unitId
      : undefined
