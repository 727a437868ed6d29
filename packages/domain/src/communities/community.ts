/**
 * A community (小区, 项目): the place a property company serves, with its own units, owners, staff,
 * surveys and meetings. Every unit belongs to one community; complaints, orders and bills belong to the
 * community of their unit. What happened before communities existed belongs to {@link DEFAULT_COMMUNITY}.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { command, event } from '../shared/actor.js'
import { authorizedFirst } from '../shared/authorize.js'
import type { WorkingCalendar } from '../shared/calendar.js'
import {
  type Decider,
  type DecisionContext,
  decideByCommand,
  type TimeOrdered,
  timeOrdered,
} from '../shared/decider.js'
import { type DomainError, wrongState } from '../shared/errors.js'
import { readonlyArrayOf, strict } from '../shared/structure.js'
import { FreeText, Id, IsoDate, IsoDateTime, refine, ShortText } from '../shared/values.js'

/**
 * The community of everything stored before communities existed, and of a company that has one. It
 * needs no registration: upcast events name it.
 */
export const DEFAULT_COMMUNITY = 'default'

/** A community's id: an {@link Id}. */
export const CommunityId = Id

// Making a formatter to ask the runtime costs about 75 µs, and a community's events are decoded for
// every command in it. Zones the runtime accepted are remembered, up to a bound (the runtime accepts
// any spelling of a zone's case, so callers could otherwise grow the set without end).
const knownTimeZones = new Set<string>()
const knownTimeZonesLimit = 1_000
/** An IANA time zone the runtime knows, such as `Asia/Shanghai` or `Asia/Urumqi`. */
export const TimeZone = refine('TimeZone', t.string, (s) => {
  if (knownTimeZones.has(s)) return true
  if (s.length === 0 || s.length > 64) return false
  try {
    new Intl.DateTimeFormat('en', { timeZone: s })
  } catch {
    return false
  }
  if (knownTimeZones.size < knownTimeZonesLimit) knownTimeZones.add(s)
  return true
})

/** Days of the week that are not working days: 0 is Sunday, 6 is Saturday; at most six of them. */
const WeekendDays = refine(
  'WeekendDays',
  readonlyArrayOf(t.number),
  (days) =>
    days.length <= 6 &&
    new Set(days).size === days.length &&
    days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6),
)

/** Up to 400 dates, each once. */
const Dates = refine(
  'Dates',
  readonlyArrayOf(IsoDate),
  (dates) => dates.length <= 400 && new Set(dates).size === dates.length,
)

/**
 * The community's working calendar: its weekend, and its own holidays and make-up working days (调休)
 * on top of the company's (the policies' calendar: statutory holidays apply in every community).
 */
export const CommunityCalendar = strict(
  t.readonly(t.type({ weekendDays: WeekendDays, holidays: Dates, extraWorkingDays: Dates })),
  'CommunityCalendar',
)
export type CommunityCalendar = t.TypeOf<typeof CommunityCalendar>

/**
 * The service standard the community is contracted at: the three grades of the national standard for
 * ordinary residential communities (普通住宅小区物业管理服务等级标准), grade one being the highest.
 */
export const ServiceGrade = t.keyof({ 'grade-1': null, 'grade-2': null, 'grade-3': null }, 'ServiceGrade')
export type ServiceGrade = t.TypeOf<typeof ServiceGrade>

const profile = {
  name: ShortText,
  address: FreeText,
  timeZone: TimeZone,
  calendar: CommunityCalendar,
  serviceGrade: ServiceGrade,
}

export const RegisterCommunity = command(
  'RegisterCommunity',
  t.type({ communityId: CommunityId, ...profile }),
)
export const ChangeCommunityProfile = command(
  'ChangeCommunityProfile',
  t.type({ communityId: CommunityId, ...profile }),
)

export const CommunityCommand = t.union([RegisterCommunity, ChangeCommunityProfile])
export type CommunityCommand = t.TypeOf<typeof CommunityCommand>

