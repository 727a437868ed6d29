import type { Role } from './actor.js'

/**
 * Expected failures of a decision. Deciders return these in a `Left`; they never throw.
 * - `NotAllowed`: the actor's role or relation to the subject forbids the command.
 * - `WrongState`: the command does not fit where the aggregate is in its lifecycle.
 * - `RuleViolated`: the command breaks a business rule (an amount, a score, a duplicate).
 */
export type DomainError =
  | {
      readonly _tag: 'NotAllowed'
      readonly command: string
      readonly role: Role
      readonly message: string
    }
  | {
      readonly _tag: 'WrongState'
      readonly command: string
      readonly state: string
      readonly message: string
    }
  | {
      readonly _tag: 'RuleViolated'
      readonly command: string
      readonly rule: string
      readonly message: string
    }

export const notAllowed = (command: string, role: Role, message: string): DomainError => ({
  _tag: 'NotAllowed',
  command,
  role,
  message,
})

export const wrongState = (command: string, state: string, message: string): DomainError => ({
  _tag: 'WrongState',
  command,
  state,
  message,
})

export const ruleViolated = (command: string, rule: string, message: string): DomainError => ({
  _tag: 'RuleViolated',
  command,
  rule,
  message,
})
