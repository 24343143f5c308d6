import { useRef, useState } from 'react'
import { formatEther, toHex } from 'viem'
import { usePublicClient } from 'wagmi'
import { confirmTransaction } from '../../chain/actions/confirmTransaction.ts'
import type { ReadClient } from '../../chain/types.ts'
import type { Equivocation } from '../../core/replica.ts'
import { readinessText, readyCheckpoint } from '../../store/chainSignatures.ts'
import { checklist } from '../../store/checklist.ts'
import type { ChannelRuntime } from '../../store/runtime.ts'
import {
  AlreadyClaimedError,
  claimAndWithdrawAll,
  escapeOnChain,
  exitAlone,
  finalizeOnChain,
  findCheckpoint,
  proposable,
  proposeOnChain,
  provableConflicts,
  releaseBondOnChain,
  requestCheckpoint,
  withdrawAll,
} from '../../store/settlement.ts'
import { checkpointCovers, escapeAfterMs, escapeDue, payoutsOf } from '../../store/settlementPlan.ts'
import { liveDispute } from '../chainClock.ts'
import { useSnapshot, useTrading } from '../trading/context.ts'
import { Checklist } from './settlement/Checklist.tsx'
import { EscapeConfirm, ExitConfirm } from './settlement/ConfirmDialogs.tsx'
import { Offenders } from './settlement/Offenders.tsx'
import { PayoutTable } from './settlement/PayoutTable.tsx'
import { Refunds } from './settlement/Refunds.tsx'
import { TowerLine } from './settlement/TowerLine.tsx'
import { useSettlementChain } from './settlement/useSettlementChain.ts'
import { ActionStatus, describeError, useWalletAction } from './useWalletAction.tsx'

/** One entry per equivocating author: the first evidence seen (any pair proves it; the contract slashes once). */
function byAuthor(list: readonly Equivocation[]): Equivocation[] {
  const seen = new Set<number>()
  return list.filter((e) => !seen.has(e.author) && seen.add(e.author))
}

const timeOf = (unixSeconds: bigint) => new Date(Number(unixSeconds) * 1000).toLocaleString()

type Confirming = { kind: 'exit'; version: bigint } | { kind: 'escape' } | undefined

/**
 * Settlement: ask for a checkpoint, propose the newest one a quorum signed, watch the dispute countdown, challenge
 * with a newer one (by hand, and automatically: the open app is a watchtower), finalize, claim and withdraw in one
 * call; exit alone (a proposal: paid after finalization); refund deposits the final checkpoint does not credit;
 * the liveness escape; slash equivocation and conflicting checkpoint signatures; release the bond once unlocked.
 * Every action shows its progress, its transaction hashes and the decoded error on failure, and what each
 * participant receives is shown before Propose, Finalize and Claim.
 */