export const CommunityRegistered = event(
  'CommunityRegistered',
  t.type({ communityId: CommunityId, ...profile, at: IsoDateTime }),
)
export const CommunityProfileChanged = event(
  'CommunityProfileChanged',
  t.type({ communityId: CommunityId, ...profile, at: IsoDateTime }),
)

export const CommunityEvent = t.union([CommunityRegistered, CommunityProfileChanged])
export type CommunityEvent = t.TypeOf<typeof CommunityEvent>

export type CommunityProfile = Omit<t.TypeOf<typeof RegisterCommunity>['data'], 'communityId'>

export type CommunityState =
  | { readonly status: 'none' }
  | { readonly status: 'registered'; readonly communityId: string; readonly profile: CommunityProfile }

const profileOf = ({ communityId: _, at: __, ...rest }: CommunityEvent['data']): CommunityProfile => rest

/**
 * Communities are the company's: a manager registers them (a company-level role, or a manager of that
 * community for its profile).
 */
export const communityDecider: Decider<CommunityCommand, CommunityEvent, CommunityState & TimeOrdered> =
  timeOrdered<CommunityCommand, CommunityEvent, CommunityState>({
    initialState: { status: 'none' },
    decide: authorizedFirst(
      decideByCommand<CommunityCommand, CommunityEvent, CommunityState>({
        RegisterCommunity: (command, state) =>
          state.status !== 'none'
            ? E.left(wrongState(command.type, state.status, 'community already registered'))
            : E.right([
                { type: 'CommunityRegistered', data: { ...command.data, at: command.meta.occurredAt } },
              ]),
        ChangeCommunityProfile: (command, state) =>
          state.status === 'none'
            ? E.left(wrongState(command.type, state.status, 'community not registered'))
            : E.right([
                { type: 'CommunityProfileChanged', data: { ...command.data, at: command.meta.occurredAt } },
              ]),
      }),
    ),
    evolve: (_, event) => ({
      status: 'registered',
      communityId: event.data.communityId,
      profile: profileOf(event.data),
    }),
  })

const offsetFormats = new Map<string, Intl.DateTimeFormat>()

/** The offset of a time zone from UTC at a moment, in minutes (Asia/Shanghai: 480), from the runtime's ICU. */
export const utcOffsetMinutesAt = (timeZone: string, at: string): number => {
  let format = offsetFormats.get(timeZone)
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    offsetFormats.set(timeZone, format)
  }
  // `GMT+08:00`, `GMT-03:30`, or `GMT` itself for UTC.
  const name = format.formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT'
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name)
  return match === null ? 0 : (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]))
}

/**
 * A community's working calendar at a moment, as deadlines count working days: its time zone's offset
 * then, its weekend, and its holidays and make-up working days added to the company's.
 */
export const workingCalendarOf = (
  profile: CommunityProfile,
  at: string,
  company: WorkingCalendar,
): WorkingCalendar => ({
  utcOffsetMinutes: utcOffsetMinutesAt(profile.timeZone, at),
  weekendDays: profile.calendar.weekendDays,
  holidays: [...company.holidays, ...profile.calendar.holidays],
  extraWorkingDays: [...company.extraWorkingDays, ...profile.calendar.extraWorkingDays],
})

/**
 * Refuses what would be created in a community nobody registered (a mistyped id would make a community
 * of its own), when the application looked it up. The default community needs no registration.
 */
export const inRegisteredCommunity = (
  command: { readonly type: string },
  communityId: string,
  context: DecisionContext | undefined,
): DomainError | undefined =>
  communityId !== DEFAULT_COMMUNITY && context?.communityRegistered === false
    ? wrongState(command.type, 'none', `community ${communityId} is not registered`)
    : undefined

/**
 * The community of the unit a new complaint, order or corrective action is about (from the context the
 * handler looked up), or a refusal when the unit is not registered: then it belongs to no community, and
 * no one can say who may act on it.
 */
export const communityOfUnit = (
  command: { readonly type: string },
  unitId: string,
  context: DecisionContext | undefined,
): E.Either<DomainError, string> =>
  context?.unitCommunity === undefined
    ? E.left(wrongState(command.type, 'none', `unit ${unitId} is not registered`))
    : E.right(context.unitCommunity)
