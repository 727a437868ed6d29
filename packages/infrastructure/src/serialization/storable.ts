import {
  type DecodeIssue,
  decodeEvent,
  type Event,
  eventCodecs,
  unknownFields,
} from '@property-services/domain'
import * as E from 'fp-ts/lib/Either.js'

/**
 * The largest event, as JSON, that is stored: far below MongoDB's 16 MiB document limit, so that no read
 * model built from it can outgrow one.
 */
export const maxEventBytes = 1_048_576

/**
 * Why an event could not be read back as it is, or an empty list when it can: it is checked against
 * the codec that will read it (after the JSON round trip every store makes), must name no field that
 * codec does not, must read back unchanged, and must fit {@link maxEventBytes}.
 */
export const unstorableIssues = (event: Event): DecodeIssue[] => {
  const codec = eventCodecs[event.type]
  if (codec === undefined) return [{ path: 'type', expected: 'an event type', actual: String(event.type) }]
  let json: string
  try {
    json = JSON.stringify(codec.encode(event))
  } catch (error) {
    return [{ path: '(root)', expected: 'JSON', actual: String(error) }]
  }
  if (Buffer.byteLength(json) > maxEventBytes)
    return [
      {
        path: 'data',
        expected: `at most ${maxEventBytes} bytes of JSON`,
        actual: `${Buffer.byteLength(json)} bytes`,
      },
    ]
  const stored = JSON.parse(json) as unknown
  const decoded = decodeEvent(stored)
  if (E.isLeft(decoded)) return [...decoded.left.issues]
  const unknown = unknownFields(codec, stored).map((path) => ({
    path: path.join('.'),
    expected: 'no such field',
    actual: 'a value',
  }))
  if (unknown.length > 0) return unknown
  if (JSON.stringify(codec.encode(decoded.right)) !== json)
    return [{ path: '(root)', expected: 'the same event when read back', actual: 'a different one' }]
  return []
}
