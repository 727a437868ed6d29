/**
 * A member of staff as the quality system knows them (篇4: a quality system, staff trained for their
 * work): their department and job role over time, and when they left. No name or contact: staff are
 * named by the id the company's HR system gives them.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { command, event } from '../shared/actor.js'
import { authorizedFirst } from '../shared/authorize.js'
import { type Decider, decideByCommand, type TimeOrdered, timeOrdered } from '../shared/decider.js'
import { ruleViolated, wrongState } from '../shared/errors.js'
import { Id, IsoDateTime, ShortText } from '../shared/values.js'

/** A job role, as the company names them: `customer-service`, `engineering`, `security` … */
export const JobRole = Id

export const RegisterStaffMember = command(
  'RegisterStaffMember',
  t.type({ staffId: Id, department: ShortText, jobRole: JobRole }),
)
export const ReassignStaffMember = command(
  'ReassignStaffMember',
  t.type({ staffId: Id, department: ShortText, jobRole: JobRole }),
)
export const RecordStaffDeparture = command('RecordStaffDeparture', t.type({ staffId: Id }))

export const StaffMemberCommand = t.union([RegisterStaffMember, ReassignStaffMember, RecordStaffDeparture])
export type StaffMemberCommand = t.TypeOf<typeof StaffMemberCommand>

export const StaffMemberRegistered = event(
  'StaffMemberRegistered',
  t.type({ staffId: Id, department: ShortText, jobRole: JobRole, at: IsoDateTime }),
)
export const StaffMemberReassigned = event(
  'StaffMemberReassigned',
  t.type({ staffId: Id, department: ShortText, jobRole: JobRole, at: IsoDateTime }),
)
export const StaffMemberDeparted = event('StaffMemberDeparted', t.type({ staffId: Id, at: IsoDateTime }))

export const StaffMemberEvent = t.union([StaffMemberRegistered, StaffMemberReassigned, StaffMemberDeparted])
export type StaffMemberEvent = t.TypeOf<typeof StaffMemberEvent>

export type StaffMemberState =
  | { readonly status: 'none' }
  | {
      readonly status: 'employed' | 'departed'
      readonly staffId: string
      readonly department: string
      readonly jobRole: string
    }

export const staffMemberDecider: Decider<
  StaffMemberCommand,
  StaffMemberEvent,
  StaffMemberState & TimeOrdered
> = timeOrdered<StaffMemberCommand, StaffMemberEvent, StaffMemberState>({
  initialState: { status: 'none' },
  decide: authorizedFirst(
    decideByCommand<StaffMemberCommand, StaffMemberEvent, StaffMemberState>({
      RegisterStaffMember: (command, state) => {
        const at = command.meta.occurredAt
        if (state.status !== 'none')
          return E.left(wrongState(command.type, state.status, 'staff member already registered'))
        return E.right([{ type: 'StaffMemberRegistered', data: { ...command.data, at } }])
      },
      ReassignStaffMember: (command, state) => {
        const at = command.meta.occurredAt
        if (state.status !== 'employed')
          return E.left(wrongState(command.type, state.status, 'only a current staff member is reassigned'))
        if (state.department === command.data.department && state.jobRole === command.data.jobRole)
          return E.left(ruleViolated(command.type, 'a-change', 'already in that department and role'))
        return E.right([{ type: 'StaffMemberReassigned', data: { ...command.data, at } }])
      },
      RecordStaffDeparture: (command, state) => {
        const at = command.meta.occurredAt
        if (state.status !== 'employed')
          return E.left(wrongState(command.type, state.status, 'only a current staff member leaves'))
        return E.right([{ type: 'StaffMemberDeparted', data: { staffId: state.staffId, at } }])
      },
    }),
  ),
  evolve: (state, event) => {
    switch (event.type) {
      case 'StaffMemberRegistered':
      case 'StaffMemberReassigned': {
        const { staffId, department, jobRole } = event.data
        return { status: 'employed', staffId, department, jobRole }
      }
      case 'StaffMemberDeparted':
        return state.status === 'none' ? state : { ...state, status: 'departed' }
    }
  },
})
