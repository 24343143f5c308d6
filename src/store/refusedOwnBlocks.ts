import { PROTOCOL_VERSION } from '../core/genesis.ts'
import type { ReceiveResult } from '../core/receiveResult.ts'

/**
 * Why this participant's own stored blocks cannot continue here, or undefined: blocks it signed itself that the
 * replica refuses as malformed or as naming another genesis were written by another protocol version, or on other
 * terms than this invite's (src/core/genesis.ts). Starting anyway would sign a new chain from seq 1 beside the old
 * one, and leave the old one's trades behind: the runtime stops and says so instead.
 */
export function refusedOwnBlocksError(results: readonly ReceiveResult[]): string | undefined {
  const refused = results.filter(
    (r): r is Extract<ReceiveResult, { status: 'rejected' }> =>
      r.status === 'rejected' && (r.reason === 'malformed' || r.reason === 'wrong-genesis'),
  )
  if (refused.length === 0) return undefined
  const why = refused[0]!.detail ?? refused[0]!.reason
  return (
    `${refused.length} of the blocks you signed in this channel are refused by this app (${why}): they were ` +
    `written by another app version or on other terms than this invite's (this app speaks protocol ` +
    `${PROTOCOL_VERSION}). Nothing new was signed; open the channel with the app version and the invite link it ` +
    'was created with.'
  )
}
