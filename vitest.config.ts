import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // against a real anvil: `npm run test:integration` (vitest.integration.config.ts)
    exclude: [...configDefaults.exclude, 'src/**/*.integration.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    // signature recovery and keccak256 in WebAssembly, as Node entry points (src/core/wasmCrypto.ts)
    setupFiles: ['src/core/wasmCrypto.ts'],
  },
})
