import { decodeInvite } from '../../core/invite.ts'
import type { AppConfig } from '../config.ts'
import { ChannelTerms } from './ChannelTerms.tsx'
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
        <ChannelTerms config={config} draft={draft} testId="invite-terms" />
      </section>
    </main>
  )
}
