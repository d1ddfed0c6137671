import { defineConfig } from "vitest/config";

// Tests import the compiled code under dist/ only where a real process is spawned;
// everything else imports the TypeScript sources directly.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
