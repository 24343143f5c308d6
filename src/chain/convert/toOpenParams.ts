import type { Hex } from 'viem'
import type { ChannelConfig } from '../../core/channel.ts'
import type { OpenParams } from '../types.ts'

export type ToOpenParamsReturnType = { params: OpenParams; keyAuthSigs: Hex[] }

export class OpenParamsRangeError extends Error {
  override name = 'OpenParamsRangeError'
  constructor(
    readonly field: string,
    readonly details: string,
  ) {
    super(`${field} does not fit the contract's OpenParams: ${details}`)
  }
}

function check(field: string, value: bigint, bits: number): void {
  if (value < 0n || value >> BigInt(bits) !== 0n)
    throw new OpenParamsRangeError(field, `${value} is not a uint${bits}`)
}

/**
 * The arguments of `ChannelSettlement.open` for a core channel config: participants, session keys and roles in
 * participant order, and each wallet's SessionKey authorisation. Off-chain parameters (markets, fees, fee
 * recipient, open-order limit) stay in the config; the contract never sees them. Rejects values that do not fit
 * the contract's integer widths, naming the field.
 */
export function toOpenParams(config: ChannelConfig): ToOpenParamsReturnType {
  const { participants, params } = config
  for (const [i, p] of participants.entries()) check(`participants[${i}].role`, BigInt(p.role), 8)
  check('threshold', BigInt(config.threshold), 16)
  check('params.disputeWindow', params.disputeWindow, 64)
  check('params.maxLeverage', BigInt(params.maxLeverage), 32)
  check('params.minStake', params.minStake, 256)
  check('nonce', config.nonce, 256)
  return {
    params: {
      participants: participants.map((p) => p.address),
      sessionKeys: participants.map((p) => p.sessionKey),
      roles: participants.map((p) => p.role),
      threshold: config.threshold,
      disputeWindow: params.disputeWindow,
      minStake: params.minStake,
      maxLeverage: params.maxLeverage,
      tokens: [...config.tokens],
      nonce: config.nonce,
    },
    keyAuthSigs: participants.map((p) => p.authSignature),
  }
}
