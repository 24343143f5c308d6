import { useEffect, useRef, useState } from 'react'
import { formatEther, type Hex } from 'viem'
import { usePublicClient } from 'wagmi'
import { confirmTransaction } from '../../chain/actions/confirmTransaction.ts'
import { getChannelInfo } from '../../chain/readers/getChannelInfo.ts'
import { type GetDisputeStatusReturnType, getDisputeStatus } from '../../chain/readers/getDisputeStatus.ts'
import { getParticipantInfo } from '../../chain/readers/getParticipantInfo.ts'
import type { ReadClient, WriteClient } from '../../chain/types.ts'
import { toHex } from '../../core/bytes.ts'
import type { Equivocation } from '../../core/replica.ts'
import type { ChannelRuntime } from '../../store/runtime.ts'
import {
  claimAll,
  exitAlone,
  finalizeOnChain,
  findCheckpoint,
  fullySigned,
  proposable,
  proposeOnChain,
  requestCheckpoint,
  slashOnChain,
  withdrawAll,
} from '../../store/settlement.ts'
import { ChainClock, liveDispute } from '../chainClock.ts'
import { useSnapshot, useTrading } from '../trading/context.ts'
import { ActionStatus, describeError, useWalletAction } from './useWalletAction.tsx'

const waitAll = async (c: WriteClient, hashes: `0x${string}`[]) => {
  for (const hash of hashes) await confirmTransaction(c, { hash })
}

type ChainView = {
  status: GetDisputeStatusReturnType
  /** balances root of the pending or final checkpoint on chain */
  balancesRoot: Hex
  /** per equivocating participant index: its on-chain bond and whether it was slashed */
  bonds: Map<number, { bond: bigint; slashed: boolean }>
}

/** One entry per equivocating author: the first evidence seen (any pair proves it; the contract slashes once). */
function byAuthor(list: readonly Equivocation[]): Equivocation[] {
  const seen = new Set<number>()
  return list.filter((e) => !seen.has(e.author) && seen.add(e.author))
}

/**
 * Settlement: sign the current checkpoint, propose the latest one with t signatures, watch the dispute
 * countdown, challenge with a newer one, finalize, claim and withdraw; exit alone with a fully signed checkpoint;
 * slash an equivocator. Every action shows its progress and the decoded error on failure.
 */
export function SettlementPanel({ runtime }: { runtime: ChannelRuntime }) {
  const live = runtime.live!
  const ctx = live.settlement
  const { names, readOnly } = useTrading()
  const publicClient = usePublicClient() as unknown as ReadClient | undefined
  const { run, state, busy } = useWalletAction()
  const [chain, setChain] = useState<ChainView | undefined>()
  const clock = useRef(new ChainClock()).current
  const [wallMs, setWallMs] = useState(() => Date.now())
  const [signing, setSigning] = useState<
    | { phase: 'running' }
    | { phase: 'done'; version: bigint }
    | { phase: 'failed'; message: string }
    | undefined
  >()
  const checkpoints = useSnapshot((s) => s.checkpoints)
  const certified = useSnapshot((s) => s.certifiedCheckpoints)
  const equivocations = byAuthor(useSnapshot((s) => s.equivocations))
  const n = live.channel.config.participants.length
  const t = live.channel.config.threshold
  const equivocators = equivocations.map((e) => e.author).join(',')

  useEffect(() => {
    if (!publicClient) return
    let stop = false
    const channelId = toHex(live.channel.channelId)
    const participants = live.channel.config.participants
    const watched = equivocators === '' ? [] : equivocators.split(',').map(Number)
    const poll = async () => {
      try {
        const [status, info, ...members] = await Promise.all([
          getDisputeStatus(publicClient, { address: ctx.contract, channelId }),
          getChannelInfo(publicClient, { address: ctx.contract, channelId }),
          ...watched.map((i) =>
            getParticipantInfo(publicClient, {
              address: ctx.contract,
              channelId,
              participant: participants[i]!.address,
            }),
          ),
        ])
        if (stop) return
        clock.observe(status.now, Date.now())
        setWallMs(Date.now())
        const bonds = new Map(
          watched.map((i, k) => [i, { bond: members[k]!.bond, slashed: members[k]!.slashed }]),
        )
        setChain({ status, balancesRoot: info.checkpoint.balancesRoot, bonds })
      } catch {
        // the next poll retries; the panel keeps the last known state
      }
    }
    void poll()
    const timer = setInterval(poll, 1000)
    return () => {
      stop = true
      clearInterval(timer)
    }
  }, [publicClient, ctx.contract, live.channel, equivocators, clock])

  const read = chain?.status
  // the countdown runs on the wall clock between reads, whether or not the chain mines meanwhile
  const counting = read?.phase === 'disputing'
  useEffect(() => {
    if (!counting) return
    const t = setInterval(() => setWallMs(Date.now()), 250)
    return () => clearInterval(t)
  }, [counting])
  const status = read && { ...read, ...liveDispute(read, clock.now(wallMs)) }
  const best = proposable(live.replica)
  const full = fullySigned(live.replica)
  const finalized =
    status?.phase === 'finalized'
      ? findCheckpoint(live.replica, status.version, chain!.balancesRoot)
      : undefined
  const canPropose =
    best &&
    (!status || status.phase === 'open' || (status.phase === 'disputing' && best.version > status.version))
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
  return (
    <section className="panel form" aria-label="Settlement">
      <h3>Settlement</h3>
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
            disabled={busy}
            onClick={() =>
              run(
                status?.phase === 'disputing'
                  ? `Challenge with v${best.version}`
                  : `Propose v${best.version}`,
                async (c) => confirmTransaction(c, { hash: await proposeOnChain(c, ctx, best) }),
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
              run('Finalize', async (c) => confirmTransaction(c, { hash: await finalizeOnChain(c, ctx) }))
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
              run('Claim and withdraw', async (c) => {
                await waitAll(c, await claimAll(c, ctx, finalized))
                await waitAll(c, await withdrawAll(c, ctx))
              })
            }
          >
            Claim and withdraw
          </button>
        )}
        {full && status?.phase !== 'finalized' && status?.phase !== 'finalizable' && (
          <button
            type="button"
            disabled={busy}
            title={`Takes your holdings in v${full.version} (signed by all ${n}) without waiting for anyone; this also proposes v${full.version} on chain, which starts settlement for everyone`}
            onClick={() =>
              run(`Emergency exit (v${full.version})`, async (c) => {
                await waitAll(c, await exitAlone(c, ctx, full))
                await waitAll(c, await withdrawAll(c, ctx))
              })
            }
          >
            Emergency exit (v{full.version})
          </button>
        )}
      </div>
      {signingText && (
        <p className={signing?.phase === 'failed' ? 'error' : 'muted'} data-testid="sign-status">
          {signingText}
        </p>
      )}
      {equivocations.map((e) => {
        const onChain = chain?.bonds.get(e.author)
        return (
          <div key={e.author} className="row" data-testid={`equivocator-${e.author}`}>
            <span className="down">
              {names[e.author]} (participant {e.author + 1}) signed two blocks at seq {e.seq}
              {onChain &&
                (onChain.slashed
                  ? ' · slashed on chain'
                  : ` · bond on chain ${formatEther(onChain.bond)} ETH`)}
            </span>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                run('Slash', async (c) => confirmTransaction(c, { hash: await slashOnChain(c, ctx, e) }))
              }
            >
              Slash bond
            </button>
          </div>
        )
      })}
      <ActionStatus state={state} />
    </section>
  )
}
