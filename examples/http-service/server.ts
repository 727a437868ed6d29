/**
 * Embedding the library in an HTTP service: POST /commands handles a command; GET /analytics/:dimension,
 * /repeats and /satisfaction/:granularity read the read models, which a projection runner keeps live.
 * Plain node:http, no framework: the packages are all it needs.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { commandHandler, type EventStore } from '@property-services/infrastructure'
import {
  allProjections,
  complaintAnalyticsQueries,
  type Dimension,
  inMemoryReadModelStore,
  projectionRunner,
  repeatComplaintQueries,
  satisfactionTrendQueries,
} from '@property-services/projections'

const body = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

export const startService = async (events: EventStore, port = 0) => {
  const readModels = inMemoryReadModelStore()
  const runners = allProjections().map((projection) =>
    projectionRunner({ events, readModels, projection, batchMs: 10 }).start(),
  )
  const { handle } = commandHandler({ store: events })
  const analytics = complaintAnalyticsQueries(readModels)
  const repeats = repeatComplaintQueries(readModels)
  const satisfaction = satisfactionTrendQueries(readModels)

  const server: Server = createServer(async (request, response) => {
    const reply = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(payload))
    }
    try {
      const url = new URL(request.url ?? '/', 'http://localhost')
      const [, first, second] = url.pathname.split('/')
      if (request.method === 'POST' && first === 'commands') {
        let input: unknown
        try {
          input = await body(request)
        } catch {
          return reply(400, { error: 'BadJson', message: 'the body is not JSON' })
        }
        const result = await handle(input)
        if (result._tag === 'Right')
          return reply(200, { stream: result.right.streamName, events: result.right.events })
        const status = {
          DecodeError: 400,
          NotAllowed: 403,
          WrongState: 409,
          RuleViolated: 422,
          ConcurrencyConflict: 503,
        }[result.left._tag]
        return reply(status, { error: result.left._tag, message: result.left.message })
      }
      if (
        request.method === 'GET' &&
        first === 'analytics' &&
        ['category', 'subject', 'channel', 'department'].includes(second ?? '')
      ) {
        return reply(200, await analytics.by(second as Dimension))
      }
      if (request.method === 'GET' && first === 'repeats')
        return reply(200, { repeats: await repeats.repeats(), rates: await repeats.rates() })
      if (
        request.method === 'GET' &&
        first === 'satisfaction' &&
        ['month', 'quarter', 'half'].includes(second ?? '')
      ) {
        return reply(200, await satisfaction.trend(second as 'month'))
      }
      reply(404, { error: 'NotFound' })
    } catch (error) {
      reply(500, { error: 'Internal', message: (error as Error).message })
    }
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const address = server.address()
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : port}`,
    stop: async () => {
      await Promise.all(runners.map((r) => r.stop()))
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
