import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    // against a real anvil: `npm run test:integration` (vitest.integration.config.ts)
    exclude: [...configDefaults.exclude, 'src/**/*.integration.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    // vitest 4 runs availableParallelism − 1 files at a time: one on a 2-core machine, with the main process mostly
    // idle. Two workers halve the wall time (docs/TESTING.md); every file is self-contained (no shared ports or files)
    maxWorkers: 2,
    // signing, signature recovery and keccak256 in WebAssembly, as Node entry points (src/core/wasmCrypto.ts)
    setupFiles: ['src/core/wasmCrypto.ts'],
  },
})
