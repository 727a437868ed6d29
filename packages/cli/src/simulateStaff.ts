/**
 * The simulation's staff (internal customers, 策略七; training, 篇4): a roster by department and job
 * role, with one leaving and one joining; courses required per role, held each quarter with most of
 * those required attending; and half-yearly staff satisfaction surveys by department.
 */
import type { Actor } from '@property-services/domain'
import { seededRandom } from './random.js'
import type { Send } from './simulateMeetings.js'

const DAY = 86_400_000
const HOUR = 3_600_000
const manager: Actor = { id: 'manager-1', role: 'manager' }
const staff: Actor = { id: 'staff-1', role: 'staff' }
const roles = ['customer-service', 'engineering', 'security', 'cleaning', 'finance'] as const
const courses = [
  {
    courseId: 'service-etiquette',
    title: 'Service etiquette',
    kind: 'business',
    requiredFor: ['customer-service', 'security'],
  },
  { courseId: 'lift-safety', title: 'Lift safety', kind: 'technical', requiredFor: ['engineering'] },
  { courseId: 'fire-drill', title: 'Fire drill', kind: 'technical', requiredFor: [...roles] },
  {
    courseId: 'fee-rules',
    title: 'Fees and their rules',
    kind: 'business',
    requiredFor: ['finance', 'customer-service'],
  },
] as const
const dimensions = ['workload', 'tools', 'training', 'management']

export const simulateStaff = async (
  send: Send,
  options: { readonly seed: number; readonly start: number; readonly months: number },
): Promise<{ readonly staff: number }> => {
  const random = seededRandom(options.seed)
  const { start } = options
  const end = start + options.months * 30 * DAY
  // The roster: two to four of each role; each works in the department of the same name.
  const roster: Array<{ staffId: string; role: string; from: number; until: number }> = []
  for (const role of roles) {
    for (let i = random.int(2, 4); i > 0; i--) {
      const staffId = `st-${role.slice(0, 3)}-${i}`
      roster.push({ staffId, role, from: start, until: Number.POSITIVE_INFINITY })
      await send('RegisterStaffMember', { staffId, department: role, jobRole: role }, start, manager)
    }
  }
  if (options.months >= 4) {
    const leaving = random.pick(roster)
    leaving.until = start + 100 * DAY
    await send('RecordStaffDeparture', { staffId: leaving.staffId }, leaving.until, manager)
    const joining = {
      staffId: 'st-new-1',
      role: leaving.role,
      from: start + 110 * DAY,
      until: Number.POSITIVE_INFINITY,
    }
    roster.push(joining)
    await send(
      'RegisterStaffMember',
      { staffId: joining.staffId, department: joining.role, jobRole: joining.role },
      joining.from,
      manager,
    )
  }
  for (const course of courses)
    await send('DefineCourse', { ...course, requiredFor: [...course.requiredFor] }, start, manager)
  // A session of each course each quarter; about four in five of those it is required of attend.
  for (let quarter = 0; quarter * 90 * DAY < end - start; quarter++) {
    for (const [i, course] of courses.entries()) {
      const at = start + quarter * 90 * DAY + (20 + i * 7) * DAY + 2 * HOUR
      if (at > end) continue
      const attendees = roster
        .filter(
          (s) => s.from <= at && at < s.until && (course.requiredFor as readonly string[]).includes(s.role),
        )
        .filter(() => random.chance(0.8))
        .map((s) => s.staffId)
      if (attendees.length > 0)
        await send(
          'RecordTrainingSession',
          { courseId: course.courseId, sessionId: `q${quarter + 1}`, attendees },
          at,
          staff,
        )
    }
  }
  // Personal-information protection (PIPL) training becomes required late in the story, with one session
  // so far: some of those it is required of have not had it yet.
  if (options.months >= 10) {
    const at = start + (options.months - 2) * 30 * DAY
    await send(
      'DefineCourse',
      {
        courseId: 'pipl',
        title: 'Personal information protection',
        kind: 'business',
        requiredFor: ['customer-service', 'finance'],
      },
      at,
      manager,
    )
    const attendees = roster
      .filter((s) => s.from <= at && at < s.until && (s.role === 'customer-service' || s.role === 'finance'))
      .filter(() => random.chance(0.5))
      .map((s) => s.staffId)
    if (attendees.length > 0)
      await send(
        'RecordTrainingSession',
        { courseId: 'pipl', sessionId: 'first', attendees },
        at + 14 * DAY,
        staff,
      )
  }
  // Half-yearly staff surveys, by department; each answers for themself.
  for (let half = 0; half * 6 < options.months; half++) {
    const at = start + (half * 6 + 5) * 30 * DAY + DAY
    const date = new Date(at)
    const period = `${date.getUTCFullYear()}-H${date.getUTCMonth() < 6 ? 1 : 2}`
    const surveyId = `staff-survey-${period}`
    await send('OpenStaffSurvey', { surveyId, period, departments: [...roles], dimensions }, at, manager)
    const responses: Array<{
      staffId: string
      department: string
      scores: Record<string, number>
      at: number
    }> = []
    for (const member of roster) {
      if (!(member.from <= at && at < member.until) || !random.chance(0.8)) continue
      // Engineering carries the most work; everyone a little happier in the second half.
      const scores = Object.fromEntries(
        dimensions.map((d) => [
          d,
          Math.min(5, random.int(d === 'workload' && member.role === 'engineering' ? 1 : 2, 4) + (half % 2)),
        ]),
      )
      responses.push({
        staffId: member.staffId,
        department: member.role,
        scores,
        at: at + random.int(1, 7) * DAY,
      })
    }
    // Answers arrive in the order staff send them: time moves forward in the survey.
    for (const { staffId, department, scores, at: answeredAt } of responses.sort((a, b) => a.at - b.at))
      await send('RecordStaffSurveyResponse', { surveyId, staffId, department, scores }, answeredAt, {
        id: staffId,
        role: 'staff',
      })
    await send('CloseStaffSurvey', { surveyId }, at + 10 * DAY, manager)
  }
  return { staff: roster.length }
}
