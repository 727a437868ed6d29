/** Deciders name one function per command; a missing one does not compile. */
import {
  type DomainError,
  decideByCommand,
  type ServiceCommand,
  type ServiceEvent,
  type ServiceState,
  serviceDecider,
} from '@property-services/domain'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { manager, meta } from './support.js'

describe('decideByCommand', () => {
  it('hands each command to the function named after its type', () => {
    const seen: string[] = []
    const refuse = (type: string) => E.left({ _tag: 'WrongState', message: type } as unknown as DomainError)
    const decide = decideByCommand<ServiceCommand, ServiceEvent, ServiceState>({
      PublishService: (command) => {
        seen.push(`publish ${command.data.serviceId}`)
        return refuse(command.type)
      },
      ChangeServicePrice: (command) => {
        seen.push(`price ${command.data.priceFen}`)
        return refuse(command.type)
      },
      RetireService: (command) => {
        seen.push(`retire ${command.data.serviceId}`)
        return refuse(command.type)
      },
    })
    decide(
      {
        type: 'ChangeServicePrice',
        meta: meta(manager, '2026-01-01T00:00:00.000Z'),
        data: { serviceId: 's', priceFen: 5 },
      },
      serviceDecider.initialState,
    )
    expect(seen).toEqual(['price 5'])
  })

  it('does not compile without a function for every command', () => {
    const partial = () =>
      // @ts-expect-error RetireService has no function: the exhaustiveness check.
      decideByCommand<ServiceCommand, ServiceEvent, ServiceState>({
        PublishService: () => E.right([]),
        ChangeServicePrice: () => E.right([]),
      })
    expect(typeof partial).toBe('function')
  })
})
