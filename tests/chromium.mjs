// How every browser test here starts Debian's Chromium (/usr/bin/chromium, installed by
// scripts/setup-js.sh) through playwright-core: its own download is not possible on these
// machines, and the flags keep it from reaching for the network at start-up.
export function chromiumLaunchOptions() {
  return {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      // Chromium's sandbox cannot start as root, which CI is.
      ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
    ],
  };
}
