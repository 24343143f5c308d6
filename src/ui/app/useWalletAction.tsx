import { useState } from 'react'
import type { Hash } from 'viem'
import { useConnectorClient } from 'wagmi'
import { SettlementRevertedError } from '../../chain/errors.ts'
import type { WriteClient } from '../../chain/types.ts'
import { pokeChain } from './useChainWatch.ts'

export type ActionState = {
  label: string
  status: 'running' | 'done' | 'failed'
  message?: string
  /** transactions the action sent, in order */
  hashes: Hash[]
}

/** Short, human message for a wallet or contract failure: the decoded custom error if there is one. */
export function describeError(e: unknown): string {
  if (e instanceof SettlementRevertedError) return e.message.split('\n')[0]!
  const err = e as { shortMessage?: string; message?: string }
  return (err.shortMessage ?? err.message ?? String(e)).split('\n')[0]!
}

/** What an action may report while it runs: each transaction it sent, and the text to show once done. */
export type ActionTracker = {
  sent(hash: Hash): void
  /** replaces "done" in the status line */
  doneText(text: string): void
  /** what the running action is doing now ("step 1 of 2: approve"), shown while it runs */
  progress(text: string): void
}

/** The `run` function of useWalletAction, for components that start actions on a panel's behalf. */
export type WalletRun = <T>(
  label: string,
  action: (client: WriteClient, track: ActionTracker) => Promise<T>,
  isAnswer?: (e: unknown) => boolean,
) => Promise<T | undefined>

/**
 * Runs one wallet action at a time with visible progress ("Waiting for wallet…", the transactions sent, then
 * done or the decoded error). `run` passes the connected wallet's client to the action, and a tracker.
 */
export function useWalletAction() {
  const { data: client } = useConnectorClient()
  const [state, setState] = useState<ActionState | undefined>()
  const run = async <T,>(
    label: string,
    action: (client: WriteClient, track: ActionTracker) => Promise<T>,
    /** errors that are an answer rather than a failure ("already claimed"): shown as done with their message */
    isAnswer?: (e: unknown) => boolean,
  ): Promise<T | undefined> => {
    if (!client) {
      setState({ label, status: 'failed', message: 'connect a wallet first', hashes: [] })
      return undefined
    }
    const hashes: Hash[] = []
    let note: string | undefined
    let now: string | undefined
    const track: ActionTracker = {
      sent: (hash) => {
        // the tab's chain readers look again now rather than at the next tick
        pokeChain()
        hashes.push(hash)
        setState({ label, status: 'running', hashes: hashes.slice(), ...(now ? { message: now } : {}) })
      },
      progress: (text) => {
        now = text
        setState({ label, status: 'running', hashes: hashes.slice(), message: text })
      },
      doneText: (text) => {
        note = text
      },
    }
    setState({ label, status: 'running', hashes: [] })
    try {
      const out = await action(client as unknown as WriteClient, track).finally(pokeChain)
      setState({ label, status: 'done', hashes: hashes.slice(), ...(note ? { message: note } : {}) })
      return out
    } catch (e) {
      const answer = isAnswer?.(e) === true
      setState({
        label,
        status: answer ? 'done' : 'failed',
        message: describeError(e),
        hashes: hashes.slice(),
      })
      return undefined
    }
  }
  return {
    client: client as unknown as WriteClient | undefined,
    state,
    run,
    busy: state?.status === 'running',
  }
}

/** A transaction hash, shortened for reading, whole in the title and on copy. */
export function TxHash({ hash }: { hash: string }) {
  return (
    <code className="tx" title={hash} data-testid="tx-hash" data-hash={hash}>
      {hash.slice(0, 10)}…{hash.slice(-6)}
    </code>
  )
}

export function ActionStatus({ state }: { state: ActionState | undefined }) {
  if (!state) return null
  return (
    <div className="action-status">
      <p
        className={state.status === 'failed' ? 'error' : state.status === 'done' ? 'ok' : 'muted'}
        role="status"
      >
        {state.status === 'running' && <span className="spinner" aria-hidden="true" />}
        {state.label}:{' '}
        {state.status === 'running'
          ? state.message
            ? `${state.message}…`
            : state.hashes.length > 0
              ? 'waiting for the chain…'
              : 'waiting for the wallet and the chain…'
          : state.status === 'done'
            ? (state.message ?? 'done')
            : state.message}
      </p>
      {state.hashes.length > 0 && (
        <p className="muted small" data-testid="tx-hashes">
          {state.hashes.length === 1 ? 'transaction ' : 'transactions '}
          {state.hashes.map((h, i) => (
            <span key={h}>
              {i > 0 && ', '}
              <TxHash hash={h} />
            </span>
          ))}
        </p>
      )}
    </div>
  )
}
