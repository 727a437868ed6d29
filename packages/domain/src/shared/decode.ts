import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { exceedsSize } from './structure.js'

/** One reason a value failed to decode: where, what was expected there, and what was found. */
export interface DecodeIssue {
  readonly path: string
  readonly expected: string
  readonly actual: string
}

/** Input that no codec accepts. `subject` says what was being decoded (e.g. `command FileComplaint`). */
export interface DecodeError {
  readonly _tag: 'DecodeError'
  readonly subject: string
  readonly issues: readonly DecodeIssue[]
  readonly message: string
}

const show = (value: unknown): string => {
  if (value === undefined) return 'undefined'
  try {
    const json = JSON.stringify(value)
    return json.length > 80 ? `${json.slice(0, 77)}...` : json
  } catch {
    return String(value)
  }
}

// Intersections and unions add context entries keyed by member index; those are not part of the path.
const isCombinator = (type: t.Decoder<unknown, unknown>): boolean => {
  let inner = type as { _tag?: string; type?: t.Decoder<unknown, unknown> }
  while ((inner._tag === 'ReadonlyType' || inner._tag === 'StrictType') && inner.type !== undefined)
    inner = inner.type as typeof inner
  return inner._tag === 'IntersectionType' || inner._tag === 'UnionType'
}

// The expected type is the one named at the path (e.g. `CommandMeta`), not an anonymous member of it.
const issueOf = (error: t.ValidationError): DecodeIssue => {
  const path: string[] = []
  let expected = error.context[0]?.type.name ?? 'unknown'
  for (let i = 1; i < error.context.length; i++) {
    const parent = error.context[i - 1]
    const entry = error.context[i]
    if (parent !== undefined && entry !== undefined && !isCombinator(parent.type)) {
      path.push(entry.key)
      expected = entry.type.name
    }
  }
  return { path: path.join('.') || '(root)', expected, actual: show(error.value) }
}

/** Turns io-ts validation errors into issues that name the path and the expected type. */
export const decodeIssues = (errors: t.Errors): DecodeIssue[] => {
  const seen = new Set<string>()
  const issues: DecodeIssue[] = []
  for (const error of errors) {
    const issue = issueOf(error)
    const key = issue.path
    if (!seen.has(key)) {
      seen.add(key)
      issues.push(issue)
    }
  }
  return issues
}

export const decodeError = (subject: string, issues: readonly DecodeIssue[]): DecodeError => ({
  _tag: 'DecodeError',
  subject,
  issues,
  message: `invalid ${subject}: ${issues.map((i) => `at ${i.path} expected ${i.expected}, got ${i.actual}`).join('; ')}`,
})

/**
 * Decodes with a codec that gives back what it accepts unchanged, its guard first: the guard allocates
 * nothing, and decoding runs only on what it refuses, to name the issues. Only for such codecs (the
 * domain's requests, commands, events and principals: a property test holds each guard to accept
 * exactly what its codec decodes); a codec that transforms (a number from a string) must decode.
 */
export const decodeGuardFirst = <A>(codec: t.Type<A, unknown, unknown>, input: unknown): t.Validation<A> =>
  codec.is(input) ? E.right(input) : codec.decode(input)

/** Decodes with a codec, reporting failures as a {@link DecodeError}. */
export const decodeWith =
  <A>(codec: t.Type<A, unknown, unknown>, subject: string) =>
  (input: unknown): E.Either<DecodeError, A> => {
    const result = codec.decode(input)
    return E.isRight(result) ? result : E.left(decodeError(subject, decodeIssues(result.left)))
  }

/**
 * Decodes a `{ type, ... }` message against the codec registered for its `type`. An unknown or missing
 * `type` is reported at path `type` with the known types listed, instead of one error per union member.
 */
export const decodeTagged =
  <A>(codecs: Readonly<Record<string, t.Type<A, unknown, unknown>>>, kind: 'command' | 'event') =>
  (input: unknown): E.Either<DecodeError, A> => {
    // Untrusted input is measured before any codec looks at it. Stored events are not: a codec reads
    // only the fields it names, to their declared depth, so nothing stored can make decoding recurse.
    const tooLarge = kind === 'command' ? exceedsSize(input) : undefined
    if (tooLarge !== undefined)
      return E.left(
        decodeError(kind, [{ path: tooLarge.path, expected: 'smaller input', actual: tooLarge.reason }]),
      )
    const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined
    const codec = typeof type === 'string' && Object.hasOwn(codecs, type) ? codecs[type] : undefined
    if (codec === undefined) {
      return E.left(
        decodeError(kind, [
          { path: 'type', expected: `one of ${Object.keys(codecs).join(', ')}`, actual: show(type) },
        ]),
      )
    }
    const result = decodeGuardFirst(codec, input)
    return E.isRight(result)
      ? result
      : E.left(decodeError(`${kind} ${type as string}`, decodeIssues(result.left)))
  }
