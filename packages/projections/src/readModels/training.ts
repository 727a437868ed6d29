/**
 * Training (篇4): which staff lack a course their job role requires, as of a date. Staff keep their
 * assignments over time, courses their requirements over time, and attendance its times, each sorted by
 * business time; a question about a date reads each as of that date, whatever the storage order.
 */
import type { Document, ReadModelStore } from '../readModelStore/port.js'
import { readerCollection } from '../runner/generations.js'
import type { Projection } from '../runner/projection.js'

export const trainingName = 'training'

export interface StaffDoc extends Document {
  /** `<UTC ISO time>|<department>|<job role>`, sorted. */
  readonly assignments: readonly string[]
  readonly departedAt: string | null
}

export interface CourseDoc extends Document {
  readonly title: string
  readonly kind: string
  readonly definedAt: string
  /** `<UTC ISO time>|<job role>,<job role>…`, sorted. */
  readonly requirements: readonly string[]
  readonly retiredAt: string | null
}

export interface AttendanceDoc extends Document {
  /** `<UTC ISO time>|<course id>`, sorted. */
  readonly sessions: readonly string[]
}

interface Collections {
  readonly [collection: string]: Document
  readonly staff: StaffDoc
  readonly courses: CourseDoc
  readonly attendance: AttendanceDoc
}

const utc = (at: string) => new Date(at).toISOString()
const inserted = (list: readonly string[], item: string) =>
  list.includes(item) ? list : [...list, item].sort()
/** The last entry of a sorted `<time>|…` list at or before `moment`, without its time. */
const asOf = (list: readonly string[], moment: string): string | undefined =>
  list
    .filter((e) => e.slice(0, 24) <= moment)
    .at(-1)
    ?.slice(25)

export const training = (): Projection<Collections> => ({
  name: trainingName,
  collections: ['staff', 'courses', 'attendance'],
  canHandle: [
    'StaffMemberRegistered',
    'StaffMemberReassigned',
    'StaffMemberDeparted',
    'CourseDefined',
    'CourseRequirementChanged',
    'CourseRetired',
    'TrainingSessionHeld',
  ],
  prefetch: ({ event }) => {
    const data = event.data as { staffId?: string; courseId?: string; attendees?: readonly string[] }
    if (event.type === 'TrainingSessionHeld')
      return (data.attendees ?? []).map((id) => ['attendance', id] as const)
    return data.staffId !== undefined ? [['staff', data.staffId]] : [['courses', data.courseId ?? '']]
  },
  project({ event }, view) {
    switch (event.type) {
      case 'StaffMemberRegistered':
      case 'StaffMemberReassigned': {
        const { staffId, department, jobRole, at } = event.data
        const before = view.get('staff', staffId) ?? { _id: staffId, assignments: [], departedAt: null }
        const doc: StaffDoc = {
          ...before,
          assignments: inserted(before.assignments, `${utc(at)}|${department}|${jobRole}`),
        }
        return [{ collection: 'staff', id: staffId, doc }]
      }
      case 'StaffMemberDeparted': {
        const before = view.get('staff', event.data.staffId)
        if (before === undefined) return []
        return [{ collection: 'staff', id: before._id, doc: { ...before, departedAt: utc(event.data.at) } }]
      }
      case 'CourseDefined': {
        const { courseId, title, kind, requiredFor, at } = event.data
        const before = view.get('courses', courseId)
        const doc: CourseDoc = {
          _id: courseId,
          title,
          kind,
          definedAt: utc(at),
          requirements: inserted(before?.requirements ?? [], `${utc(at)}|${requiredFor.join(',')}`),
          retiredAt: before?.retiredAt ?? null,
        }
        return [{ collection: 'courses', id: courseId, doc }]
      }
      case 'CourseRequirementChanged':
      case 'CourseRetired': {
        const { courseId, at } = event.data
        const before = view.get('courses', courseId) ?? {
          _id: courseId,
          title: courseId,
          kind: '',
          definedAt: utc(at),
          requirements: [],
          retiredAt: null,
        }
        const doc: CourseDoc =
          event.type === 'CourseRetired'
            ? { ...before, retiredAt: utc(at) }
            : {
                ...before,
                requirements: inserted(before.requirements, `${utc(at)}|${event.data.requiredFor.join(',')}`),
              }
        return [{ collection: 'courses', id: courseId, doc }]
      }
      case 'TrainingSessionHeld': {
        const { courseId, attendees, at } = event.data
        return attendees.map((staffId) => {
          const before = view.get('attendance', staffId) ?? { _id: staffId, sessions: [] }
          return {
            collection: 'attendance',
            id: staffId,
            doc: { ...before, sessions: inserted(before.sessions, `${utc(at)}|${courseId}`) },
          }
        })
      }
      default:
        return []
    }
  },
})

export interface MissingTraining {
  readonly staffId: string
  readonly department: string
  readonly jobRole: string
  /** The required courses not attended by the date, by id. */
  readonly missing: readonly string[]
}

export interface CourseCoverage {
  readonly courseId: string
  readonly title: string
  readonly kind: string
  /** Staff whose role requires it as of the date, and how many of them attended it by then. */
  readonly required: number
  readonly trained: number
}

/** Queries over the training read model that readers currently see. */
export const trainingQueries = (readModels: ReadModelStore) => {
  const all = async (name: string) => (await readerCollection(readModels, trainingName, name)).find()
  const standing = async (at: string) => {
    const moment = utc(at)
    const [staff, courses, attendance] = await Promise.all([all('staff'), all('courses'), all('attendance')])
    const offered = (courses as CourseDoc[])
      .filter((c) => c.definedAt <= moment && (c.retiredAt === null || c.retiredAt > moment))
      .map((c) => ({ course: c, roles: (asOf(c.requirements, moment) ?? '').split(',').filter(Boolean) }))
    const attended = new Map(
      (attendance as AttendanceDoc[]).map((a) => [
        a._id,
        new Set(a.sessions.filter((s) => s.slice(0, 24) <= moment).map((s) => s.slice(25))),
      ]),
    )
    const people = (staff as StaffDoc[]).flatMap((s) => {
      const assignment = asOf(s.assignments, moment)
      if (assignment === undefined || (s.departedAt !== null && s.departedAt <= moment)) return []
      const [department = '', jobRole = ''] = assignment.split('|')
      const required = offered.filter((o) => o.roles.includes(jobRole)).map((o) => o.course._id)
      const done = attended.get(s._id) ?? new Set<string>()
      return [
        { staffId: s._id, department, jobRole, required, missing: required.filter((c) => !done.has(c)) },
      ]
    })
    return { offered, people }
  }
  return {
    /** Staff employed on `asOf` who lack a course their job role required then, by staff id. */
    missing: async (asOf: string): Promise<MissingTraining[]> =>
      (await standing(asOf)).people
        .filter((p) => p.missing.length > 0)
        .map(({ required: _, ...p }) => p)
        .sort((a, b) => (a.staffId < b.staffId ? -1 : 1)),
    /** Per course offered on `asOf`: how many staff it was required of, and how many had attended. */
    coverage: async (asOf: string): Promise<CourseCoverage[]> => {
      const { offered, people } = await standing(asOf)
      return [...offered]
        .sort((a, b) => (a.course._id < b.course._id ? -1 : 1))
        .map(({ course }) => {
          const requiredOf = people.filter((p) => p.required.includes(course._id))
          return {
            courseId: course._id,
            title: course.title,
            kind: course.kind,
            required: requiredOf.length,
            trained: requiredOf.filter((p) => !p.missing.includes(course._id)).length,
          }
        })
    },
  }
}
