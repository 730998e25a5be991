// Preloaded with `node --import` (NODE_OPTIONS) to run an opswatch process whose clock is off by
// FAKE_CLOCK_OFFSET_MS: Date.now() — what the agent stamps on results and its hello — is shifted. The
// product has no switch for this; the test changes the process's clock the way a bad NTP setup would.
const offset = Number(process.env.FAKE_CLOCK_OFFSET_MS ?? 0);
const realNow = Date.now;
Date.now = () => realNow() + offset;
