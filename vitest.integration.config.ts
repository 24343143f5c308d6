import { defineConfig } from 'vitest/config'

/**
 * Integration tests: each file starts its own anvil on 127.0.0.1 (a free port), deploys the contracts and drives
 * them through src/chain with the channel core. Run with `npm run test:integration`.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.integration.test.ts'],
    pool: 'forks',
    // two files at a time (vitest 4 defaults to one on 2 cores): each file has its own anvil on a free port, its own
    // relay and temp directory, so they do not meet; agentPruning (~1 min) then overlaps the rest (docs/TESTING.md)
    maxWorkers: 2,
    // signing, signature recovery and keccak256 in WebAssembly, as Node entry points (src/core/wasmCrypto.ts)
    setupFiles: ['src/core/wasmCrypto.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
