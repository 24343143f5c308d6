import { useState } from 'react'
import { type Hash, zeroAddress } from 'viem'
import { useConnection } from 'wagmi'
import { confirmTransaction } from '../../../chain/actions/confirmTransaction.ts'
import type { CloseOutcome } from '../../../store/closeOutcome.ts'
import {
  type CloseChain,
  type CloseStep,
  closeStepOf,
  signCloseTogether,
  submitCloseTogether,
} from '../../../store/closeTogether.ts'
import { type SettlementContext, withdrawAll } from '../../../store/settlement.ts'
import { formatUnits, type TokenInfo } from '../../format.ts'
import { useSnapshot } from '../../trading/context.ts'
import { describeError, type WalletRun } from '../useWalletAction.tsx'

/** The section's one line: where the close stands, in the participant's words. */
function stepText(step: CloseStep, nameOf: (i: number) => string): string {
  switch (step.phase) {
    case 'unavailable':
      return step.reason
    case 'offered':
      return `${step.supersedes !== undefined ? `The close at v${step.supersedes} was superseded by newer trades. ` : ''}Close the channel at v${step.version} with everyone's signature: final at once, every balance paid in one transaction.`
    case 'waiting':
      return `${nameOf(step.requestedBy)} asked to close at v${step.version} · ${step.signed.length} of ${step.participants} signed, waiting for ${step.missing.length} more · not signed yet: ${step.missing.map(nameOf).join(', ')}${step.mine ? ' · you signed' : ''}`
    case 'ready':
      return `All ${step.participants} signed the close at v${step.version}: anyone can submit it.`
    case 'submitted':
      return `The close at v${step.version} is sent: waiting for the chain to confirm it…`
    case 'closed':
      return `Closed together at v${step.version}: every participant was paid its balance.`
  }
}

/**
 * Close together (cooperative close, issue #12): ask everyone to close at the newest checkpoint, sign the close
 * another participant asked for with one click (the session key signs; the signature travels in a block, no wallet
 * prompt), and once all n signed, send `closeCooperatively` from the wallet (any participant): final at once, every
 * leaf paid in the same transaction. States: offered, waiting for k of n, ready, submitted, closed.
 */
