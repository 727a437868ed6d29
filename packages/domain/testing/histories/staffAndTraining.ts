/** Scripts of generated histories: staff members and training courses. */
import type { CourseState, StaffMemberState } from '@property-services/domain'
import { actorFor, build, cast, pickOf, type Script, text } from './script.js'
import { departments } from './surveys.js'

const jobRoles = ['customer-service', 'engineering', 'security', 'cleaning']
const staffMemberId = 'staff-7'

export const staffMemberScript: Script<StaffMemberState> = {
  next: (s) =>
    s.status === 'none'
      ? ['RegisterStaffMember']
      : s.status === 'employed'
        ? ['ReassignStaffMember', 'RecordStaffDeparture']
        : [],
  build: (type, state, env) => {
    const { pick } = env.step
    const manager = actorFor(env, cast.manager)
    switch (type) {
      case 'RegisterStaffMember':
        return build(
          type,
          {
            staffId: staffMemberId,
            department: pickOf(departments, pick),
            jobRole: pickOf(jobRoles, pick >> 2),
          },
          manager,
        )
      case 'ReassignStaffMember': {
        // Another role than the current one, so that it is a change.
        const current = state.status === 'none' ? '' : state.jobRole
        const others = jobRoles.filter((r) => r !== current)
        return build(
          type,
          {
            staffId: staffMemberId,
            department: pickOf(departments, pick),
            jobRole: pickOf(others, pick >> 2),
          },
          manager,
        )
      }
      case 'RecordStaffDeparture':
        return build(type, { staffId: staffMemberId }, manager)
      default:
        throw new Error(`not a staff member command: ${type}`)
    }
  },
}

const courseId = 'course-1'

export const courseScript: Script<CourseState> = {
  next: (s) =>
    s.status === 'none'
      ? ['DefineCourse']
      : s.status === 'offered'
        ? ['RecordTrainingSession', 'RecordTrainingSession', 'ChangeCourseRequirement', 'RetireCourse']
        : [],
  build: (type, _state, env) => {
    const { pick, flag } = env.step
    const manager = actorFor(env, cast.manager)
    const roles = jobRoles.slice(
      pick % jobRoles.length,
      1 + ((pick >> 2) % jobRoles.length) + (pick % jobRoles.length),
    )
    switch (type) {
      case 'DefineCourse':
        return build(
          type,
          {
            courseId,
            title: text('Lift safety', env),
            kind: flag ? 'technical' : 'business',
            requiredFor: roles,
          },
          manager,
        )
      case 'ChangeCourseRequirement':
        return build(type, { courseId, requiredFor: roles }, manager)
      case 'RecordTrainingSession':
        return build(
          type,
          {
            courseId,
            sessionId: `session-${env.index}`,
            attendees: Array.from({ length: 1 + (pick % 6) }, (_, i) => `staff-${i + 1}`),
          },
          actorFor(env, flag ? cast.staff : cast.manager),
        )
      case 'RetireCourse':
        return build(type, { courseId }, manager)
      default:
        throw new Error(`not a course command: ${type}`)
    }
  },
}
