/** The simulation's half-yearly owner satisfaction surveys (满意度调查). */
import type { Random } from './random.js'
import type { SimulatedUnit } from './simulateFees.js'
import type { Send } from './simulateMeetings.js'

const DAY = 86_400_000

export const simulateSurveys = async (
  send: Send,
  random: Random,
  options: {
    readonly communityId: string
    readonly start: number
    readonly months: number
    readonly units: readonly SimulatedUnit[]
  },
): Promise<void> => {
  const { start, units, communityId } = options
  for (let half = 0; half * 6 < options.months; half++) {
    const at = start + (half * 6 + 5) * 30 * DAY
    const year = new Date(at).getUTCFullYear()
    const surveyId = `${communityId}-survey-${year}-h${(half % 2) + 1}`
    const period = `${year}-H${new Date(at).getUTCMonth() < 6 ? 1 : 2}`
    const dimensions = ['cleanliness', 'security', 'repairs', 'staff-attitude']
    await send('OpenSurvey', { surveyId, communityId, period, dimensions }, at)
    const responses: Array<{ ownerId: string; scores: Record<string, number>; at: number }> = []
    for (const unit of units) {
      if (!random.chance(0.6)) continue
      const scores = Object.fromEntries(dimensions.map((d) => [d, random.int(half % 2 === 0 ? 2 : 3, 5)]))
      responses.push({ ownerId: unit.ownerId, scores, at: at + random.int(1, 10) * DAY })
    }
    // Responses arrive in the order owners send them: time moves forward in the survey.
    for (const { ownerId, scores, at: answeredAt } of responses.sort((a, b) => a.at - b.at))
      await send('RecordSurveyResponse', { surveyId, ownerId, scores }, answeredAt, {
        id: ownerId,
        role: 'owner',
      })
    await send('CloseSurvey', { surveyId }, at + 14 * DAY)
  }
}
