import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * THREATS row 14: nothing non-deterministic inside the fold. The simulator and tests may use randomness and
 * clocks; the modules every peer folds with may not.
 */
const dir = new URL('.', import.meta.url).pathname
// testing.ts derives test keys; invite.ts encodes links as JSON: neither is folded or hashed as JSON
const notFolded = new Set(['testing.ts', 'invite.ts'])
const foldModules = [
  ...readdirSync(dir),
  ...readdirSync(join(dir, 'perps')).map((f) => `perps/${f}`),
  ...readdirSync(join(dir, 'amm')).map((f) => `amm/${f}`),
  ...readdirSync(join(dir, 'replica')).map((f) => `replica/${f}`),
].filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !notFolded.has(f))
const forbidden: [RegExp, string][] = [
  [/Math\.random|crypto\.getRandomValues/, 'randomness'],
  [/Date\.now|new Date\(|performance\.now/, 'clocks'],
  [/parseFloat|toFixed\(|Math\.(round|floor|ceil|pow|sqrt)\(/, 'floating point'],
  [/localeCompare|Intl\./, 'locale-dependent comparison'],
  [/JSON\.stringify/, 'JSON as a hash input'],
  [
    /from ['"](react|react-dom|yjs|y-webrtc|y-indexeddb|wagmi|zustand|viem)['"]/,
    'UI, transport or wallet imports',
  ],
]

describe('determinism of the fold modules (THREATS row 14)', () => {
  it('finds the fold modules', () => {
    // the ledger, and everything that decides the order it is folded in
    for (const f of [
      'state.ts',
      'spotOrders.ts',
      'matching.ts',
      'attestations.ts',
      'replica.ts',
      'replica/execution.ts',
      'replica/finalOrder.ts',
      'replica/checkpoints.ts',
      'dag.ts',
      'committer.ts',
      'leaders.ts',
      'quorum.ts',
      'roots.ts',
      'perps/engine.ts',
      'amm/engine.ts',
    ])
      expect(foldModules).toContain(f)
  })
  it.each(foldModules)('%s uses no randomness, clocks, floats, locale compares or JSON hashing', (file) => {
    const src = readFileSync(join(dir, file), 'utf8')
    for (const [re, what] of forbidden) expect(re.test(src), `${file} uses ${what}`).toBe(false)
  })
})
