import { PROTOCOL_VERSION } from '../../core/genesis.ts'
import { useSnapshot } from '../trading/context.ts'

/**
 * Shown once blocks were refused for naming another genesis (src/core/genesis.ts): a participant's invite differs
 * from ours where the channel id does not look, or its app speaks another protocol version. Its blocks are never
 * built on here, so its trades and orders never reach this replica.
 */
export function GenesisBanner() {
  const refused = useSnapshot((s) => s.ingress.rejected['wrong-genesis'] ?? 0)
  if (refused === 0) return null
  return (
    <div className="banner error" role="alert" data-testid="genesis-mismatch">
      {refused} block{refused === 1 ? '' : 's'} refused: another participant runs this channel with different
      terms (markets, fees, perps, lending or AMM parameters) or another protocol version than yours (
      {PROTOCOL_VERSION}). Nothing of theirs is traded with here. Make sure every participant opened the same
      invite link, with the same app version.
    </div>
  )
}
