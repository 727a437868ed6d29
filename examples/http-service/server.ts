/**
 * Embedding the library in an HTTP service, safely: POST /commands handles a command from the actor a
 * bearer token names; GET /analytics/:dimension, /repeats and /satisfaction/:granularity read the read
 * models, which a projection runner keeps live; GET /deadlines lists the warnings and escalations the
 * deadline watch will send, which, with the corrective-action watch, runs beside it. Plain node:http,
 * no framework.
 *
 * What reaches the handler is bounded before it gets there: a token or 401, JSON or 415, at most
 * `maxBodyBytes` or 413, parseable or 400. Every error is an RFC 9457 problem document that says what
 * the caller can fix and nothing of the server's internals.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import {
  commandHandler,
  type EventStore,
  type HandleError,
  type KeyStore,
  reconcileErasures,
  serde,
} from '@property-services/infrastructure'
import {
  allProjections,
  complaintAnalyticsQueries,
  correctiveActionWatch,
  type Dimension,
  deadlineWatch,
  deadlineWatchName,
  inMemoryReadModelStore,
  pendingCommandsOf,
  projectionRunner,
  repeatComplaintQueries,
  type Scheduler,
  satisfactionTrendQueries,
  systemScheduler,
} from '@property-services/projections'
import { authenticator, type TokenOptions } from './auth.js'

export interface ServiceOptions {
  readonly events: EventStore
  /** Owners' data keys: personal data is stored encrypted, and erasing it deletes the key. */
  readonly keys: KeyStore
  readonly tokens: TokenOptions
  /** Largest request body accepted; default 64 KiB. */
  readonly maxBodyBytes?: number
  readonly port?: number
  /** Where unexpected errors are logged (never sent to the caller); default console.error. */
  readonly log?: (error: unknown) => void
  /** The clock of the handler and of the watches; default the system clock. */
  readonly scheduler?: Scheduler
}

interface Problem {
  readonly status: number
  readonly title: string
  readonly detail?: string
  readonly [extension: string]: unknown
}

class TooLarge extends Error {}

const readBody = async (request: IncomingMessage, maxBytes: number): Promise<string> => {
  const declared = Number(request.headers['content-length'] ?? 0)
  if (declared > maxBytes) throw new TooLarge()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > maxBytes) throw new TooLarge()
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** What each refusal of the handler means over HTTP. */
const statusOf: Record<HandleError['_tag'], number> = {
  DecodeError: 400,
  NotAllowed: 403,
  WrongState: 409,
  DuplicateCommandId: 409,
  RuleViolated: 422,
  UnstorableEvent: 422,
  ConcurrencyConflict: 503,
}

const problemOf = (error: HandleError): Problem => {
  const status = statusOf[error._tag]
  switch (error._tag) {
    case 'DecodeError':
      return { status, title: 'Invalid command', detail: error.message, issues: error.issues }
    case 'UnstorableEvent':
      // The caller cannot fix this alone, and the details are the server's: say only what happened.
      return { status, title: 'Command could not be recorded', detail: 'the command was refused' }
    default:
      return { status, title: error._tag, detail: error.message }
  }
}

export const startService = async (options: ServiceOptions) => {
  const { events } = options
  const maxBodyBytes = options.maxBodyBytes ?? 65_536
  const log = options.log ?? ((error: unknown) => console.error(error))
  const authenticate = authenticator(options.tokens)
  const readModels = inMemoryReadModelStore()
  // One runner reads the log once for every read model.
  const runner = projectionRunner({ events, readModels, projections: allProjections() }).start()
  // An erasure a crash interrupted last time is completed before anything else.
  await reconcileErasures({ store: events, keys: options.keys, serde: serde({ keys: options.keys }) })
  const scheduler = options.scheduler ?? systemScheduler
  const { handle } = commandHandler({ store: events, keys: options.keys, clock: scheduler.now })
  // Automation beside it: warnings and escalations when deadlines come, corrective actions reopened.
  const watched = { events, readModels, handler: { handle }, scheduler, onError: log }
  const watches = [deadlineWatch(watched).start(), correctiveActionWatch(watched).start()]
  const analytics = complaintAnalyticsQueries(readModels)
  const repeats = repeatComplaintQueries(readModels)
  const satisfaction = satisfactionTrendQueries(readModels)

  const reply = (response: ServerResponse, status: number, payload: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    response.end(JSON.stringify(payload))
  }
  const problem = (
    response: ServerResponse,
    { status, ...rest }: Problem,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { 'content-type': 'application/problem+json; charset=utf-8', ...headers })
    response.end(JSON.stringify({ type: 'about:blank', status, ...rest }))
  }

  const postCommand = async (request: IncomingMessage, response: ServerResponse) => {
    const actor = await authenticate(request.headers.authorization)
    if (actor === undefined)
      return problem(
        response,
        { status: 401, title: 'Unauthorized', detail: 'send a valid bearer token' },
        { 'www-authenticate': 'Bearer' },
      )
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json')
      return problem(response, {
        status: 415,
        title: 'Unsupported Media Type',
        detail: 'send application/json',
      })
    let text: string
    try {
      text = await readBody(request, maxBodyBytes)
    } catch (error) {
      if (error instanceof TooLarge) {
        response.setHeader('connection', 'close')
        return problem(response, {
          status: 413,
          title: 'Content Too Large',
          detail: `at most ${maxBodyBytes} bytes`,
        })
      }
      throw error
    }
    let input: unknown
    try {
      input = JSON.parse(text)
    } catch {
      return problem(response, { status: 400, title: 'Invalid JSON', detail: 'the body is not JSON' })
    }
    const result = await handle(input, { actor })
    if (result._tag === 'Left') {
      const headers: Record<string, string> =
        result.left._tag === 'ConcurrencyConflict' ? { 'retry-after': '1' } : {}
      return problem(response, problemOf(result.left), headers)
    }
    return reply(response, 200, {
      stream: result.right.streamName,
      duplicate: result.right.duplicate,
      events: result.right.events,
    })
  }

  const server: Server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost')
      const [, first, second] = url.pathname.split('/')
      if (request.method === 'POST' && first === 'commands' && second === undefined)
        return await postCommand(request, response)
      if (
        request.method === 'GET' &&
        first === 'analytics' &&
        ['category', 'subject', 'channel', 'department'].includes(second ?? '')
      )
        return reply(response, 200, await analytics.by(second as Dimension))
      if (request.method === 'GET' && first === 'repeats')
        return reply(response, 200, { repeats: await repeats.repeats(), rates: await repeats.rates() })
      if (
        request.method === 'GET' &&
        first === 'satisfaction' &&
        ['month', 'quarter', 'half'].includes(second ?? '')
      )
        return reply(response, 200, await satisfaction.trend(second as 'month'))
      if (request.method === 'GET' && first === 'deadlines' && second === undefined)
        return reply(
          response,
          200,
          (await pendingCommandsOf(readModels, deadlineWatchName)).map((p) => ({
            due: p.from,
            command: p.command.type,
            complaintId: p.command.data.complaintId,
          })),
        )
      problem(response, { status: 404, title: 'Not Found' })
    } catch (error) {
      log(error)
      if (!response.headersSent) problem(response, { status: 500, title: 'Internal Server Error' })
      else response.destroy()
    }
  })
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const address = server.address()
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : options.port}`,
    stop: async () => {
      for (const watch of watches) await watch.stop()
      await runner.stop()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
