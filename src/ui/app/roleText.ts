import { Permission, ROLE_NAMES, ROLE_PERMISSIONS, type Role } from '../../core/channel.ts'

const ABILITIES: [bit: number, text: string][] = [
  [Permission.Trade, 'trade'],
  [Permission.Transfer, 'transfer'],
  [Permission.Funds, 'deposit and withdraw'],
  [Permission.Lock, 'lock funds'],
  [Permission.Liquidate, 'liquidate unhealthy positions'],
]

/**
 * What a role may do inside the channel, in words, read from the core's permission table (so the text cannot
 * drift from what the fold enforces). Every role co-signs checkpoints.
 */
export function roleDescription(role: Role): string {
  const bits = ROLE_PERMISSIONS[role] ?? 0
  const can = ABILITIES.filter(([bit]) => (bits & bit) !== 0).map(([, text]) => text)
  const name = ROLE_NAMES[role] ?? `role ${role}`
  return can.length === 0
    ? `${name}: only watches and co-signs checkpoints`
    : `${name}: may ${can.join(', ')}; co-signs checkpoints`
}
