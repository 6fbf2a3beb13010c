#!/usr/bin/env bash
# `npm run test:nextjs`: the @auth0/nextjs-auth0 4.x conformance test (test/clients/nextjs-auth0.test.ts).
# Its Next.js app is a workspace of its own, test/clients/nextjs-app, with its own package-lock.json
# (next, react, react-dom, @auth0/nextjs-auth0: about 345 MB installed), so the README's `npm ci` stays
# as light as it was; this installs it, then runs the test, which builds the app (`next build`), serves
# it (`next start`) and logs in with Chromium. Understudy listens on port 443: run as root, or with
# net.ipv4.ip_unprivileged_port_start <= 443. Ends with vitest's `N passed, N failed` line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

app=test/clients/nextjs-app
t0=$EPOCHREALTIME
npm ci --prefix "$app" --no-audit --no-fund --prefer-offline --loglevel=error
echo "nextjs workspace: npm ci in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s, node_modules $(du -sh "$app/node_modules" | cut -f1)"
exec npx vitest run --config vitest.nextjs.config.ts
