/**
 * Personal-data fields as stored: AES-256-GCM under the owner's data key, with the event id and field
 * name as additional data (a ciphertext moved to another event or field does not decrypt). The stored
 * value names its owner, so reading needs only the key store.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto'
import { erased } from '@property-services/domain'
import type { DataKey } from '../keys/port.js'

/** A personal-data field as stored. */
export interface Encrypted {
  readonly $encrypted: {
    readonly owner: string
    /** The id of the owner's key that sealed it. */
    readonly key: string
    readonly iv: string
    readonly data: string
    readonly tag: string
  }
}

export const isEncrypted = (value: unknown): value is Encrypted => {
  const inner = (value as { $encrypted?: unknown } | null)?.$encrypted as Record<string, unknown> | undefined
  return (
    typeof inner === 'object' &&
    inner !== null &&
    typeof inner.owner === 'string' &&
    typeof inner.key === 'string' &&
    typeof inner.iv === 'string' &&
    typeof inner.data === 'string' &&
    typeof inner.tag === 'string'
  )
}

const aad = (eventId: string, field: string) => Buffer.from(`${eventId}/${field}`, 'utf8')

// Initialisation vectors: 96 random bits each, drawn from the system's CSPRNG a few hundred at a time
// (one call per IV costs more than the encryption of a short field).
const ivPool = Buffer.alloc(12 * 256)
let ivOffset = ivPool.length
const nextIv = (): Buffer => {
  if (ivOffset === ivPool.length) {
    randomFillSync(ivPool)
    ivOffset = 0
  }
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + 12))
  ivOffset += 12
  return iv
}

/** Encrypts a field's value (as JSON) for its owner. */
export const encryptField = (
  value: unknown,
  owner: string,
  key: DataKey,
  eventId: string,
  field: string,
): Encrypted => {
  const iv = nextIv()
  const cipher = createCipheriv('aes-256-gcm', key.key, iv)
  cipher.setAAD(aad(eventId, field))
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()])
  return {
    $encrypted: {
      owner,
      key: key.id,
      iv: iv.toString('base64'),
      data: data.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    },
  }
}

/**
 * The field's value, or the erased marker when the key that sealed it is gone (deleted, or replaced by
 * a new key after an erasure). A ciphertext that does not authenticate under its own key throws: that
 * is tampering, not an erasure.
 */
export const decryptField = (
  stored: Encrypted,
  key: DataKey | undefined,
  eventId: string,
  field: string,
): unknown => {
  if (key === undefined || key.id !== stored.$encrypted.key) return erased
  const { iv, data, tag } = stored.$encrypted
  const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64'))
  decipher.setAAD(aad(eventId, field))
  decipher.setAuthTag(Buffer.from(tag, 'base64'))
  const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()])
  return JSON.parse(plain.toString('utf8')) as unknown
}
