/**
 * The command and event catalogue, generated from the domain's io-ts codecs (docs/event-catalogue.md).
 * `pnpm generate:docs` writes it; a test fails when the committed file is out of date.
 */
import {
  type Aggregate,
  aggregates,
  commandCodecs,
  defaultPolicies,
  eventCodecs,
  type Grant,
  type Grants,
  permissions,
  personalDataFields,
  type Role,
} from '@property-services/domain'
import type * as t from 'io-ts'

type AnyCodec = t.Decoder<unknown, unknown> & { readonly _tag?: string; readonly name: string } & Record<
    string,
    unknown
  >

/** The fields of a `{ type, data }` codec's data: name, type, and whether optional. */
const fieldsOf = (codec: AnyCodec): Array<[string, string, boolean]> => {
  let c = codec
  while (c._tag === 'ReadonlyType' || c._tag === 'StrictType') c = c.type as AnyCodec
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

const row = (name: string, codec: AnyCodec, personal: readonly string[] = []) =>
  `| \`${name}\` | ${fieldsOf(codec)
    .map(
      ([field, type, optional]) =>
        `${personal.includes(field) ? '**' : ''}${field}${optional ? '?' : ''}${personal.includes(field) ? '**' : ''}: ${type.replaceAll('|', '\\|')}`,
    )
    .join('<br>')} |`

const roles: readonly Role[] = ['owner', 'staff', 'manager', 'system']
const grantText: Record<Grant, string> = {
  always: 'yes',
  self: 'for themself',
  'own-unit': 'own unit',
  'within-limit': 'within limit',
}

/** The role × command matrix of `permissions.ts` (docs/permissions.md). */
export const renderPermissions = (): string => {
  const lines = [
    '# Who may do what',
    '',
    'Generated from `packages/domain/src/permissions.ts` by `pnpm generate:docs`; a test fails when this file',
    'is out of date, and a property test checks every cell against the deciders.',
    '',
    '- **yes**: the role may issue the command.',
    '- **for themself**: an owner, only about themself (the owner the command or the aggregate names).',
    '- **own unit**: an owner, only for themself and about a unit they own (the handler looks the owner up).',
    `- **within limit**: staff adjust a bill down by at most \`staffAdjustmentLimitFen\` (default ${defaultPolicies.staffAdjustmentLimitFen} fen); more needs a manager, the waiver role.`,
    '- **—**: refused (`NotAllowed`).',
    '',
    'Only staff and managers may set a business time (`occurredAt`) before the recording time, at most',
    `\`maxBackdatingHours\` (default ${defaultPolicies.maxBackdatingHours} h) earlier, never later. The actor is the principal the`,
    'embedding backend authenticated and passes to `handle(request, { actor })`; it is never read from the request.',
    '',
    "**In which community.** A principal with `communities` (for example `{ id, role: 'staff', communities:",
    "{ 'jade-garden': 'manager', 'old-town': 'staff' } }`) acts only in those communities, with the role given for",
    'each: the table is read with that role, and a command about another community is refused (`NotAllowed`). A',
    'command acts in the community it names when it creates something there, else in that of the aggregate it is',
    'about, else in that of the unit it names. What belongs to no community (services, packages, staff, courses) is',
    "decided by the principal's `role`. A principal without `communities` (a quality manager at company level,",
    'automation, owners) acts in every community with its `role`. A property test checks the role × community matrix.',
    '',
    `| command | ${roles.join(' | ')} |`,
    `| --- | ${roles.map(() => ':---:').join(' | ')} |`,
  ]
  for (const [type, grants] of Object.entries(permissions) as Array<[string, Grants]>)
    lines.push(
      `| \`${type}\` | ${roles
        .map((role) => {
          const grant = grants[role]
          return grant === undefined ? '—' : grantText[grant]
        })
        .join(' | ')} |`,
    )
  return `${lines.join('\n')}\n`
}

export const renderCatalogue = (): string => {
  const lines = [
    '# Command and event catalogue',
    '',
    'Generated from the io-ts codecs of `@property-services/domain` by `pnpm generate:docs`; a test fails when this',
    'file is out of date. A caller sends `{ type, commandId, data, correlationId?, occurredAt? }` (unknown',
    'fields are refused); the command handler adds `meta: { commandId, correlationId, actor, occurredAt,',
    'recordedAt }` from the authenticated principal and its clock. Every stored event carries the metadata',
    'of `EventMetadata` (event id, command id, correlation id, actor, occurred-at, recorded-at, schema',
    'version). The bounds of each value type (ShortText, FreeText, Fen, ...) are in `limits` (values.ts).',
    '',
    'Fields in **bold** are personal data (`personalDataFields`, personalData.ts): stored encrypted under the',
    "data key of the aggregate's owner, and read as `{ erased: true }` once that key is deleted.",
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
    for (const type of aggregate.eventTypes)
      lines.push(row(type, eventCodecs[type] as unknown as AnyCodec, personalDataFields[type] ?? []))
  }
  return `${lines.join('\n')}\n`
}