export function CloseTogether({
  ctx,
  chain,
  outcome,
  names,
  tokens,
  run,
  busy,
  readOnly,
}: {
  ctx: SettlementContext
  chain: CloseChain | undefined
  /** after a close together: what it paid and what is left in this participant's pull balance */
  outcome: CloseOutcome | undefined
  names: readonly string[]
  tokens: readonly TokenInfo[]
  run: WalletRun
  busy: boolean
  readOnly: boolean
}) {
  // re-derived on every block: the Close ops and new checkpoints arrive in blocks
  useSnapshot((s) => s.blockCount)
  const { chainId: walletChain } = useConnection()
  const [signing, setSigning] = useState<{ phase: 'running' } | { phase: 'failed'; message: string }>()
  const [submitted, setSubmitted] = useState<{ version: bigint; hash: Hash }>()
  const nameOf = (i: number) => (i === ctx.me ? 'you' : (names[i] ?? `participant ${i + 1}`))
  const channelChain = ctx.replica.channel.config.chainId
  const step = closeStepOf(ctx.replica, {
    me: ctx.me,
    chain,
    readOnly,
    walletChain,
    channelChain,
    submitted,
  })
  // the version this tab signed: the signature travels in our next block, which waits while the rounds cannot
  // advance (a participant offline), so the close's record does not hold it yet — without this the panel still said
  // "not signed yet: you" and offered Sign again
  const [signedHere, setSignedHere] = useState<bigint>()
  const sign = (version: bigint) => {
    setSigning({ phase: 'running' })
    signCloseTogether(ctx, version).then(
      () => {
        setSigning(undefined)
        setSignedHere(version)
      },
      (e: unknown) => setSigning({ phase: 'failed', message: describeError(e) }),
    )
  }
  const sentNotRecorded =
    (step.phase === 'waiting' && !step.mine && signedHere === step.version) ||
    (step.phase === 'offered' && signedHere === step.version)
  const submit = (version: bigint) =>
    run(`Close together at v${version}`, async (c, track) => {
      const hash = await submitCloseTogether(c, { ...ctx, chainId: channelChain }, version)
      track.sent(hash)
      setSubmitted({ version, hash })
      try {
        await confirmTransaction(c, { hash })
      } catch (e) {
        // reverted: the status line shows the decoded reason, and the close is offered again
        setSubmitted(undefined)
        throw e
      }
      // mined: 'submitted' until the chain poll reads the channel finalized, then 'closed'
      track.doneText('closed and paid')
    })
  const signBlocked = step.phase === 'offered' || step.phase === 'waiting' ? step.signBlocked : undefined
  // a payout the contract could not push (a reverting recipient or token) waits in the pull balance
  const left = step.phase === 'closed' ? (outcome?.owed.filter((o) => o.amount > 0n) ?? []) : []
  const amountText = (token: string, amount: bigint) => {
    const info = tokens.find((t) => t.address.toLowerCase() === token.toLowerCase())
    const symbol = info?.symbol ?? (token === zeroAddress ? 'ETH' : token)
    return `${formatUnits(amount, info?.decimals ?? 18, 6)} ${symbol}`
  }
  return (
    <div className="close-together" data-testid="close-together" data-phase={step.phase}>
      <h4>Close together</h4>
      <p className="muted small" data-testid="close-status">
        {step.phase === 'submitted' && <span className="spinner" aria-hidden="true" />}
        {stepText(step, nameOf)}
        {sentNotRecorded &&
          ' · you signed: your signature travels in your next block, which waits until enough participants are online (pending)'}
      </p>
      <div className="row">
        {step.phase === 'offered' && !sentNotRecorded && (
          <button
            type="button"
            disabled={signBlocked !== undefined || signing?.phase === 'running'}
            title={signBlocked}
            onClick={() => sign(step.version)}
          >
            Close together at v{step.version.toString()}
          </button>
        )}
        {step.phase === 'waiting' && !step.mine && !sentNotRecorded && (
          <button
            type="button"
            disabled={signBlocked !== undefined || signing?.phase === 'running'}
            title={signBlocked}
            onClick={() => sign(step.version)}
          >
            Sign the close at v{step.version.toString()}
          </button>
        )}
        {(step.phase === 'waiting' || step.phase === 'ready') && (
          <button
            type="button"
            disabled={step.phase === 'waiting' || step.submitBlocked !== undefined || busy}
            title={
              step.phase === 'waiting'
                ? `${step.signed.length} of ${step.participants} signed, waiting for ${step.missing.length} more`
                : step.submitBlocked
            }
            onClick={() => void submit(step.version)}
          >
            Submit the close (v{step.version.toString()})
          </button>
        )}
      </div>
      {step.phase === 'closed' && outcome && (
        <p className="muted small" data-testid="close-paid">
          {outcome.payouts.filter((x) => x.pushed).length} of {outcome.payouts.length} payouts sent straight
          to the wallets
          {left.length > 0
            ? ` · left for you to withdraw: ${left.map((o) => amountText(o.token, o.amount)).join(', ')}`
            : ' · nothing left to withdraw'}
        </p>
      )}
      {left.length > 0 && (
        <div className="row">
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void run('Withdraw', async (c, track) => {
                for (const hash of await withdrawAll(c, ctx, track.sent))
                  await confirmTransaction(c, { hash })
              })
            }
          >
            Withdraw
          </button>
        </div>
      )}
      {signBlocked && (
        <p className="muted small" data-testid="close-blocked">
          You cannot sign here: {signBlocked}
        </p>
      )}
      {step.phase === 'ready' && step.submitBlocked && (
        <p className="error small" data-testid="close-blocked">
          {step.submitBlocked}
        </p>
      )}
      {signing?.phase === 'failed' && (
        <p className="error small" data-testid="close-error">
          Not signed: {signing.message}
        </p>
      )}
    </div>
  )
}
