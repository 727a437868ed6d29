/**
 * Authentication for the example service: bearer tokens (JWT, HS256) signed with `jose`. The token says
 * who acts (`sub`) and in which role (`role`); the command handler gets that principal, never anything
 * from the request body. A real deployment verifies tokens from its identity provider (an asymmetric key
 * set, `createRemoteJWKSet`); the shared secret here is for development and tests.
 */
import { type Actor, Actor as ActorCodec } from '@property-services/domain'
import { jwtVerify, SignJWT } from 'jose'

export interface TokenOptions {
  /** The HMAC secret, at least 32 bytes. In development, from PROPERTY_SERVICES_DEV_SECRET. */
  readonly secret: string
  readonly issuer?: string
  readonly audience?: string
}

const defaults = { issuer: 'property-services-dev', audience: 'property-services' }

const keyOf = (secret: string): Uint8Array => {
  const key = new TextEncoder().encode(secret)
  if (key.length < 32) throw new Error('the token secret must be at least 32 bytes')
  return key
}

/** The development secret from the environment; refuses to start without a strong one. */
export const developmentSecret = (env: NodeJS.ProcessEnv = process.env): string => {
  const secret = env.PROPERTY_SERVICES_DEV_SECRET
  if (secret === undefined || secret.length < 32)
    throw new Error('set PROPERTY_SERVICES_DEV_SECRET to a random string of 32 or more characters')
  return secret
}

/** Signs a token naming the actor (for development and tests). */
export const signToken = async (actor: Actor, options: TokenOptions, expiresIn = '15m'): Promise<string> =>
  new SignJWT({
    role: actor.role,
    ...(actor.communities === undefined ? {} : { communities: actor.communities }),
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(actor.id)
    .setIssuer(options.issuer ?? defaults.issuer)
    .setAudience(options.audience ?? defaults.audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(keyOf(options.secret))

/**
 * The actor an `Authorization: Bearer ...` header proves, or undefined when there is no header, the
 * token is not valid (signature, algorithm, issuer, audience, expiry) or does not name a known actor.
 */
export const authenticator = (options: TokenOptions) => {
  const key = keyOf(options.secret)
  return async (authorization: string | undefined): Promise<Actor | undefined> => {
    const match = /^Bearer ([A-Za-z0-9_.-]{1,4096})$/.exec(authorization ?? '')
    if (match === null) return undefined
    try {
      const { payload } = await jwtVerify(match[1] as string, key, {
        algorithms: ['HS256'],
        issuer: options.issuer ?? defaults.issuer,
        audience: options.audience ?? defaults.audience,
        requiredClaims: ['sub', 'exp'],
      })
      // The communities a member of staff acts in, with the role in each, are a claim of the token too.
      const actor = ActorCodec.decode({
        id: payload.sub,
        role: payload.role,
        ...(payload.communities === undefined ? {} : { communities: payload.communities }),
      })
      return actor._tag === 'Right' ? actor.right : undefined
    } catch {
      return undefined
    }
  }
}
