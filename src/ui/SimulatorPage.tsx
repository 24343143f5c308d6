import { useState } from 'react'
import { type SimulateReturnType, simulate } from '../core/sim/simulate.ts'

/**
 * Runs the channel core's network simulator in this tab: the same code the exchange will run, validating every
 * signature and folding every op in the browser. The trading UI replaces this page as the app lands.
 */
export function SimulatorPage() {
  const [params, setParams] = useState({ participants: 6, ops: 5000, byzantine: 1, seed: 1 })
  const [result, setResult] = useState<(SimulateReturnType & { wallMs: number }) | undefined>()
  const [running, setRunning] = useState(false)
  const [error, setError] = useState<string | undefined>()

  const run = () => {
    setRunning(true)
    setError(undefined)
    // let the "running" state paint before the synchronous simulation takes the thread
    setTimeout(() => {
      try {
        const t0 = performance.now()
        const r = simulate(params)
        setResult({ ...r, wallMs: Math.round(performance.now() - t0) })
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e))
      } finally {
        setRunning(false)
      }
    }, 20)
  }

  const field = (name: keyof typeof params, label: string, max: number) => (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        min={0}
        max={max}
        value={params[name]}
        onChange={(e) =>
          setParams({ ...params, [name]: Math.max(0, Math.min(max, Number(e.target.value) || 0)) })
        }
      />
    </label>
  )

  return (
    <main className="page">
      <h1>Channel Exchange — core simulator</h1>
      <p className="muted">
        Replicas of one state channel trade over a simulated network with random delays, reordering and
        partitions, while Byzantine participants forge, equivocate, overdraw and send garbage. Every block
        signature is verified and every op validated in this tab.
      </p>
      <div className="row">
        {field('participants', 'Participants', 100)}
        {field('byzantine', 'Byzantine', 99)}
        {field('ops', 'Ops', 200000)}
        {field('seed', 'Seed', 2 ** 31)}
        <button type="button" onClick={run} disabled={running || params.byzantine >= params.participants}>
          {running ? 'Running…' : 'Run'}
        </button>
      </div>
      {params.byzantine >= params.participants && (
        <p className="error">Byzantine must be fewer than participants.</p>
      )}
      {error && <p className="error">{error}</p>}
      {result && (
        <table className="result">
          <tbody>
            <tr>
              <th>Converged</th>
              <td className={result.converged ? 'ok' : 'error'}>{result.converged ? 'yes' : 'NO'}</td>
            </tr>
            <tr>
              <th>State root</th>
              <td className="mono">{result.roots[0]}</td>
            </tr>
            <tr>
              <th>Ops applied / skipped</th>
              <td>
                {result.opsApplied} / {result.opsSkipped}
              </td>
            </tr>
            <tr>
              <th>Blocks</th>
              <td>{result.blocks}</td>
            </tr>
            <tr>
              <th>Equivocators</th>
              <td>{result.equivocators.join(', ') || 'none'}</td>
            </tr>
            <tr>
              <th>Refused at ingress</th>
              <td>{JSON.stringify(result.rejectedByReason)}</td>
            </tr>
            <tr>
              <th>Certified checkpoints</th>
              <td>{result.certifiedCheckpoints}</td>
            </tr>
            <tr>
              <th>Wall time</th>
              <td>{result.wallMs} ms</td>
            </tr>
          </tbody>
        </table>
      )}
    </main>
  )
}
