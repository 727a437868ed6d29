import * as E from 'fp-ts/lib/Either.js'
import type { CommandType } from '../aggregates.js'
import { grantOf } from '../permissions.js'
import type { CommandMeta } from './actor.js'
import type { CommandDecision, DecisionContext } from './decider.js'
import { type DomainError, notAllowed } from './errors.js'

interface Commanded {
  readonly type: string
  readonly meta: CommandMeta
}

/** What the command is about, as far as who may issue it goes. */
export interface Subject {
  /** The owner the command is about (from its data or the aggregate's state). */
  readonly owner?: string | undefined
  /** The person a `self` grant is about when it is not an owner (a staff member answering a survey). */
  readonly self?: string | undefined
  /** The unit the command names, for `own-unit` grants; the context says who owns it. */
  readonly unitId?: string | undefined
  readonly context?: DecisionContext | undefined
}

/**
 * Whether the actor may issue the command, by the table in `permissions.ts`: undefined when allowed, a
 * `NotAllowed` naming the reason otherwise. `within-limit` grants pass here; the decider checks the limit.
 */
export const authorize = (command: Commanded, subject: Subject = {}): DomainError | undefined => {
  const { actor } = command.meta
  const grant = grantOf(command.type as CommandType, actor.role)
  const refuse = (why: string) => notAllowed(command.type, actor.role, why)
  switch (grant) {
    case undefined:
      return refuse(`a ${actor.role} may not ${command.type}`)
    case 'always':
    case 'within-limit':
      return undefined
    case 'self': {
      const person = subject.self ?? subject.owner
      return person !== undefined && actor.id === person
        ? undefined
        : refuse(`${actor.role} ${actor.id} may ${command.type} only for themself, not for ${person}`)
    }
    case 'own-unit':
      if (subject.owner !== undefined && actor.id !== subject.owner)
        return refuse(`${actor.role} ${actor.id} may not act for owner ${subject.owner}`)
      return subject.context?.unitOwner === actor.id
        ? undefined
        : refuse(`owner ${actor.id} does not own unit ${subject.unitId}`)
  }
}

/**
 * A decision made only when the table lets the actor issue the command: for aggregates whose every
 * command is granted by role alone (no owner or unit to check), before anything else is looked at.
 */
export const authorizedFirst =
  <C extends Commanded, Ev, S>(decide: CommandDecision<C, Ev, S>): CommandDecision<C, Ev, S> =>
  (command, state, context) => {
    const denied = authorize(command)
    return denied === undefined ? decide(command, state, context) : E.left(denied)
  }
