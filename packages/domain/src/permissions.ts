/**
 * Who may do what: the one table of the domain's authorization. Every decider asks {@link authorize},
 * which reads this table; the role matrix in docs/permissions.md is generated from it.
 *
 * A grant is one of:
 * - `always`: the role may issue the command;
 * - `self`: only for themself, the owner (or staff member) the command is about;
 * - `own-unit`: only for themself, and about a unit they own;
 * - `within-limit`: up to a limit of the policies (staff adjust a bill down by at most
 *   `staffAdjustmentLimitFen`; more needs a manager, who may waive).
 * A role a command does not list may not issue it. The `system` role is for automation (the deadline
 * and corrective-action watches): it is granted only what automation does.
 */
import type { CommandType } from './aggregates.js'
import type { Role } from './shared/actor.js'

export type Grant = 'always' | 'self' | 'own-unit' | 'within-limit'
export type Grants = Readonly<Partial<Record<Role, Grant>>>

const staff: Grants = { staff: 'always', manager: 'always' }
const manager: Grants = { manager: 'always' }
const ownerForThemself: Grants = { owner: 'self', staff: 'always', manager: 'always' }
const ownerOfTheUnit: Grants = { owner: 'own-unit', staff: 'always', manager: 'always' }

export const permissions: Readonly<Record<CommandType, Grants>> = {
  RegisterCommunity: manager,
  ChangeCommunityProfile: manager,
  RegisterUnit: staff,
  AssignUnitOwner: staff,
  TransferUnitOwnership: staff,
  RegisterOwner: staff,
  GradeOwner: staff,
  RecordOwnerVisit: staff,
  ChangeOwnerContact: ownerForThemself,
  EraseOwnerPersonalData: { owner: 'self', manager: 'always' },
  SubscribeToPackage: ownerOfTheUnit,
  UnsubscribeFromPackage: ownerForThemself,
  PublishService: manager,
  ChangeServicePrice: manager,
  RetireService: manager,
  ComposeServicePackage: manager,
  RetireServicePackage: manager,
  RequestServiceOrder: ownerOfTheUnit,
  ScheduleServiceOrder: staff,
  DeliverServiceOrder: staff,
  RateServiceOrder: { owner: 'self' },
  CancelServiceOrder: ownerForThemself,
  FileComplaint: ownerOfTheUnit,
  AcknowledgeComplaint: staff,
  ProposeResolution: staff,
  DispatchComplaint: staff,
  ResolveComplaint: staff,
  RejectComplaint: staff,
  NotifyComplaintOutcome: staff,
  CloseComplaint: ownerForThemself,
  ReopenComplaint: ownerForThemself,
  EscalateComplaint: { system: 'always', manager: 'always' },
  WarnOfReplyDeadline: { system: 'always', manager: 'always' },
  IssueBill: staff,
  RecordPayment: ownerOfTheUnit,
  WaiveCharge: manager,
  AdjustBill: { staff: 'within-limit', manager: 'always' },
  ApportionSharedCost: staff,
  OpenSurvey: staff,
  RecordSurveyResponse: ownerForThemself,
  CloseSurvey: staff,
  ScheduleMeeting: staff,
  HoldMeeting: staff,
  CancelMeeting: staff,
  RaiseActionItem: staff,
  CloseActionItem: staff,
  OpenStaffSurvey: staff,
  RecordStaffSurveyResponse: { staff: 'self', manager: 'self' },
  CloseStaffSurvey: staff,
  RegisterStaffMember: manager,
  ReassignStaffMember: manager,
  RecordStaffDeparture: manager,
  DefineCourse: manager,
  ChangeCourseRequirement: manager,
  RecordTrainingSession: staff,
  RetireCourse: manager,
  OpenCorrectiveAction: staff,
  CompleteCorrectiveAction: staff,
  ReviewCorrectiveAction: manager,
  ReopenCorrectiveAction: { staff: 'always', manager: 'always', system: 'always' },
}

/** What a role is granted for a command, or undefined when it may not issue it. */
export const grantOf = (type: CommandType, role: Role): Grant | undefined => permissions[type][role]

/** Staff may record what happened earlier (a business time before the recording time); owners may not. */
export const mayBackdate = (role: Role): boolean => role === 'staff' || role === 'manager'
