import { decodeInvite } from '../../core/invite.ts'
import { describeQuorum } from '../../core/quorum.ts'
import type { AppConfig } from '../config.ts'
import { InviteProblem } from './InviteProblem.tsx'
import { roleDescription } from './roleText.ts'

/**
 * An invite opened before a wallet is connected: the channel it is for (participants and roles, quorum, market,
 * fees and who receives them, dispute window) and what to connect. The link stays in the address bar, so
 * connecting the right wallet opens the channel's lobby directly.
 */
export function InvitePreview({
  config,
  invite,
  me,
}: {
  config: AppConfig
  invite: string
  /** a connected wallet that is not among the participants: said first, with how to switch */
  me?: string
}) {
  let draft: ReturnType<typeof decodeInvite>['draft']
  try {
    draft = decodeInvite(invite).draft
  } catch (e) {
    return <InviteProblem error={e} />
  }
  const symbol = (address: string) =>
    config.tokens.find((t) => t.address.toLowerCase() === address.toLowerCase())?.symbol ?? address
  const n = draft.participants.length
  const recipient = draft.participants[draft.params.feeRecipient]
  return (
    <main className="page">
      <section className="panel" aria-label="Invitation">
        <h2>You are invited to a channel</h2>
        {me && (
          <p className="error" role="alert">
            The connected wallet ({me}) is not a participant of this channel. Switch to one of the accounts
            below in your wallet (
            {config.chain.devWallet
              ? 'with the Local dev wallet, pick it in the list at the top'
              : 'or disconnect and connect another'}
            ); the lobby opens as soon as it is connected.
          </p>
        )}
        <p>
          Connect the wallet of one of these participants to join: the invite stays in the address bar, and
          the channel's lobby opens as soon as a participant's wallet is connected.
        </p>
        <table className="grid" aria-label="Invited participants">
          <tbody>
            {draft.participants.map((p, i) => (
              <tr key={p.address}>
                <td>Participant {i + 1}</td>
                <td className="mono">{p.address}</td>
                <td>{roleDescription(p.role)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">{describeQuorum(n, draft.threshold)}</p>
        <p className="muted" data-testid="invite-terms">
          Markets:{' '}
          {draft.markets
            .map(
              (m) =>
                `${symbol(draft.tokens[m.base]!)}/${symbol(draft.tokens[m.quote]!)}${m.kind === 'perp' ? ' perpetual' : ''}`,
            )
            .join(', ')}{' '}
          · fees {draft.params.makerFeeBps.toString()} bps maker, {draft.params.takerFeeBps.toString()} bps
          taker, paid to participant {draft.params.feeRecipient + 1}
          {recipient ? ` (${recipient.address.slice(0, 10)}…)` : ''} · dispute window{' '}
          {draft.params.disputeWindow.toString()} s · chain {draft.chainId.toString()}
        </p>
      </section>
    </main>
  )
}
