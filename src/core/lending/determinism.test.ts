import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

/** THREATS row 14 for the lending pool: its fold modules use no randomness, clocks, floats or locale compares. */
const dir = new URL('.', import.meta.url).pathname
const modules = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
const forbidden: [RegExp, string][] = [
  [/Math\.random|crypto\.getRandomValues/, 'randomness'],
  [/Date\.now|new Date\(|performance\.now/, 'clocks'],
  [/parseFloat|toFixed\(|Math\.(round|floor|ceil|pow|sqrt)\(|Number\(/, 'floating point'],
  [/localeCompare|Intl\./, 'locale-dependent comparison'],
  [
    /from ['"](react|react-dom|yjs|y-webrtc|y-indexeddb|wagmi|zustand|viem)['"]/,
    'UI, transport or wallet imports',
  ],
]

describe('determinism of the lending modules', () => {
  it('finds them', () => expect(modules).toContain('engine.ts'))
  for (const f of modules)
    it(`${f} is deterministic`, () => {
      const src = readFileSync(dir + f, 'utf8')
      for (const [re, what] of forbidden) expect(re.test(src), `${f}: ${what}`).toBe(false)
    })
})