export function SettlementPanel({ runtime }: { runtime: ChannelRuntime }) {
  const live = runtime.live!
  const ctx = live.settlement
  const { names, readOnly, tokens } = useTrading()
  const publicClient = usePublicClient() as unknown as ReadClient | undefined
  const { run, state, busy, client } = useWalletAction()
  const liveSince = useRef(Date.now()).current
  const [confirming, setConfirming] = useState<Confirming>()
  const [signing, setSigning] = useState<
    | { phase: 'running' }
    | { phase: 'done'; version: bigint }
    | { phase: 'failed'; message: string }
    | undefined
  >()
  const checkpoints = useSnapshot((s) => s.checkpoints)
  const certified = useSnapshot((s) => s.certifiedCheckpoints)
  const equivocations = byAuthor(useSnapshot((s) => s.equivocations))
  const conflicts = provableConflicts(useSnapshot((s) => s.checkpointConflicts))
  const deposited = useSnapshot((s) => s.balances.some((b) => b.total > 0n))
  const traded = useSnapshot((s) => s.tradeRows.some((r) => r.mine !== undefined))
  const n = live.channel.config.participants.length
  const t = live.channel.config.threshold
  const me = ctx.me
  const watchedKey = [
    ...new Set([me, ...equivocations.map((e) => e.author), ...conflicts.map((c) => c.author)]),
  ]
    .sort((a, b) => a - b)
    .join(',')
  const { chain, clock, wallMs, tower, attempt, readiness, slashes } = useSettlementChain({
    live,
    ctx,
    watchedKey,
    client,
    readOnly,
  })

  const read = chain?.status
  const status = read && { ...read, ...liveDispute(read, clock.now(wallMs)) }
  const best = proposable(live.replica)
  const nameOf = (i: number) => names[i] ?? `participant ${i + 1}`
  // a checkpoint signed by a rotated key waits until the rotation is mined: the contract would refuse it
  const waiting = best && readiness?.digest === best.digest ? readinessText(readiness, me, nameOf) : undefined
  /** the checkpoint with only the signatures the contract accepts now, or a NotReadyOnChainError (nothing sent) */
  const forChain = (cp: typeof best & {}) =>
    publicClient
      ? readyCheckpoint(
          publicClient,
          { contract: ctx.contract, channelId: toHex(live.channel.channelId) },
          cp,
          { participants: live.channel.config.participants.map((p) => p.address), threshold: t, me, nameOf },
        )
      : Promise.resolve(cp)
  const newestCertified = certified[certified.length - 1]?.version
  const steps = checklist({
    deposited,
    traded,
    certified: newestCertified,
    certifiedCoversYou: newestCertified !== undefined && checkpointCovers(live.replica, newestCertified, me),
    quorum: t,
    participants: n,
    phase: status?.phase,
    onChainVersion: status?.version ?? 0n,
    secondsLeft: status?.phase === 'disputing' ? status.secondsLeft : undefined,
    unclaimed: chain?.unclaimed,
  })
  const pending =
    status && status.version > 0n && status.phase !== 'open'
      ? findCheckpoint(live.replica, status.version, chain!.balancesRoot)
      : undefined
  const finalized = status?.phase === 'finalized' ? pending : undefined
  const canPropose =
    best &&
    (!status || status.phase === 'open' || (status.phase === 'disputing' && best.version > status.version))
  const ownBond = chain?.bonds.get(me)
  const chainNow = status ? status.now : undefined
  const bondLocked =
    status?.phase !== 'finalized' || chainNow === undefined || chainNow < status.bondsUnlockAt
  const lastCertified = certified[certified.length - 1]
  const escapeAdvice = escapeDue({
    open: status?.phase === 'open',
    lastCertifiedMs: lastCertified ? Number(lastCertified.time) : undefined,
    liveSinceMs: liveSince,
    nowMs: wallMs,
    disputeWindowSeconds: chain?.disputeWindow ?? 0n,
  })

  // what each participant receives from the checkpoint the next action is about
  let payoutTitle: string | undefined
  let payoutVersion: bigint | undefined
  if (finalized) {
    payoutTitle = `Finalized v${finalized.version}: each participant claims`
    payoutVersion = finalized.version
  } else if (status?.phase === 'finalizable' && pending) {
    payoutTitle = `Finalize pays out v${pending.version}: each participant will receive`
    payoutVersion = pending.version
  } else if (canPropose && best) {
    payoutTitle = `If v${best.version} is proposed and finalizes, each participant will receive`
    payoutVersion = best.version
  } else if (status?.phase === 'disputing' && pending) {
    payoutTitle = `If v${pending.version} finalizes, each participant will receive`
    payoutVersion = pending.version
  }
  const payouts = payoutVersion === undefined ? undefined : payoutsOf(live.replica, payoutVersion)

  const sign = () => {
    setSigning({ phase: 'running' })
    requestCheckpoint(ctx).then(
      (version) => setSigning({ phase: 'done', version }),
      (e: unknown) => setSigning({ phase: 'failed', message: describeError(e) }),
    )
  }
  let signingText: string | undefined
  if (signing?.phase === 'running') signingText = 'Requesting…'
  else if (signing?.phase === 'failed') signingText = `Not requested: ${signing.message}`
  else if (signing?.phase === 'done') {
    const latest = checkpoints[checkpoints.length - 1]
    signingText =
      latest && latest.version >= signing.version
        ? `Checkpoint v${latest.version}: ${latest.signatures.size} of ${n} signatures (${t} needed on chain)${
            latest.signatures.size >= t ? ' · ready to propose' : ''
          }`
        : `Requested: the checkpoint is taken at the next commit and every participant signs it automatically`
  }
  const exitVersion =
    best && (status?.phase === 'open' || (status?.phase === 'disputing' && best.version > status.version))
      ? best.version
      : undefined
  const myExitHoldings = exitVersion === undefined ? undefined : payoutsOf(live.replica, exitVersion)?.[me]

  return (
    <section className="panel form" aria-label="Settlement">
      <h3>Settlement</h3>
      <Checklist steps={steps} />
      <p className="muted" data-testid="dispute-status">
        On chain: {status ? status.phase : '…'}
        {status && status.version > 0n && ` · checkpoint v${status.version}`}
        {status?.phase === 'disputing' && ` · ${status.secondsLeft.toString()} s left to challenge`}
        {status?.phase === 'finalizable' &&
          read?.phase === 'disputing' &&
          ' · the window has ended; finalize once the chain mines its next block'}
        {status?.phase === 'finalized' &&
          !finalized &&
          ` · the finalized checkpoint is not known here yet (waiting for its blocks)`}
      </p>
      <p className="muted" data-testid="checkpoints">
        Checkpoints:{' '}
        {checkpoints
          .slice(-5)
          .map((c) => `v${c.version} (${c.signatures.size}/${n})`)
          .join(', ') || 'none'}{' '}
        · ready for the chain (≥{t} signatures):{' '}
        {certified
          .slice(-3)
          .map((c) => `v${c.version}`)
          .join(', ') || 'none'}
      </p>
      {payouts && payoutTitle && (
        <PayoutTable title={payoutTitle} payouts={payouts} names={names} tokens={tokens} me={me} />
      )}
      <div className="row">
        <button
          type="button"
          title={readOnly ? 'the other tab of this channel holds the session key and signs' : undefined}
          disabled={
            readOnly ||
            signing?.phase === 'running' ||
            (status !== undefined && status.phase !== 'open' && status.phase !== 'disputing')
          }
          onClick={sign}
        >
          Checkpoint now
        </button>
        {canPropose && best && (
          <button
            type="button"
            disabled={busy || waiting !== undefined}
            title={waiting}
            onClick={() =>
              run(
                status?.phase === 'disputing'
                  ? `Challenge with v${best.version}`
                  : `Propose v${best.version}`,
                async (c, track) => {
                  const hash = await proposeOnChain(c, ctx, await forChain(best))
                  track.sent(hash)
                  await confirmTransaction(c, { hash })
                },
              )
            }
          >
            {status?.phase === 'disputing'
              ? `Challenge with v${best.version}`
              : `Propose v${best.version} on chain`}
          </button>
        )}
        {status?.phase === 'finalizable' && (
          <button
            type="button"
            // the contract judges by the block's timestamp: a call against a block before the deadline reverts
            disabled={busy || read?.phase !== 'finalizable'}
            title={
              read?.phase === 'finalizable' ? undefined : 'waiting for the first block past the deadline'
            }
            onClick={() =>
              run('Finalize', async (c, track) => {
                const hash = await finalizeOnChain(c, ctx)
                track.sent(hash)
                await confirmTransaction(c, { hash })
              })
            }
          >
            Finalize
          </button>
        )}
        {finalized && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              run(
                'Claim and withdraw',
                async (c, track) => {
                  for (const hash of await claimAndWithdrawAll(c, ctx, finalized, track.sent))
                    await confirmTransaction(c, { hash })
                  // slash shares and refunds are paid in ETH or tokens to the pull balance
                  for (const hash of await withdrawAll(c, ctx, track.sent))
                    await confirmTransaction(c, { hash })
                },
                (e) => e instanceof AlreadyClaimedError,
              )
            }
          >
            Claim and withdraw
          </button>
        )}
        {ownBond && ownBond.bond > 0n && !ownBond.slashed && status && status.phase !== 'open' && (
          <button
            type="button"
            className="secondary"
            disabled={busy || bondLocked}
            data-testid="release-bond"
            title={
              bondLocked
                ? status.bondsUnlockAt > 0n
                  ? `locked until ${timeOf(status.bondsUnlockAt)} (chain time): evidence of misbehaviour is accepted until then`
                  : 'locked until settlement is finalized'
                : undefined
            }
            onClick={() =>
              run(`Release bond (${formatEther(ownBond.bond)} ETH)`, async (c, track) => {
                const hash = await releaseBondOnChain(c, ctx)
                track.sent(hash)
                await confirmTransaction(c, { hash })
                for (const h of await withdrawAll(c, ctx, track.sent))
                  await confirmTransaction(c, { hash: h })
              })
            }
          >
            Release bond
          </button>
        )}
        {exitVersion !== undefined && (
          <button
            type="button"
            className="danger"
            disabled={busy || readOnly}
            onClick={() => setConfirming({ kind: 'exit', version: exitVersion })}
          >
            Emergency exit (v{exitVersion.toString()})
          </button>
        )}
        {escapeAdvice.due && (
          <button
            type="button"
            className="danger"
            disabled={busy || readOnly}
            onClick={() => setConfirming({ kind: 'escape' })}
          >
            Escape channel
          </button>
        )}
      </div>
      {ownBond && ownBond.bond > 0n && bondLocked && status && status.bondsUnlockAt > 0n && (
        <p className="muted small" data-testid="bond-lock">
          Your bond ({formatEther(ownBond.bond)} ETH) is locked until {timeOf(status.bondsUnlockAt)} (chain
          time): evidence of misbehaviour is accepted until then.
        </p>
      )}
      {waiting && canPropose && (
        <p className="muted small" data-testid="propose-waiting">
          {waiting}
        </p>
      )}
      {escapeAdvice.due && (
        <p className="muted small" data-testid="escape-advice">
          No checkpoint has been signed by {t} of {n} participants for{' '}
          {Math.round((wallMs - escapeAdvice.sinceMs) / 60_000)} minutes (the escape is offered after{' '}
          {Math.round(escapeAfterMs(chain?.disputeWindow ?? 0n) / 60_000)}).
        </p>
      )}
      {confirming?.kind === 'exit' && (
        <ExitConfirm
          version={confirming.version}
          holdings={myExitHoldings}
          disputeWindow={chain?.disputeWindow}
          tokens={tokens}
          busy={busy}
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => {
            const version = confirming.version
            setConfirming(undefined)
            const cp = findCheckpoint(live.replica, version)
            if (!cp) return
            run(`Emergency exit (v${version})`, async (c, track) => {
              const hash = await exitAlone(c, ctx, await forChain(cp))
              track.sent(hash)
              await confirmTransaction(c, { hash })
              track.doneText('exit requested — paid after finalization')
            })
          }}
        />
      )}
      {confirming?.kind === 'escape' && (
        <EscapeConfirm
          quorum={t}
          busy={busy}
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => {
            setConfirming(undefined)
            run('Escape', async (c, track) => {
              const hash = await escapeOnChain(c, ctx)
              track.sent(hash)
              await confirmTransaction(c, { hash })
              track.doneText('escape started — deposits refundable after the escape window')
            })
          }}
        />
      )}
      {signingText && (
        <p className={signing?.phase === 'failed' ? 'error' : 'muted'} data-testid="sign-status">
          {signingText}
        </p>
      )}
      {chain && chain.refunds.length > 0 && (
        <Refunds
          refunds={chain.refunds}
          names={names}
          tokens={tokens}
          me={me}
          ctx={ctx}
          run={run}
          busy={busy}
        />
      )}
      <Offenders
        equivocations={equivocations}
        conflicts={conflicts}
        names={names}
        bonds={chain?.bonds}
        ctx={ctx}
        run={run}
        busy={busy}
      />
      <TowerLine
        tower={tower}
        attempt={attempt}
        slashes={slashes}
        readOnly={readOnly}
        waiting={waiting}
        names={names}
      />
      <ActionStatus state={state} />
    </section>
  )
}
