import * as E from 'fp-ts/lib/Either.js'
import { mayBackdate } from '../permissions.js'
import type { Policies } from '../policies.js'
import type { Actor, CommandMeta } from './actor.js'
import { type DomainError, notAllowed, ruleViolated } from './errors.js'
import { isoMillis } from './isoTime.js'

/** A request as the command handler received it: the command without its metadata. */
export interface RequestLike {
  readonly type: string
  readonly commandId: string
  readonly correlationId?: string | undefined
  readonly occurredAt?: string | undefined
  readonly data: unknown
}

/**
 * Turns a decoded request into a command, with metadata from trusted sources: the principal the
 * embedding backend authenticated and the time its clock recorded. The business time is the recording
 * time, unless staff say it happened earlier (a complaint phoned in last night, entered this morning):
 * never later than it was recorded, and no more than `maxBackdatingHours` before.
 */
export const commandFrom = <R extends RequestLike>(
  request: R,
  principal: Actor,
  recordedAt: string,
  policies: Pick<Policies, 'maxBackdatingHours'>,
): E.Either<DomainError, Omit<R, 'commandId' | 'correlationId' | 'occurredAt'> & { meta: CommandMeta }> => {
  const { commandId, correlationId, occurredAt, ...command } = request
  if (occurredAt !== undefined && occurredAt !== recordedAt) {
    if (!mayBackdate(principal.role))
      return E.left(
        notAllowed(request.type, principal.role, `a ${principal.role} may not set when something happened`),
      )
    const lag = isoMillis(recordedAt) - isoMillis(occurredAt)
    if (lag < 0)
      return E.left(
        ruleViolated(request.type, 'business-time', `${occurredAt} is later than now (${recordedAt})`),
      )
    if (lag > policies.maxBackdatingHours * 3_600_000)
      return E.left(
        ruleViolated(
          request.type,
          'business-time',
          `${occurredAt} is more than ${policies.maxBackdatingHours} hours before it was recorded (${recordedAt})`,
        ),
      )
  }
  const meta: CommandMeta = {
    commandId,
    correlationId: correlationId ?? commandId,
    actor:
      principal.communities === undefined
        ? { id: principal.id, role: principal.role }
        : { id: principal.id, role: principal.role, communities: principal.communities },
    occurredAt: occurredAt ?? recordedAt,
    recordedAt,
  }
  return E.right({ ...command, meta })
}
