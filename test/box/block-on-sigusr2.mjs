// Test-only preload (NODE_OPTIONS=--import): SIGUSR2 blocks the event loop on
// purpose for PERSOMUX_TEST_BLOCK_MS, as a runaway computation would, then says
// when it blocked (wall clock, so the test can line it up with what it received).
const blockMs = Number(process.env.PERSOMUX_TEST_BLOCK_MS ?? 1000);
process.on('SIGUSR2', () => {
  const from = Date.now();
  while (Date.now() - from < blockMs) {
    // busy: nothing else runs
  }
  process.stderr.write(`test.block from=${from} to=${Date.now()}\n`);
});
