import type { ChannelDraft } from '../../core/invite.ts'
import { describeQuorum } from '../../core/quorum.ts'
import type { AppConfig } from '../config.ts'

/**
 * What a participant agrees to by joining: the quorum, the markets, the fees and who receives them, the dispute
 * window and the chain. Shown on the invite before a wallet is connected and again in the lobby, where the session
 * key is authorised.
 */
export function ChannelTerms({
  config,
  draft,
  testId,
}: {
  config: AppConfig
  draft: ChannelDraft
  testId: string
}) {
  const symbol = (address: string) =>
    config.tokens.find((t) => t.address.toLowerCase() === address.toLowerCase())?.symbol ?? address
  const recipient = draft.participants[draft.params.feeRecipient]
  return (
    <>
      <p className="muted">{describeQuorum(draft.participants.length, draft.threshold)}</p>
      <p className="muted" data-testid={testId}>
        Markets:{' '}
        {draft.markets
          .map(
            (m) =>
              `${symbol(draft.tokens[m.base]!)}/${symbol(draft.tokens[m.quote]!)}${m.kind === 'perp' ? ' perpetual' : ''}`,
          )
          .join(', ')}
        {draft.params.lending &&
          ` · a lending pool of ${draft.params.lending.tokens.map((t) => symbol(draft.tokens[t.token]!)).join(', ')}`}
        {draft.params.amm && ` · an AMM pool per spot market`} · fees {draft.params.makerFeeBps.toString()}{' '}
        bps maker, {draft.params.takerFeeBps.toString()} bps taker, paid to participant{' '}
        {draft.params.feeRecipient + 1}
        {recipient ? ` (${recipient.address.slice(0, 10)}…)` : ''} · dispute window{' '}
        {draft.params.disputeWindow.toString()} s · chain {draft.chainId.toString()}
      </p>
    </>
  )
}
