/**
 * The command and event catalogue, generated from the domain's io-ts codecs (docs/event-catalogue.md).
 * `pnpm generate:docs` writes it; a test fails when the committed file is out of date.
 */
import { type Aggregate, aggregates, commandCodecs, eventCodecs } from '@property-services/domain'
import type * as t from 'io-ts'

type AnyCodec = t.Decoder<unknown, unknown> & { readonly _tag?: string; readonly name: string } & Record<
    string,
    unknown
  >

/** The fields of a `{ type, data }` codec's data: name, type, and whether optional. */
const fieldsOf = (codec: AnyCodec): Array<[string, string, boolean]> => {
  let c = codec
  while (c._tag === 'ReadonlyType') c = c.type as AnyCodec
  const data = (c.props as Record<string, AnyCodec>).data as AnyCodec
  const walk = (d: AnyCodec, optional: boolean): Array<[string, string, boolean]> => {
    if (d._tag === 'ReadonlyType') return walk(d.type as AnyCodec, optional)
    if (d._tag === 'IntersectionType')
      return (d.types as AnyCodec[]).flatMap((member) => walk(member, optional))
    if (d._tag === 'PartialType')
      return Object.entries(d.props as Record<string, AnyCodec>).map(([k, v]) => [k, v.name, true])
    if (d._tag === 'InterfaceType')
      return Object.entries(d.props as Record<string, AnyCodec>).map(([k, v]) => [k, v.name, optional])
    return [['(data)', d.name, optional]]
  }
  return walk(data, false)
}

const row = (name: string, codec: AnyCodec) =>
  `| \`${name}\` | ${fieldsOf(codec)
    .map(([field, type, optional]) => `${field}${optional ? '?' : ''}: ${type.replaceAll('|', '\\|')}`)
    .join('<br>')} |`

export const renderCatalogue = (): string => {
  const lines = [
    '# Command and event catalogue',
    '',
    'Generated from the io-ts codecs of `@property-services/domain` by `pnpm generate:docs`; a test fails when this',
    'file is out of date. Every command also carries `meta: { commandId, actor: { id, role }, issuedAt,',
    'correlationId? }`; every stored event carries the metadata of `EventMetadata` (event id, command id,',
    'correlation id, actor, occurred-at, schema version).',
  ]
  for (const [name, aggregate] of Object.entries(aggregates()) as Array<[string, Aggregate]>) {
    lines.push(
      '',
      `## ${name} (stream \`${aggregate.category}-<id>\`)`,
      '',
      '| command | data |',
      '| --- | --- |',
    )
    for (const type of aggregate.commandTypes)
      lines.push(row(type, commandCodecs[type] as unknown as AnyCodec))
    lines.push('', '| event | data |', '| --- | --- |')
    for (const type of aggregate.eventTypes) lines.push(row(type, eventCodecs[type] as unknown as AnyCodec))
  }
  return `${lines.join('\n')}\n`
}
