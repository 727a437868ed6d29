import {
  type DecodeIssue,
  decodeGuardFirst,
  decodeIssues,
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
 * Why an event could not be read back as it is, or an empty list when it can: it must pass the codec
 * that will read it, name no field that codec does not, and fit {@link maxEventBytes} as JSON.
 *
 * The event object itself is decoded, not its JSON: every value codec refuses what a JSON round trip
 * would change (NaN and Infinity, Dates, holes, undefined where a value is required), and JSON drops
 * only what no codec asks for (undefined optional fields), so what passes here reads back the same. It
 * is stricter than the round trip only where JSON would quietly convert (a Date into a string). A
 * property test checks both directions.
 */
export const unstorableIssues = (event: Event): DecodeIssue[] => {
  const codec = eventCodecs[event.type]
  if (codec === undefined) return [{ path: 'type', expected: 'an event type', actual: String(event.type) }]
  let bytes: number
  try {
    const text = JSON.stringify(event)
    // A UTF-16 code unit is at most three bytes of UTF-8: a short text's length is bound enough.
    bytes = text.length * 3 <= maxEventBytes ? text.length : Buffer.byteLength(text)
  } catch (error) {
    return [{ path: '(root)', expected: 'JSON', actual: String(error) }]
  }
  if (bytes > maxEventBytes)
    return [{ path: 'data', expected: `at most ${maxEventBytes} bytes of JSON`, actual: `${bytes} bytes` }]
  const decoded = decodeGuardFirst(codec, event)
  if (E.isLeft(decoded)) return decodeIssues(decoded.left)
  return unknownFields(codec, event).map((path) => ({
    path: path.join('.'),
    expected: 'no such field',
    actual: 'a value',
  }))
}
